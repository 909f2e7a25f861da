import CrosswalkDaemon
import CrosswalkServer
import CrosswalkStore
import CrosswalkSync
import Foundation
import Logging
import Postgres
import TestSupport
import XCTest

/// The daemon (in-process, real sockets) while its PostgreSQL goes away and comes back,
/// and syncs cut off by a lost database. Each test that stops the server has a cluster of
/// its own.
final class DatabaseFaultTests: XCTestCase {
    static let adminToken = "fault-admin"

    private func makeDaemon(pool: PostgresPool, sources: URL, documentsPerCommit: Int = 200) -> Daemon {
        var configuration = Daemon.Configuration(sources: [sources.path])
        configuration.server.port = 0
        configuration.server.adminToken = Self.adminToken
        configuration.syncInterval = nil
        configuration.sync.documentsPerCommit = documentsPerCommit
        configuration.sync.lockTimeout = .seconds(60)
        return Daemon(configuration: configuration, pool: pool, logger: Logger(label: "fault-test"))
    }

    /// An authenticated admin connection, kept open across the outages.
    private func adminClient(_ port: Int) async throws -> TestClient {
        let client = try await TestClient.connect(port: port, timeout: .seconds(120))
        try await client.send("AUTH \(Self.adminToken)\r\n")
        let reply = try await client.readLine()
        XCTAssertTrue(reply.contains("\"ok\":true"), reply)
        return client
    }

    private func request(_ client: TestClient, _ line: String) async throws -> [String: Any] {
        try await client.send(line + "\r\n")
        return try json(try await client.readLine())
    }

    private func assertDatabaseUnavailable(_ reply: [String: Any], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply["ok"] as? Bool, false, "\(what): \(reply)", file: file, line: line)
        XCTAssertTrue((reply["error"] as? String)?.hasPrefix("ERR database unavailable: ") == true, "\(what): \(reply)", file: file, line: line)
    }

    func testDaemonAnswersClearErrorsWhileItsDatabaseIsDownAndRecoversWithoutRestart() async throws {
        try await withPrivateCluster { cluster, endpoint in
            let folder = try temporaryFolder("fault-src")
            defer { try? FileManager.default.removeItem(at: folder) }
            try OfficeDocuments.write(count: 1, to: folder)
            let pool = PostgresPool(conninfo: endpoint.conninfo(database: "crosswalk"), maxConnections: 4)
            try await Migrator().migrate(pool)
            let daemon = makeDaemon(pool: pool, sources: folder)
            _ = try await daemon.scheduler.syncNow(trigger: "test")
            let port = try await daemon.start()
            let client = try await adminClient(port)
            let before = try await request(client, "SDG 17")
            XCTAssertEqual((before["programs"] as? [Any])?.count, 2, "\(before)")

            // Stopped, with requests meanwhile: clear errors; PING and the connection stay.
            var restarts = 0
            for cycle in 1...3 {
                try await offThread { try cluster.stop() }
                let ping = try await request(client, "PING")
                XCTAssertEqual(ping["result"] as? String, "PONG")
                // Goals never asked before, so no cached answer can stand in for the database.
                assertDatabaseUnavailable(try await request(client, "SDG \(cycle)"), "SDG while stopped")
                assertDatabaseUnavailable(try await request(client, "SYNCSTATUS"), "SYNCSTATUS while stopped")
                assertDatabaseUnavailable(try await request(client, "SYNC"), "SYNC while stopped")
                let info = try await request(client, "INFO store")
                XCTAssertEqual((info["store"] as? [String: Any])?["database_reachable"] as? Bool, false, "\(info)")
                try await client.send(resp("CONFLICTS"))
                let respReply = try await client.readLine()
                XCTAssertTrue(respReply.hasPrefix("-ERR database unavailable: "), respReply)
                let fresh = try await ask(port, "PING")
                XCTAssertEqual(fresh["result"] as? String, "PONG", "a new connection while stopped")

                let restarted = try await offThread { try cluster.start() }
                restarts += 1
                XCTAssertEqual(restarted.port, endpoint.port, "the cluster must come back where the daemon looks for it")
                let after = try await request(client, "SDG 17")
                XCTAssertEqual((after["programs"] as? [Any])?.count, 2, "first request after restart \(cycle): \(after)")
                let status = try await ask(port, "SYNCSTATUS")
                XCTAssertEqual((status["runs"] as? [[String: Any]])?.first?["status"] as? String, "ok", "\(status)")
            }

            // Restarted with no request in between: the pool's idle connections are all
            // dead, and the first request after the restart must not get one of them.
            for _ in 1...2 {
                try await offThread { try cluster.stop() }
                _ = try await offThread { try cluster.start() }
                restarts += 1
                let first = try await request(client, "POLICIES FY 2023")
                XCTAssertEqual((first["policies"] as? [Any])?.count, 3, "first request after a quiet restart: \(first)")
                let synced = try await request(client, "SYNC")
                XCTAssertEqual(synced["status"] as? String, "ok", "\(synced)")
                XCTAssertEqual(synced["documents_unchanged"] as? Int, 1, "\(synced)")
            }
            let info = try await request(client, "INFO store")
            XCTAssertEqual((info["store"] as? [String: Any])?["database_reachable"] as? Bool, true, "\(info)")
            let open = await pool.openConnections()
            XCTAssertLessThanOrEqual(open, pool.maxConnections)
            print("database restarts survived by one daemon process and one client connection: \(restarts)")
            await client.close()
            await daemon.shutdown()
            await pool.shutdown()
        }
    }

    /// The server stops while a SYNC is in the middle of a document: the reply says the run
    /// failed and counts only what was committed, the daemon stays up, SYNCSTATUS never
    /// shows the dead run as running, and the next SYNC converges to a clean sync.
    func testSyncCutOffByAStoppedDatabaseFailsCleanlyAndTheNextSyncConverges() async throws {
        try await withPrivateCluster { cluster, endpoint in
            let folder = try temporaryFolder("fault-src")
            defer { try? FileManager.default.removeItem(at: folder) }
            try OfficeDocuments.write(count: 12, to: folder)
            let conninfo = endpoint.conninfo(database: "crosswalk")
            let pool = PostgresPool(conninfo: conninfo, maxConnections: 4)
            try await Migrator().migrate(pool)
            // Three documents per commit: the cut comes after two commits, inside the third group.
            let daemon = makeDaemon(pool: pool, sources: folder, documentsPerCommit: 3)
            let port = try await daemon.start()
            let client = try await adminClient(port)
            let first = try await request(client, "SYNC")
            XCTAssertEqual(first["documents_applied"] as? Int, 12, "\(first)")

            try OfficeDocuments.write(count: 12, to: folder, revised: true)
            let holder = try await RowLockHolder(
                conninfo: conninfo, lock: "SELECT 1 FROM documents WHERE source = $1 FOR UPDATE",
                [folder.appendingPathComponent(OfficeDocuments.name(8)).path])
            try await client.send("SYNC\r\n")
            _ = try await eventually("the sync to wait at document 8") { try await backendsWaitingForALock(pool).first }
            try await offThread { try cluster.stop() }
            await holder.end()

            let cut = try json(try await client.readLine())
            XCTAssertEqual(cut["status"] as? String, "failed", "\(cut)")
            XCTAssertFalse((cut["error"] as? String ?? "").isEmpty, "\(cut)")
            XCTAssertEqual(cut["documents_applied"] as? Int, 6, "only the two committed groups stay applied: \(cut)")
            let cutRun = try XCTUnwrap(cut["run_id"] as? Int)
            let ping = try await request(client, "PING")
            XCTAssertEqual(ping["result"] as? String, "PONG")
            let info = try await request(client, "INFO sync")
            XCTAssertEqual((info["sync"] as? [String: Any])?["last_sync_status"] as? String, "failed", "\(info)")

            _ = try await offThread { try cluster.start() }
            let applied = try await pool.int("SELECT count(*) AS n FROM documents WHERE run_id = $1", [cutRun])
            XCTAssertEqual(applied, 6, "documents the cut run committed")
            let recorded = try await pool.int("SELECT documents_applied AS n FROM sync_runs WHERE id = $1", [cutRun])
            XCTAssertEqual(recorded, 6, "the run's row counts what it committed, though it never recorded its outcome")
            let status = try await request(client, "SYNCSTATUS")
            let shown = try XCTUnwrap((status["runs"] as? [[String: Any]])?.first { $0["id"] as? Int == cutRun }, "\(status)")
            XCTAssertEqual(shown["status"] as? String, "abandoned", "a run whose process lost the database is not running: \(shown)")
            XCTAssertTrue((shown["error"] as? String)?.contains("lost the database") == true, "\(shown)")

            let next = try await request(client, "SYNC")
            XCTAssertEqual(next["status"] as? String, "ok", "\(next)")
            XCTAssertEqual(next["documents_applied"] as? Int, 6, "\(next)")
            XCTAssertEqual(next["documents_unchanged"] as? Int, 6, "\(next)")
            let statuses = try await pool.strings("SELECT status AS s FROM sync_runs ORDER BY id")
            XCTAssertEqual(statuses, ["ok", "abandoned", "ok"])

            try await assertSameAsCleanSyncs(pool, endpoint: endpoint, folder: folder)
            await client.close()
            await daemon.shutdown()
            await pool.shutdown()
        }
    }

    /// The sync's own backend is terminated (the server stays up): the run is recorded as
    /// failed, with the reason and what it committed, and the next sync converges.
    func testSyncWhoseConnectionIsKilledIsRecordedAsFailed() async throws {
        try await TestDatabase.withPool(maxConnections: 4) { pool, conninfo in
            try await Migrator().migrate(pool)
            let folder = try temporaryFolder("fault-src")
            defer { try? FileManager.default.removeItem(at: folder) }
            let (engine, options, holder) = try await revisedSyncHeldAtDocument8(pool: pool, conninfo: conninfo, folder: folder)
            let syncing = Task { try await engine.run(options) }
            let victim = try await eventually("the sync to wait at document 8") { try await backendsWaitingForALock(pool).first }
            try await pool.query("SELECT pg_terminate_backend($1)", [victim])
            let cut = try await syncing.value
            await holder.end()

            XCTAssertEqual(cut.status, .failed)
            XCTAssertEqual(cut.documentsApplied, 6, "only the two committed groups stay applied")
            let row = try await pool.query("SELECT status, documents_applied, error FROM sync_runs WHERE id = $1", [cut.runId!]).first!
            XCTAssertEqual(try row.decode("status", as: String.self), "failed", "the failure is recorded, not left 'running'")
            XCTAssertEqual(try row.decode("documents_applied", as: Int.self), 6)
            let reason = try row.decodeIfPresent("error", as: String.self) ?? ""
            XCTAssertTrue(reason.contains("terminat"), "the recorded reason: \(reason)")
            let committed = try await pool.int("SELECT count(*) AS n FROM documents WHERE run_id = $1", [cut.runId!])
            XCTAssertEqual(committed, 6)

            let next = try await engine.run(options)
            XCTAssertEqual(next.status, .ok)
            XCTAssertEqual(next.documentsApplied, 6)
            let statuses = try await pool.strings("SELECT status AS s FROM sync_runs ORDER BY id")
            XCTAssertEqual(statuses, ["ok", "failed", "ok"])
        }
    }

    /// The database equals, row for row and history included, one that saw the same two
    /// versions of the folder synced cleanly; and in everything current, a fresh database
    /// after one clean sync of the folder as it is now (revised).
    private func assertSameAsCleanSyncs(_ pool: PostgresPool, endpoint: LocalCluster.Endpoint, folder: URL) async throws {
        let fresh = PostgresPool(conninfo: endpoint.conninfo(database: "fresh"), maxConnections: 2)
        let reference = PostgresPool(conninfo: endpoint.conninfo(database: "reference"), maxConnections: 2)
        defer { Task { await fresh.shutdown(); await reference.shutdown() } }
        try await Migrator().migrate(fresh)
        _ = try await SyncEngine(pool: fresh).run(.init(sources: [folder.path]))
        try await assertSameRows(pool, as: fresh, .current, "after the cut and the next sync vs a fresh database")
        let revised = try await pool.int("""
            SELECT count(*)::int AS n FROM current_amounts a JOIN programs p ON p.id = a.program_id
            WHERE p.name = 'AI・RPAによる業務改革事業' AND a.kind = 'settled' AND a.thousand_yen = 111111
            """)
        XCTAssertEqual(revised, 12, "the revision is in force in every office's document")

        // The same paths, first in the original version, then revised.
        try await Migrator().migrate(reference)
        try OfficeDocuments.write(count: 12, to: folder)
        _ = try await SyncEngine(pool: reference).run(.init(sources: [folder.path]))
        try OfficeDocuments.write(count: 12, to: folder, revised: true)
        _ = try await SyncEngine(pool: reference).run(.init(sources: [folder.path]))
        try await assertSameRows(pool, as: reference, .full, "after the cut and the next sync vs two clean syncs")
    }
}
