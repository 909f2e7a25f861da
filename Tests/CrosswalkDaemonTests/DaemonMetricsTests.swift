import CrosswalkDaemon
import Foundation
import Logging
import TestSupport
import XCTest

/// The daemon's metrics endpoint: the server's counters plus the store and sync families,
/// read over HTTP and parsed as Prometheus exposition format.
final class DaemonMetricsTests: XCTestCase {
    func testMetricsPageParsesAndCarriesStoreAndSyncFamilies() async throws {
        try await SyncedDaemon.run(configure: { $0.metricsPort = 0 }) { daemon, port, _ in
            let client = try await TestClient.connect(port: port)
            try await client.send("PING\r\nSDG 11\r\n")
            _ = try await client.readLine()
            _ = try await client.readLine()
            await client.close()

            let metricsPort = try XCTUnwrap(daemon.metrics?.port)
            let response = try await get(port: metricsPort, "/metrics")
            XCTAssertEqual(response.status, 200)
            let page = try Exposition.parse(response.body)
            XCTAssertEqual(page.value("crosswalk_database_up", [:]), 1)
            XCTAssertEqual(page.value("crosswalk_store_documents", [:]), 1)
            XCTAssertEqual(page.value("crosswalk_store_policies", [:]), 3)
            XCTAssertEqual(page.value("crosswalk_commands_total", ["command": "SDG"]), 1)
            XCTAssertEqual(page.value("crosswalk_syncs_total", ["outcome": "ok"]), 1)
            XCTAssertEqual(page.value("crosswalk_last_sync_success", [:]), 1)
            XCTAssertEqual(page.value("crosswalk_last_sync_documents", ["outcome": "applied"]), 1)
            XCTAssertEqual(page.family("crosswalk_last_sync_documents")?.type, "gauge")
            XCTAssertNotNil(page.value("crosswalk_last_sync_end_timestamp_seconds", [:]))
            XCTAssertGreaterThan(page.value("crosswalk_store_listings", [:]) ?? 0, 0)
        }
    }

    func testTheWebPortServesTheSameMetrics() async throws {
        try await SyncedDaemon.run(configure: { $0.httpPort = 0 }) { daemon, _, _ in
            let web = try XCTUnwrap(daemon.web)
            let port = await web.boundPort()
            let response = try await HTTPGet.fetch(port: port, "/metrics")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
            let page = try Exposition.parse(response.body)
            XCTAssertEqual(page.value("crosswalk_database_up", [:]), 1)
            XCTAssertEqual(page.value("crosswalk_syncs_total", ["outcome": "ok"]), 1)
        }
    }
}
