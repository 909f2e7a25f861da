import CrosswalkDaemon
import CrosswalkStore
import Foundation
import Logging
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

    func testBadSettingsExitTwoWithTheReason() throws {
        let cli = try runCLI(["health", "--port", "http"])
        XCTAssertEqual(cli.status, 2)
        XCTAssertTrue(cli.error.contains("--port: port takes a whole number"), cli.error)
    }
}
