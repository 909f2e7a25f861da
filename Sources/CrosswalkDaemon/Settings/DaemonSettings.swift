import CrosswalkServer
package import CrosswalkSync
import Foundation
package import Logging

extension Daemon.Configuration {
    /// `crosswalk serve`'s configuration from the layered settings, every value checked.
    /// Ports are checked separately (`checkPortsAreFree`), just before the database starts.
    package init(settings: Settings) throws {
        self.init(sources: [])
        sync = try SyncEngine.Options(settings: settings)
        syncInterval = try settings.duration(.syncInterval)
        server.host = settings.text(.bind) ?? "127.0.0.1"
        server.port = try settings.integer(.port, in: 0...65535)
        server.password = settings.text(.password)
        server.adminToken = settings.text(.adminToken)
        server.maxConnections = try settings.integer(.maxConnections, in: 1...1_000_000)
        server.idleTimeout = try settings.duration(.idleTimeout)
        let metrics = try settings.integer(.metricsPort, in: 0...65535)
        metricsPort = metrics == 0 ? nil : metrics
        let http = try settings.integer(.httpPort, in: 0...65535)
        httpPort = http == 0 ? nil : http
    }
}

extension SyncEngine.Options {
    /// What a sync reads and how, from the settings `sync` and `serve` share.
    package init(settings: Settings) throws {
        self.init(sources: try settings.sourceFolders())
        include = settings.text(.include) ?? "*.txt"
        maxEndShare = try settings.share(.maxEnd)
        deadline = try settings.duration(.syncDeadline)
        lockTimeout = .seconds(try settings.integer(.lockTimeout, in: 0...86400))
    }
}

extension Settings {
    /// The `source` folders, each an existing, readable folder.
    package func sourceFolders() throws -> [String] {
        try allValues(.source).map { value in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: value.text, isDirectory: &isFolder) else {
                throw SettingsError("\(value.origin): source folder \(value.text) does not exist")
            }
            guard isFolder.boolValue else {
                throw SettingsError("\(value.origin): source \(value.text) is a file, not a folder")
            }
            do {
                _ = try FileManager.default.contentsOfDirectory(atPath: value.text)
            } catch {
                throw SettingsError("\(value.origin): source folder \(value.text) cannot be read: \((error as NSError).localizedFailureReason ?? "\(error)")")
            }
            return value.text
        }
    }

    /// Fails with the setting to change when the protocol, metrics or web port is taken, so the
    /// daemon does not start its database only to stop at the bind.
    package func checkPortsAreFree() throws {
        let host = text(.bind) ?? "127.0.0.1"
        for key in [SettingKey.port, .metricsPort, .httpPort] {
            guard let value = value(key), let port = Int(value.text), port != 0,
                let problem = PortProbe.bindProblem(host: host, port: port)
            else { continue }
            throw SettingsError("\(value.origin): \(key.rawValue) \(port) on \(host) cannot be used: \(problem)")
        }
    }

    /// The log line format and threshold.
    package func logging() throws -> (format: LogFormat, level: Logger.Level) {
        let format = LogFormat(rawValue: try choice(.logFormat, from: LogFormat.allCases.map(\.rawValue)))!
        let level = Logger.Level(rawValue: try choice(.logLevel, from: Logger.Level.allCases.map(\.rawValue)))!
        return (format, level)
    }
}
