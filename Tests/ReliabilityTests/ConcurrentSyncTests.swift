import CrosswalkDaemon
import CrosswalkStore
import CrosswalkSync
import Foundation
import Logging
import Postgres
import TestSupport
import XCTest

/// Two daemons — one in this process, one the `crosswalk serve` binary — and the
/// `crosswalk sync` binary, all syncing one database at once, round after round while
/// the source folder changes. One sync at a time (the advisory lock), nothing written
/// twice, every run recorded with a terminal status, and the result row for row what one
/// clean sync per round gives.
final class ConcurrentSyncTests: XCTestCase {
    func testTwoDaemonsAndTheCLISyncOneDatabaseOneAtATime() async throws {
        var corpus = try await EvolvingCorpus(documents: 40, seed: 20_261_129)
        defer { corpus.remove() }
        _ = try corpus.advance(add: 12, revise: 0, takeDown: 0, restore: 0)
        let shared = try await ScratchDatabase.create("concurrent")
        let reference = try await ScratchDatabase.create("concurrentref")
        defer { Task { await shared.drop(); await reference.drop() } }

        // Daemon B, the binary: it migrates and syncs at start.
        let portB = try freeLoopbackPort()
        let daemonB = try Spawned.launch(try CrosswalkBinary.path(), [
            "serve", "--database", shared.conninfo, "--source", corpus.folder.path, "--port", "\(portB)",
            "--admin-token", "token-b", "--sync-interval", "0",
        ])
        defer { daemonB.kill(SIGKILL); _ = daemonB.poll(); daemonB.removeOutput() }
        _ = try await eventually("daemon B to finish its start-up sync", timeout: .seconds(300)) { () -> Bool? in
            guard daemonB.poll() == nil else { throw SpawnError("daemon B exited: \(daemonB.errors.suffix(2000))") }
            let ping = try? await ask(portB, "PING")
            guard ping?["result"] as? String == "PONG" else { return nil }
            let status = try await ask(portB, "SYNCSTATUS")
            return (status["runs"] as? [[String: Any]])?.first.map { $0["status"] as? String != "running" } == true ? true : nil
        }
        let startUp = try await CrosswalkBinary.sync(database: reference.conninfo, source: corpus.folder)
        XCTAssertEqual(startUp.status, "partial", startUp.errors)

        // Daemon A, in this process, on a pool of its own.
        let poolA = PostgresPool(conninfo: shared.conninfo, maxConnections: 4)
        var configuration = Daemon.Configuration(sources: [corpus.folder.path])
        configuration.server.port = 0
        configuration.server.adminToken = "token-a"
        configuration.syncInterval = nil
        configuration.sync.lockTimeout = .seconds(300)
        let daemonA = Daemon(configuration: configuration, pool: poolA, logger: Logger(label: "daemon-a"))
        let portA = try await daemonA.start()

        var syncsRun = 1
        for round in 1...4 {
            let change = try corpus.advance(add: 3, revise: 2, takeDown: 1, restore: round == 1 ? 0 : 1)
            // Rounds 1–3: the test holds the sync lock until all three are waiting for it,
            // so they contend for certain. Round 4: they just start together.
            let holder = round < 4 ? try await RowLockHolder(
                conninfo: shared.conninfo, lock: "SELECT pg_advisory_xact_lock(crosswalk_sync_lock_key())", []) : nil
            async let replyA = ask(portA, "SYNC", auth: "token-a")
            async let replyB = ask(portB, "SYNC", auth: "token-b")
            let cli = try CrosswalkBinary.launchSync(database: shared.conninfo, source: corpus.folder, extra: ["--lock-timeout", "300"])
            if let holder {
                _ = try await eventually("three syncs waiting for the lock") { () -> Bool? in
                    let waiting = try await shared.pool.int("""
                        SELECT count(*)::int AS n FROM pg_stat_activity
                        WHERE datname = current_database() AND query LIKE 'SELECT pg_try_advisory_lock%'
                        """)
                    return waiting >= 3 ? true : nil
                }
                await holder.end()
            }
            let ended = try await cli.wait(timeout: .seconds(600))
            let cliSummary = try? json(cli.output)
            XCTAssertEqual(ended, .exited(1), "round \(round): the CLI (1 = partial: the broken file); \(cli.errors.suffix(2000))")
            cli.removeOutput()
            let replies = [try await replyA, try await replyB, cliSummary ?? [:]]
            syncsRun += 3

            // The same round, cleanly, for reference.
            let clean = try await CrosswalkBinary.sync(database: reference.conninfo, source: corpus.folder)
            XCTAssertEqual(clean.status, "partial", clean.errors)

            // Each ran whole, one after another: one applied this round's change, the
            // others found everything unchanged.
            for reply in replies {
                XCTAssertEqual(reply["status"] as? String, "partial", "round \(round): \(reply)")
                XCTAssertEqual(reply["documents_rejected"] as? Int, 1, "round \(round): \(reply)")
            }
            XCTAssertEqual(replies.map { $0["documents_applied"] as? Int ?? -1 }.sorted(), [0, 0, clean.count("documents_applied")], "round \(round) (\(change)): \(replies)")
            XCTAssertEqual(replies.map { $0["documents_ended"] as? Int ?? -1 }.sorted(), [0, 0, clean.count("documents_ended")], "round \(round)")
            XCTAssertEqual(replies.compactMap { $0["run_id"] as? Int }.count, 3, "round \(round): three runs")
        }

        // Every run recorded, terminal, and no two overlapping.
        let runs = try await shared.pool.query("""
            SELECT id, status, trigger, started_at::text AS started, finished_at::text AS finished,
                   finished_at <= lead(started_at) OVER (ORDER BY started_at) AS before_next
            FROM sync_runs ORDER BY started_at
            """)
        XCTAssertEqual(runs.count, syncsRun, "one row per sync")
        for row in runs {
            let id = try row.decode("id", as: Int.self), status = try row.decode("status", as: String.self)
            XCTAssertTrue(["ok", "partial"].contains(status), "run \(id): \(status)")
            XCTAssertNotNil(try row.decodeIfPresent("finished", as: String.self), "run \(id)")
            if let beforeNext = try row.decodeIfPresent("before_next", as: Bool.self) {
                XCTAssertTrue(beforeNext, "run \(id) overlaps the next run")
            }
        }
        let triggers = try await shared.pool.strings("SELECT trigger AS s FROM sync_runs GROUP BY trigger ORDER BY trigger")
        XCTAssertEqual(triggers, ["cli", "command", "start"], "runs from both daemons and the CLI")

        // Nothing written twice: no change recorded twice, and the whole store is what
        // one clean sync per round wrote.
        let repeated = try await shared.pool.int("""
            SELECT count(*)::int AS n FROM (
                SELECT 1 FROM changes GROUP BY entity, action, document_id, listing_id, summary, old_value::text, new_value::text
                HAVING count(*) > 1) twice
            """)
        XCTAssertEqual(repeated, 0, "a change recorded twice")
        let (actual, _) = try await assertSameRows(shared.pool, as: reference.pool, .full, "the shared database vs one clean sync per round")
        print("concurrent syncs: \(syncsRun) runs on one database (2 daemons + CLI, 4 rounds), \(actual.rowCount) rows equal to the clean reference")

        // Daemon B stops cleanly on SIGTERM.
        daemonB.kill(SIGTERM)
        let stopped = try await daemonB.wait(timeout: .seconds(60))
        XCTAssertEqual(stopped, .exited(0), daemonB.errors.suffix(2000).description)
        await daemonA.shutdown()
        await poolA.shutdown()
    }
}
