import CrosswalkDaemon
import CrosswalkStore
import Foundation
import Logging
import NIOConcurrencyHelpers
import Postgres
import TestSupport
import XCTest

/// `crosswalk health` and the HEALTH command against a running daemon, a stopped one,
/// and one whose database is gone.
final class HealthTests: XCTestCase {
    private func daemon(pool: PostgresPool, password: String? = nil) -> Daemon {
        var configuration = Daemon.Configuration(sources: [])
        configuration.server.port = 0
        configuration.server.password = password
        return Daemon(configuration: configuration, pool: pool, logger: Logger(label: "test"))
    }

    /// Runs the built binary; returns its exit status and standard error.
    private func runCLI(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let binary = (Bundle.main.executableURL ?? Bundle.main.bundleURL).deletingLastPathComponent().appendingPathComponent("crosswalk")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary.path), "crosswalk binary not built at \(binary.path)")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }

    func testHealthyWhileServingThenUnhealthyWhenStopped() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let daemon = daemon(pool: pool, password: "secret")
            let port = try await daemon.start()
            // HEALTH is served before AUTH, so a health check needs no password.
            XCTAssertEqual(HealthProbe.check(host: "127.0.0.1", port: port), .healthy)
            let cli = try runCLI(["health", "--port", "\(port)"])
            XCTAssertEqual(cli.status, 0, cli.error)
            XCTAssertEqual(cli.output, "healthy\n")

            await daemon.shutdown()
            guard case .unhealthy(let reason) = HealthProbe.check(host: "127.0.0.1", port: port) else {
                return XCTFail("a stopped daemon reported healthy")
            }
            XCTAssertTrue(reason.contains("no daemon answering at 127.0.0.1:\(port)"), reason)
            let stopped = try runCLI(["health", "--port", "\(port)"])
            XCTAssertEqual(stopped.status, 1)
            XCTAssertTrue(stopped.error.contains("unhealthy: no daemon answering"), stopped.error)
        }
    }

    func testUnhealthyWhenTheDatabaseIsUnreachable() async throws {
        // Port 1 on loopback: nothing listens, libpq is refused at once.
        let pool = PostgresPool(conninfo: "host=127.0.0.1 port=1 dbname=none user=none connect_timeout=2", maxConnections: 1)
        let daemon = daemon(pool: pool)
        let port = try await daemon.start()
        let result = HealthProbe.check(host: "127.0.0.1", port: port)
        let cli = try runCLI(["health", "--host", "127.0.0.1", "--port", "\(port)"])
        await daemon.shutdown()
        await pool.shutdown()
        guard case .unhealthy(let reason) = result else { return XCTFail("healthy without a database") }
        XCTAssertTrue(reason.contains("database unavailable"), reason)
        XCTAssertEqual(cli.status, 1)
        XCTAssertTrue(cli.error.contains("database unavailable"), cli.error)
    }

    /// HEALTH is served before AUTH: with the database down its reply says only "database
    /// unavailable"; the host, port, database and user are in the log (once) and in INFO
    /// for an authenticated client.
    func testHealthBeforeAuthWithTheDatabaseDownNamesNothing() async throws {
        let pool = PostgresPool(conninfo: "host=127.0.0.1 port=1 dbname=payroll_db user=payroll_user connect_timeout=2", maxConnections: 1)
        let lines = NIOLockedValueBox<[String]>([])
        let logger = Logger(label: "test") { label in
            StructuredLogHandler(label: label, format: .logfmt, level: .info) { line in lines.withLockedValue { $0.append(line) } }
        }
        var configuration = Daemon.Configuration(sources: [])
        configuration.server.port = 0
        configuration.server.password = "pw"
        let daemon = Daemon(configuration: configuration, pool: pool, logger: logger)
        let port = try await daemon.start()
        let client = try await TestClient.connect(port: port)
        try await client.send("HEALTH\r\nHEALTH\r\n")
        let first = try await client.readLine()
        let second = try await client.readLine()
        try await client.send("AUTH pw\r\nINFO store\r\n")
        _ = try await client.readLine()
        let info = try await client.readLine()
        await client.close()
        await daemon.shutdown()
        await pool.shutdown()

        XCTAssertEqual(first, #"{"ok":false,"error":"ERR database unavailable"}"#)
        XCTAssertEqual(second, first)
        for secret in ["127.0.0.1", "port=1", "payroll_db", "payroll_user"] {
            XCTAssertFalse(first.contains(secret), first)
        }
        XCTAssertTrue(info.contains("database_error") && info.contains("payroll_db"), "authenticated INFO has the detail: \(info)")
        let logged = lines.withLockedValue { $0 }.filter { $0.contains(#"msg="database unavailable""#) }
        XCTAssertEqual(logged.count, 1, "the loss is logged once: \(lines.withLockedValue { $0 })")
        XCTAssertTrue(logged.first?.contains("payroll_db") == true, logged.first ?? "")
    }

    func testBadSettingsExitTwoWithTheReason() throws {
        let cli = try runCLI(["health", "--port", "http"])
        XCTAssertEqual(cli.status, 2)
        XCTAssertTrue(cli.error.contains("--port: port takes a whole number"), cli.error)
    }
}
