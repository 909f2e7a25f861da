import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// What the source folders can do to a sync from outside: folders and files it may not
/// read, a sync that runs past its deadline, a sync killed after committing part of its
/// work. Each ends as a visible reject or a failed run that says what it wrote, and keeps
/// what the database held.
final class SourceFaultTests: XCTestCase {
    /// Run as a user that permissions apply to (`crosswalk sync` through runuser when the
    /// test is root): a folder and a file it cannot read are rejected by name with the
    /// reason, and the documents they held stay in force (3 of 6 gone is within max-end,
    /// so before this was fixed they were silently ended). Readable again, all is unchanged.
    func testAnUnreadableFolderOrFileIsRejectedAndWhatItHeldIsKept() async throws {
        try XCTSkipIf(getuid() == 0 && getpwnam(CrosswalkBinary.unprivilegedUser) == nil,
                      "no user \(CrosswalkBinary.unprivilegedUser) to run the sync as (the test cluster creates it when started as root)")
        let database = try await ScratchDatabase.create("unreadable")
        let folder = try temporaryFolder("unreadable-src")
        let readable = folder.appendingPathComponent("open"), closed = folder.appendingPathComponent("closed")
        let blocked = readable.appendingPathComponent(OfficeDocuments.name(2))
        defer {
            chmod(closed.path, 0o755)
            chmod(blocked.path, 0o644)
            try? FileManager.default.removeItem(at: folder)
        }
        try FileManager.default.createDirectory(at: readable, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: closed, withIntermediateDirectories: true)
        try OfficeDocuments.write(count: 6, to: readable)
        for office in 4...6 {
            try FileManager.default.moveItem(
                at: readable.appendingPathComponent(OfficeDocuments.name(office)), to: closed.appendingPathComponent(OfficeDocuments.name(office)))
        }
        let first = try await CrosswalkBinary.syncAsUnprivilegedUser(database: database.conninfo, source: folder)
        XCTAssertEqual(first.termination, .exited(0), first.errors)
        XCTAssertEqual(first.count("documents_applied"), 6)
        let listings = try await database.pool.int("SELECT count(*)::int AS n FROM current_listings")

        XCTAssertEqual(chmod(closed.path, 0o000), 0)
        XCTAssertEqual(chmod(blocked.path, 0o000), 0)
        let cut = try await CrosswalkBinary.syncAsUnprivilegedUser(database: database.conninfo, source: folder)
        XCTAssertEqual(cut.termination, .exited(1), "exit 1: some rejected; \(cut.errors)")
        XCTAssertEqual(cut.status, "partial")
        XCTAssertEqual(cut.count("documents_rejected"), 2, "\(cut.summary ?? [:])")
        XCTAssertEqual(cut.count("documents_ended"), 0, "nothing an unreadable folder or file held is ended")
        XCTAssertEqual(cut.count("documents_unchanged"), 2)
        let reasons = (cut.summary?["rejects"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        XCTAssertTrue(reasons.contains { $0.hasPrefix(closed.path + ": cannot open the folder: Permission denied") }, "\(reasons)")
        XCTAssertTrue(reasons.contains { $0.hasPrefix(blocked.path + ": cannot open the file: Permission denied") }, "\(reasons)")
        let recorded = try await database.pool.strings("SELECT source AS s FROM rejects ORDER BY source")
        XCTAssertEqual(recorded, [blocked.path, closed.path].sorted())
        let current = try await database.pool.int("SELECT count(*)::int AS n FROM documents WHERE ended_at IS NULL")
        XCTAssertEqual(current, 6)
        let listingsAfter = try await database.pool.int("SELECT count(*)::int AS n FROM current_listings")
        XCTAssertEqual(listingsAfter, listings)

        chmod(closed.path, 0o755)
        chmod(blocked.path, 0o644)
        let back = try await CrosswalkBinary.syncAsUnprivilegedUser(database: database.conninfo, source: folder)
        XCTAssertEqual(back.termination, .exited(0), back.errors)
        XCTAssertEqual(back.count("documents_unchanged"), 6)
        XCTAssertEqual(back.count("documents_ended"), 0)
        await database.drop()
    }

    /// A sync held up past its deadline (here waiting on a row lock another session holds)
    /// has its statement cancelled: it fails with the deadline as its reason, its row says
    /// `failed` with the two groups it committed, and the sync lock is free at once.
    func testASyncPastItsDeadlineFailsIsRecordedAndLetsTheLockGo() async throws {
        try await TestDatabase.withPool(maxConnections: 4) { pool, conninfo in
            try await Migrator().migrate(pool)
            let folder = try temporaryFolder("deadline-src")
            defer { try? FileManager.default.removeItem(at: folder) }
            let (engine, held, holder) = try await revisedSyncHeldAtDocument8(pool: pool, conninfo: conninfo, folder: folder)
            var options = held
            options.deadline = .seconds(3)
            let cut = try await engine.run(options)
            XCTAssertEqual(cut.status, .failed)
            XCTAssertTrue(cut.error?.contains("deadline") == true, cut.error ?? "no error")
            XCTAssertEqual(cut.documentsApplied, 6, "the two groups committed before the wait")
            let row = try await pool.query("SELECT status, documents_applied, error FROM sync_runs WHERE id = $1", [cut.runId!]).first!
            XCTAssertEqual(try row.decode("status", as: String.self), "failed")
            XCTAssertEqual(try row.decode("documents_applied", as: Int.self), 6)
            XCTAssertTrue((try row.decodeIfPresent("error", as: String.self) ?? "").contains("sync-deadline"))
            let locked = try await pool.query("SELECT crosswalk_sync_running() AS running").first!.decode("running", as: Bool.self)
            XCTAssertFalse(locked, "the sync lock is let go")
            await holder.end()

            options.deadline = nil
            options.lockTimeout = .zero
            let next = try await engine.run(options)
            XCTAssertEqual(next.status, .ok)
            XCTAssertEqual(next.documentsApplied, 6)
            let statuses = try await pool.strings("SELECT status AS s FROM sync_runs ORDER BY id")
            XCTAssertEqual(statuses, ["ok", "failed", "ok"])
        }
    }

    /// `crosswalk sync` SIGKILLed after its first 200-document group committed, while it
    /// waits inside the second: the run is marked abandoned by the next sync and its row
    /// counts the 200 documents it committed (they point at it), not 0.
    func testARunKilledAfterACommitShowsWhatItCommitted() async throws {
        let database = try await ScratchDatabase.create("killedcounts")
        let folder = try temporaryFolder("killed-src")
        defer { try? FileManager.default.removeItem(at: folder) }
        let count = 210
        try OfficeDocuments.write(count: count, to: folder)
        let first = try await CrosswalkBinary.sync(database: database.conninfo, source: folder)
        XCTAssertEqual(first.count("documents_applied"), count, first.errors)
        try OfficeDocuments.write(count: count, to: folder, revised: true)

        // The sync reads in name order: the 206th name waits while 200 are committed.
        let order = (1...count).map(OfficeDocuments.name).sorted()
        let holder = try await RowLockHolder(
            conninfo: database.conninfo, lock: "SELECT 1 FROM documents WHERE source = $1 FOR UPDATE",
            [folder.appendingPathComponent(order[205]).path])
        let child = try CrosswalkBinary.launchSync(database: database.conninfo, source: folder)
        _ = try await eventually("the sync to wait at the 206th document") { try await backendsWaitingForALock(database.pool).first }
        let killedRun = try await database.pool.int("SELECT max(id)::int AS n FROM sync_runs")
        child.kill(SIGKILL)
        _ = try await child.wait(timeout: .seconds(60))
        child.removeOutput()
        await holder.end()

        let next = try await CrosswalkBinary.sync(database: database.conninfo, source: folder)
        XCTAssertEqual(next.termination, .exited(0), next.errors)
        XCTAssertEqual(next.count("documents_applied"), count - 200)
        let row = try await database.pool.query("SELECT status, documents_applied FROM sync_runs WHERE id = $1", [killedRun]).first!
        XCTAssertEqual(try row.decode("status", as: String.self), "abandoned")
        XCTAssertEqual(try row.decode("documents_applied", as: Int.self), 200, "the killed run's row counts what it committed")
        let pointing = try await database.pool.int("SELECT count(*)::int AS n FROM documents WHERE run_id = $1", [killedRun])
        XCTAssertEqual(pointing, 200)
        await database.drop()
    }
}
