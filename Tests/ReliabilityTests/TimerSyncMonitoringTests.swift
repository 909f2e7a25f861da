import CrosswalkDaemon
import CrosswalkStore
import Foundation
import Logging
import Postgres
import TestSupport
import XCTest

/// The documented timer setup: a daemon with no syncs of its own, and `crosswalk sync` run
/// by another process. INFO and the `crosswalk_last_sync_*` metrics report the database's
/// last sync (from its runs table), so a partial timer sync shows and its alert can fire.
final class TimerSyncMonitoringTests: XCTestCase {
    func testASyncRunByTheCLIShowsInTheDaemonsInfoAndMetrics() async throws {
        let database = try await TestDatabase.create()
        let pool = PostgresPool(conninfo: database, maxConnections: 2)
        try await Migrator().migrate(pool)
        var configuration = Daemon.Configuration(sources: [])
        configuration.server.port = 0
        configuration.syncInterval = nil
        configuration.metricsPort = 0
        let daemon = Daemon(configuration: configuration, pool: pool, logger: Logger(label: "timer-test"))
        let port = try await daemon.start()

        let folder = try temporaryFolder("timer-src")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Samples/digital_R5.txt"), to: folder.appendingPathComponent("digital_R5.txt"))
        try Data("this is not an evaluation table\n".utf8).write(to: folder.appendingPathComponent("broken.txt"))
        let synced = try await CrosswalkBinary.sync(database: database, source: folder)
        XCTAssertEqual(synced.termination, .exited(1), synced.errors)
        XCTAssertEqual(synced.status, "partial", synced.errors)
        // The one-shot command's first line says which database it used, without secrets.
        XCTAssertTrue(synced.errors.hasPrefix("crosswalk: database: "), synced.errors)

        let info = try await ask(port, "INFO sync")
        let sync = try XCTUnwrap(info["sync"] as? [String: Any], "\(info)")
        XCTAssertEqual(sync["last_sync_status"] as? String, "partial", "\(sync)")
        XCTAssertEqual(sync["last_sync_trigger"] as? String, "cli", "\(sync)")
        XCTAssertEqual(sync["last_sync_run"] as? Int, synced.summary?["run_id"] as? Int, "\(sync)")

        let metricsPort = try XCTUnwrap(daemon.metrics?.port)
        let page = try Exposition.parse(try await get(port: metricsPort, "/metrics").body)
        XCTAssertEqual(page.value("crosswalk_last_sync_success", [:]), 0, "the partial run is not a success")
        XCTAssertEqual(page.value("crosswalk_last_sync_documents", ["outcome": "rejected"]), 1)
        XCTAssertEqual(page.value("crosswalk_last_sync_documents", ["outcome": "applied"]), 1)
        XCTAssertNotNil(page.value("crosswalk_last_sync_end_timestamp_seconds", [:]))
        XCTAssertNil(page.value("crosswalk_syncs_total", ["outcome": "partial"]), "the daemon ran no sync itself")

        await daemon.shutdown()
        await pool.shutdown()
    }
}
