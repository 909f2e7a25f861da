import CrosswalkDaemon
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Flags over environment over file over default, and a clear error naming the flag,
/// variable or file line for every setting that cannot be used.
final class SettingsTests: XCTestCase {
    private func file(_ text: String, path: String = "crosswalk.conf") throws -> SettingsFile {
        try SettingsFile(path: path, text: text)
    }

    private func temporaryFolder() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func assertError(_ expected: [String], _ body: () throws -> Void, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(error is SettingsError, "\(type(of: error)): \(message)", line: line)
            for part in expected {
                XCTAssertTrue(message.contains(part), "'\(message)' lacks '\(part)'", line: line)
            }
        }
    }

    func testFlagsWinOverEnvironmentOverFileOverDefault() throws {
        let conf = try file("port = 7100\nbind = 127.0.0.2\nsync-interval = 1h\nidle-timeout = 60s\n")
        let environment = ["CROSSWALK_PORT": "7200", "CROSSWALK_SYNC_INTERVAL": "5m", "PATH": "/usr/bin"]
        let settings = try Settings(flags: [.port: ["7300"]], environment: environment, file: conf)

        XCTAssertEqual(try settings.integer(.port, in: 0...65535), 7300)
        XCTAssertEqual(settings.origin(.port), .flag("--port"))
        XCTAssertEqual(try settings.duration(.syncInterval), .seconds(300))
        XCTAssertEqual(settings.origin(.syncInterval), .environment("CROSSWALK_SYNC_INTERVAL"))
        XCTAssertEqual(settings.text(.bind), "127.0.0.2")
        XCTAssertEqual(settings.origin(.bind), .file(path: "crosswalk.conf", line: 2))
        XCTAssertEqual(try settings.integer(.maxConnections, in: 1...1_000_000), 1024)
        XCTAssertEqual(settings.origin(.maxConnections), .defaultValue)
        XCTAssertNil(settings.text(.password))
    }

    func testEmptyEnvironmentVariableCountsAsUnset() throws {
        let settings = try Settings(flags: [:], environment: ["CROSSWALK_PORT": ""], file: try file("port = 7100"))
        XCTAssertEqual(try settings.integer(.port, in: 0...65535), 7100)
    }

    func testRepeatedSourcesComeFromOneLayerOnly() throws {
        let conf = try file("source = /a\nsource = /b\n")
        let fromFile = try Settings(flags: [:], environment: [:], file: conf)
        XCTAssertEqual(fromFile.texts(.source), ["/a", "/b"])
        let fromEnvironment = try Settings(flags: [:], environment: ["CROSSWALK_SOURCE": "/c:/d"], file: conf)
        XCTAssertEqual(fromEnvironment.texts(.source), ["/c", "/d"])
        let fromFlags = try Settings(flags: [.source: ["/e"]], environment: ["CROSSWALK_SOURCE": "/c"], file: conf)
        XCTAssertEqual(fromFlags.texts(.source), ["/e"])
    }

    func testFileSyntaxCommentsQuotesAndEscapes() throws {
        let conf = try file(#"""
            # the daemon
            bind = 127.0.0.1   # loopback
            password = "a#b \"q\" \\ "
            admin-token = x#y
            include = "*.tsv"  # quoted, then a comment

            """#)
        let settings = try Settings(flags: [:], environment: [:], file: conf)
        XCTAssertEqual(settings.text(.bind), "127.0.0.1")
        XCTAssertEqual(settings.text(.password), #"a#b "q" \ "#)
        XCTAssertEqual(settings.text(.adminToken), "x#y")
        XCTAssertEqual(settings.text(.include), "*.tsv")
    }

    func testFileErrorsNameTheLine() {
        assertError(["crosswalk.conf:2:", "unknown setting 'prot'", "known:"]) { _ = try file("port = 1\nprot = 2") }
        assertError(["crosswalk.conf:3:", "port is already set on line 1"]) { _ = try file("port = 1\n\nport = 2") }
        assertError(["crosswalk.conf:1:", "expected 'key = value'"]) { _ = try file("port 7017") }
        assertError(["crosswalk.conf:1:", "no closing quote"]) { _ = try file(#"password = "open"#) }
        assertError(["crosswalk.conf:1:", "after the closing quote"]) { _ = try file(#"password = "a" b"#) }
        assertError(["crosswalk.conf:1:", "--config"]) { _ = try file("config = other.conf") }
    }

    func testUnreadableConfigurationFileIsNamed() {
        assertError(["cannot read configuration file /nonexistent/crosswalk.conf"]) {
            _ = try Settings.load(flags: [.config: ["/nonexistent/crosswalk.conf"]], environment: [:])
        }
        assertError(["cannot read configuration file /nonexistent/env.conf"]) {
            _ = try Settings.load(flags: [:], environment: ["CROSSWALK_CONFIG": "/nonexistent/env.conf"])
        }
    }

    func testConfigFlagWinsOverConfigVariable() throws {
        let folder = try temporaryFolder()
        let chosen = folder.appendingPathComponent("chosen.conf")
        try "port = 7400\n".write(to: chosen, atomically: true, encoding: .utf8)
        let settings = try Settings.load(
            flags: [.config: [chosen.path]], environment: ["CROSSWALK_CONFIG": "/nonexistent.conf"])
        XCTAssertEqual(settings.origin(.port), .file(path: chosen.path, line: 1))
    }

    func testUnknownEnvironmentVariableIsAnError() {
        assertError(["CROSSWALK_PROT", "unknown setting", "CROSSWALK_PORT"]) {
            _ = try Settings(flags: [:], environment: ["CROSSWALK_PROT": "1"], file: nil)
        }
    }

    func testBadValuesNameWhereTheyCameFrom() throws {
        let conf = try file("port = 7017\nsync-interval = 15 minutes\nidle-timeout = -5s\nlog-format = xml\n")
        let settings = try Settings(flags: [.maxConnections: ["0"]], environment: ["CROSSWALK_PORT": "70000"], file: conf)
        assertError(["crosswalk.conf:2: sync-interval takes a duration such as 30s, 15m or 1h, not '15 minutes'"]) {
            _ = try settings.duration(.syncInterval)
        }
        assertError(["crosswalk.conf:3: idle-timeout"]) { _ = try settings.duration(.idleTimeout) }
        assertError(["CROSSWALK_PORT: port takes a whole number from 0 to 65535, not '70000'"]) {
            _ = try Daemon.Configuration(settings: try Settings(flags: [:], environment: ["CROSSWALK_PORT": "70000"], file: nil))
        }
        assertError(["--max-connections: max-connections takes a whole number from 1"]) {
            _ = try settings.integer(.maxConnections, in: 1...1_000_000)
        }
        assertError(["crosswalk.conf:4: log-format takes one of logfmt, json, not 'xml'"]) { _ = try settings.logging() }
    }

    /// A file line hidden by a flag or variable is still checked: it would start to count the
    /// day the flag is dropped, so it is reported now, with its line.
    func testABadValueInTheFileIsReportedEvenWhenAFlagOverridesIt() throws {
        let conf = try file("port = 99999\nidle-timeout = soon\n")
        let settings = try Settings(flags: [.port: ["7300"]], environment: ["CROSSWALK_IDLE_TIMEOUT": "60s"], file: conf)
        XCTAssertEqual(settings.text(.port), "7300")
        assertError(["crosswalk.conf:1: port takes a whole number from 0 to 65535, not '99999'"]) {
            _ = try Daemon.Configuration(settings: settings)
        }
        assertError(["crosswalk.conf:2: idle-timeout takes a duration"]) { _ = try settings.duration(.idleTimeout) }
        // A bad variable under a good flag likewise.
        let environment = try Settings(flags: [.port: ["7300"]], environment: ["CROSSWALK_PORT": "port"], file: nil)
        assertError(["CROSSWALK_PORT: port takes a whole number"]) { _ = try environment.integer(.port, in: 0...65535) }
        // Good values in every layer: the one in force wins, as before.
        let good = try Settings(flags: [.port: ["7300"]], environment: ["CROSSWALK_PORT": "7200"], file: try file("port = 7100"))
        XCTAssertEqual(try good.integer(.port, in: 0...65535), 7300)
    }

    func testSecretsAreNotEchoedInErrors() throws {
        let settings = try Settings(flags: [:], environment: ["CROSSWALK_PASSWORD": "hunter2-secret"], file: nil)
        assertError(["CROSSWALK_PASSWORD: password"]) { _ = try settings.integer(.password, in: 0...1) }
        XCTAssertThrowsError(try settings.integer(.password, in: 0...1)) { error in
            XCTAssertFalse("\(error)".contains("hunter2"))
        }
        // A secret typed without its `=` is not quoted back.
        XCTAssertThrowsError(try file("password Missing-Eq-SECRET88\n")) { error in
            XCTAssertTrue("\(error)".hasPrefix("crosswalk.conf:1: expected 'key = value'"), "\(error)")
            XCTAssertFalse("\(error)".contains("SECRET88"), "\(error)")
        }
    }

    /// `admin-token =` must not turn on an admin token that an empty AUTH would match.
    func testAnEmptySecretIsUnsetInEveryLayer() throws {
        let fromFile = try Settings(flags: [:], environment: [:], file: try file("admin-token =\npassword = \"\"\n"))
        XCTAssertNil(fromFile.text(.adminToken))
        XCTAssertNil(fromFile.text(.password))
        let fromFlags = try Settings(flags: [.adminToken: [""], .password: [""]], environment: [:], file: nil)
        XCTAssertNil(fromFlags.text(.adminToken))
        XCTAssertNil(fromFlags.text(.password))
        let fromEnvironment = try Settings(flags: [:], environment: ["CROSSWALK_ADMIN_TOKEN": ""], file: nil)
        XCTAssertNil(fromEnvironment.text(.adminToken))
        XCTAssertNil(try Daemon.Configuration(settings: fromFile).server.adminToken)
    }

    func testSourceFoldersMustExistAndBeReadableFolders() throws {
        let folder = try temporaryFolder()
        let document = folder.appendingPathComponent("a.txt")
        try "x".write(to: document, atomically: true, encoding: .utf8)

        let good = try Settings(flags: [.source: [folder.path]], environment: [:], file: nil)
        XCTAssertEqual(try good.sourceFolders(), [folder.path])

        let missing = try Settings(flags: [:], environment: [:], file: try file("source = /nonexistent/docs"))
        assertError(["crosswalk.conf:1: source folder /nonexistent/docs does not exist"]) { _ = try missing.sourceFolders() }
        assertError(["does not exist"]) { _ = try Daemon.Configuration(settings: missing) }

        let notFolder = try Settings(flags: [:], environment: ["CROSSWALK_SOURCE": document.path], file: nil)
        assertError(["CROSSWALK_SOURCE: source \(document.path) is a file, not a folder"]) { _ = try notFolder.sourceFolders() }
    }

    func testPortInUseIsReportedWithTheSetting() throws {
        // Hold a listening socket, as another process would.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        XCTAssertTrue(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))

        let taken = try Settings(flags: [.port: ["\(port)"]], environment: [:], file: nil)
        assertError(["--port: port \(port) on 127.0.0.1 cannot be used", "in use"]) { try taken.checkPortsAreFree() }
        let metrics = try Settings(flags: [.port: ["0"]], environment: [:], file: try file("metrics-port = \(port)"))
        assertError(["crosswalk.conf:1: metrics-port \(port)"]) { try metrics.checkPortsAreFree() }
        let free = try Settings(flags: [.port: ["0"]], environment: [:], file: nil)
        XCTAssertNoThrow(try free.checkPortsAreFree())
    }

    func testDaemonConfigurationTakesEverySetting() throws {
        let folder = try temporaryFolder()
        let conf = try file("""
            source = \(folder.path)
            include = *.tsv
            bind = 127.0.0.3
            port = 7500
            sync-interval = 0
            password = p
            admin-token = t
            max-connections = 9
            idle-timeout = 2m
            metrics-port = 9464
            """)
        let configuration = try Daemon.Configuration(settings: try Settings(flags: [:], environment: [:], file: conf))
        XCTAssertEqual(configuration.sync.sources, [folder.path])
        XCTAssertEqual(configuration.sync.include, "*.tsv")
        XCTAssertEqual(configuration.server.host, "127.0.0.3")
        XCTAssertEqual(configuration.server.port, 7500)
        XCTAssertNil(configuration.syncInterval)
        XCTAssertEqual(configuration.server.password, "p")
        XCTAssertEqual(configuration.server.adminToken, "t")
        XCTAssertEqual(configuration.server.maxConnections, 9)
        XCTAssertEqual(configuration.server.idleTimeout, .seconds(120))
        XCTAssertEqual(configuration.metricsPort, 9464)
    }

    /// Deploy/crosswalk.conf.example is read as shipped, and with every setting uncommented.
    func testExampleFileParsesAndNamesEverySetting() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Deploy/crosswalk.conf.example")
        let text = try String(contentsOf: example, encoding: .utf8)
        _ = try SettingsFile(path: example.path, text: text)
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.wholeMatch(of: /#[a-z-]+ =.*/) != nil ? $0.dropFirst() : $0 }
            .joined(separator: "\n")
        let keys = Set(try SettingsFile(path: example.path, text: uncommented).entries.map(\.key))
        XCTAssertEqual(keys, Set(SettingKey.allCases).subtracting([.config]))
    }

    func testDefaultsListenOnLoopback() throws {
        let configuration = try Daemon.Configuration(settings: try Settings(flags: [:], environment: [:], file: nil))
        XCTAssertEqual(configuration.server.host, "127.0.0.1")
        XCTAssertEqual(configuration.server.port, 7017)
        XCTAssertEqual(configuration.syncInterval, .seconds(900))
        XCTAssertNil(configuration.metricsPort)
    }
}
