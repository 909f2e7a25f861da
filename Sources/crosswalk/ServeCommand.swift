import ArgumentParser
import CrosswalkDaemon
import CrosswalkServer
import Foundation
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: sync the sources at start and on an interval, answer the line protocol.",
        discussion: "Without --database (or CROSSWALK_DATABASE) it runs an embedded PostgreSQL cluster under --data-dir."
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var sources: SourceOptions

    @Option(name: .long, help: "Address to listen on (loopback unless told otherwise).")
    var bind: String = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on.")
    var port: Int = 7017

    @Option(name: .long, help: ArgumentHelp("Time between syncs: 30s, 15m, 1h; 0 syncs only at start and on SYNC.", valueName: "duration"))
    var syncInterval: String = "15m"

    @Option(name: .long, help: ArgumentHelp("Require AUTH with this password (default: $CROSSWALK_PASSWORD).", valueName: "password"))
    var requirepass: String?

    @Option(name: .long, help: ArgumentHelp("Token that SYNC requires (default: $CROSSWALK_ADMIN_TOKEN).", valueName: "token"))
    var adminToken: String?

    @Option(name: .long, help: "Most simultaneous client connections.")
    var maxConnections: Int = 1024

    @Option(name: .long, help: ArgumentHelp("Close a client idle this long: 300s, 5m; 0 never.", valueName: "duration"))
    var idleTimeout: String = "300s"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, not \(port)") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be at least 1") }
        _ = try DurationText.parse(syncInterval, option: "--sync-interval")
        _ = try DurationText.parse(idleTimeout, option: "--idle-timeout")
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "crosswalk")
        logger.logLevel = .info
        try await reportingErrors {
            let environment = ProcessInfo.processInfo.environment
            var configuration = Daemon.Configuration(sources: sources.source)
            configuration.sync.include = sources.include
            configuration.syncInterval = try DurationText.parse(syncInterval, option: "--sync-interval")
            configuration.server.host = bind
            configuration.server.port = port
            configuration.server.password = requirepass ?? environment["CROSSWALK_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
            configuration.server.adminToken = adminToken ?? environment["CROSSWALK_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            configuration.server.maxConnections = maxConnections
            configuration.server.idleTimeout = try DurationText.parse(idleTimeout, option: "--idle-timeout")

            try await database.withMigratedPool { pool in
            logger.info("starting", metadata: [
                "database": "\((try? database.describe()) ?? "embedded")",
                "bind": "\(bind):\(port)", "sources": "\(sources.source)", "sync_interval": "\(syncInterval)",
                "auth": "\(configuration.server.password == nil ? "off" : "on")",
                "admin_token": "\(configuration.server.adminToken == nil ? "off" : "on")",
            ])
            let daemon = Daemon(configuration: configuration, pool: pool, logger: logger)
            let group = ServiceGroup(
                services: daemon.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
            logger.info("stopped")
            }
        }
    }
}

/// `30s`, `15m`, `1h`, `2d`; a bare number is seconds; `0` is off (nil).
enum DurationText {
    static func parse(_ text: String, option: String) throws -> Duration? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(text)
        var scale: Int64 = 1
        if let last = text.last, let unit = units[last] {
            scale = unit
            digits = digits.dropLast()
        }
        guard let value = Int64(digits), value >= 0 else {
            throw ValidationError("\(option) takes a duration such as 30s, 15m or 1h, not '\(text)'")
        }
        return value == 0 ? nil : .seconds(value * scale)
    }
}
