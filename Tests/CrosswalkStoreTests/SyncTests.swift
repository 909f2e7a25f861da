import CrosswalkStore
import CrosswalkSync
import EvaluationTables
import Foundation
import Postgres
import TestSupport
import XCTest

final class SyncTests: XCTestCase {
    private func migratedPool(_ label: String = #function, _ body: (PostgresPool) async throws -> Void) async throws {
        try await TestDatabase.withPool(label) { pool, _ in
            try await Migrator().migrate(pool)
            try await body(pool)
        }
    }

    private static func sync(
        _ pool: PostgresPool, _ folders: [URL], dryRun: Bool = false, lockTimeout: Duration = .seconds(5),
        maxEndShare: Double = 0.5
    ) async throws -> SyncSummary {
        var options = SyncEngine.Options(sources: folders.map(\.path))
        options.dryRun = dryRun
        options.lockTimeout = lockTimeout
        options.maxEndShare = maxEndShare
        return try await SyncEngine(pool: pool).run(options)
    }

    func testSampleYieldsSixProgramsEightListingsThreePolicies() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }

            let summary = try await Self.sync(pool, [folder])
            XCTAssertEqual(summary.status, .ok)
            XCTAssertEqual(summary.documentsApplied, 1)
            XCTAssertEqual(summary.listingsAdded, 8)

            let programs = try await pool.count("SELECT count(*) AS n FROM programs")
            let listings = try await pool.count("SELECT count(*) AS n FROM current_listings")
            let policies = try await pool.count("SELECT count(*) AS n FROM policies")
            XCTAssertEqual(programs, 6)
            XCTAssertEqual(listings, 8)
            XCTAssertEqual(policies, 3)

            for (name, expected) in [("市職員のテレワーク推進", ["II-3-(2)-②", "II-3-(2)-④"]), ("KitaQ DX推進事業", ["II-3-(2)-②", "III-1-(3)-④"])] {
                let codes = try await pool.query("""
                    SELECT po.code FROM current_listings l JOIN programs p ON p.id = l.program_id JOIN policies po ON po.id = l.policy_id
                    WHERE p.name = $1 ORDER BY po.code_key
                    """, [name]).map { try $0.decode("code", as: String.self) }
                XCTAssertEqual(codes, expected, name)
            }
            // Amounts are stored once per program, however many policies list it.
            let amountRows = try await pool.count("SELECT count(*) AS n FROM amounts")
            XCTAssertEqual(amountRows, 6 * 4)
            let telework = try await pool.count("""
                SELECT a.thousand_yen AS n FROM amounts a JOIN programs p ON p.id = a.program_id
                WHERE p.name = '市職員のテレワーク推進' AND a.fiscal_year = 2023 AND a.kind = 'settled'
                """)
            XCTAssertEqual(telework, 90_976)
            // The program's SDG set is the union of its listings' goals.
            let kitaqGoals = try await pool.query("""
                SELECT array_agg(DISTINCT g.goal ORDER BY g.goal) AS goals FROM listing_goals g
                JOIN listings l ON l.id = g.listing_id JOIN programs p ON p.id = l.program_id WHERE p.name = 'KitaQ DX推進事業'
                """).first!.decode("goals", as: [Int].self)
            XCTAssertEqual(kitaqGoals, [11, 12, 16])
        }
    }

    func testSecondSyncReportsEverythingUnchangedAndWritesNothing() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try await Self.sync(pool, [folder])
            let changesBefore = try await pool.count("SELECT count(*) AS n FROM changes")
            let listingVersion = try await pool.count("SELECT sum(xmin::text::bigint) AS n FROM listings")

            let again = try await Self.sync(pool, [folder])
            XCTAssertEqual(again.status, .ok)
            XCTAssertEqual(again.documentsUnchanged, 1)
            XCTAssertEqual(again.documentsApplied, 0)
            XCTAssertEqual(again.listingsAdded + again.listingsChanged + again.listingsEnded, 0)
            let changesAfter = try await pool.count("SELECT count(*) AS n FROM changes")
            let listingVersionAfter = try await pool.count("SELECT sum(xmin::text::bigint) AS n FROM listings")
            XCTAssertEqual(changesBefore, changesAfter)
            XCTAssertEqual(listingVersion, listingVersionAfter, "listing rows were rewritten")
            let runs = try await pool.query("SELECT status, documents_unchanged FROM sync_runs ORDER BY id")
            XCTAssertEqual(runs.count, 2)
            XCTAssertEqual(try runs.rows[1].decode("documents_unchanged", as: Int.self), 1)
        }
    }

    func testRevisedDocumentUpdatesExactlyWhatChangedAndRecordsHistory() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try await Self.sync(pool, [folder])

            try Fixtures.write(try Fixtures.revisedSample(), to: folder, as: "digital_R5.txt")
            let summary = try await Self.sync(pool, [folder])
            XCTAssertEqual(summary.status, .ok, "\(summary.rejects)")
            XCTAssertEqual(summary.listingsAdded, 1)
            XCTAssertEqual(summary.listingsEnded, 1)
            XCTAssertEqual(summary.listingsChanged, 1)

            let history = try await pool.query("""
                SELECT action, summary, old_value, new_value FROM changes
                WHERE entity = 'listing' AND run_id = $1 ORDER BY action
                """, [summary.runId!])
            let actions = try history.map { try $0.decode("action", as: String.self) + " " + $0.decode("summary", as: String.self) }
            XCTAssertEqual(actions, [
                "added III-1-(3)-④ No.9 オープンデータ推進事業",
                "changed III-1-(3)-④ No.6 AI・RPAによる業務改革事業",
                "ended II-3-(2)-② No.3 ペーパーレス・オフィス改革推進事業",
            ])
            let changed = history.rows[1]
            XCTAssertTrue(try changed.decode("old_value", as: String.self).contains("110676"))
            XCTAssertTrue(try changed.decode("new_value", as: String.self).contains("111111"))

            let settled = try await pool.count("""
                SELECT a.thousand_yen AS n FROM current_amounts a JOIN programs p ON p.id = a.program_id
                WHERE p.name = 'AI・RPAによる業務改革事業' AND a.fiscal_year = 2023 AND a.kind = 'settled'
                """)
            XCTAssertEqual(settled, 111_111)
            // Ended, not erased: the row stays, current views no longer show it.
            let paper = try await pool.query("""
                SELECT l.ended_at IS NOT NULL AS ended FROM listings l JOIN programs p ON p.id = l.program_id
                WHERE p.name = 'ペーパーレス・オフィス改革推進事業'
                """)
            XCTAssertEqual(paper.count, 1)
            XCTAssertEqual(try paper.first!.decode("ended", as: Bool.self), true)
            let current = try await pool.count("SELECT count(*) AS n FROM current_listings")
            XCTAssertEqual(current, 8)
        }
    }

    func testRejectedDocumentAmongGoodOnesKeepsThePreviousVersion() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try Fixtures.write(try Fixtures.sampleText(), to: folder, as: "a/digital_R5.txt")
            let otherOffice = try Fixtures.sampleText().replacingOccurrences(of: "デジタル市役所推進室）", with: "総務局）")
                .replacingOccurrences(of: "DX推進課", with: "総務課").replacingOccurrences(of: "DX推 進課", with: "総務課")
            try Fixtures.write(otherOffice, to: folder, as: "b/soumu_R5.txt")
            let first = try await Self.sync(pool, [folder])
            XCTAssertEqual(first.documentsApplied, 2, "\(first.rejects)")

            // b/ is damaged; a/ stays good.
            try Fixtures.write("これは評価表ではありません\n", to: folder, as: "b/soumu_R5.txt")
            let summary = try await Self.sync(pool, [folder])
            XCTAssertEqual(summary.status, .partial)
            XCTAssertEqual(summary.documentsRejected, 1)
            XCTAssertEqual(summary.documentsUnchanged, 1)
            XCTAssertTrue(summary.rejects[0].reason.contains("soumu_R5.txt"), summary.rejects[0].reason)

            let reject = try await pool.query("SELECT source, line, reason FROM rejects WHERE run_id = $1", [summary.runId!])
            XCTAssertEqual(reject.count, 1)
            XCTAssertTrue(try reject.first!.decode("source", as: String.self).hasSuffix("b/soumu_R5.txt"))
            XCTAssertNotNil(try reject.first!.decodeIfPresent("line", as: Int.self))
            // The previous good version of b/ is still in force.
            let documents = try await pool.count("SELECT count(*) AS n FROM documents WHERE ended_at IS NULL")
            XCTAssertEqual(documents, 2)
        }
    }

    func testDeletedFileEndsItsDocumentAndListings() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try await Self.sync(pool, [folder])
            try FileManager.default.removeItem(at: folder.appendingPathComponent("digital_R5.txt"))

            // The folder's only document: removed on purpose, so the operator allows it.
            let summary = try await Self.sync(pool, [folder], maxEndShare: 1)
            XCTAssertEqual(summary.documentsEnded, 1)
            XCTAssertEqual(summary.listingsEnded, 8)
            let current = try await pool.count("SELECT count(*) AS n FROM current_listings")
            XCTAssertEqual(current, 0)
            let kept = try await pool.count("SELECT count(*) AS n FROM listings")
            XCTAssertEqual(kept, 8)
            let ended = try await pool.count("SELECT count(*) AS n FROM changes WHERE action = 'ended' AND run_id = $1", [summary.runId!])
            XCTAssertEqual(ended, 9)

            // Put back, it is current again.
            try Fixtures.write(try Fixtures.sampleText(), to: folder, as: "digital_R5.txt")
            let back = try await Self.sync(pool, [folder])
            XCTAssertEqual(back.documentsApplied, 1)
            let again = try await pool.count("SELECT count(*) AS n FROM current_listings")
            XCTAssertEqual(again, 8)
        }
    }

    /// A source given as a symlink to a folder is walked, and documents keep the link's path.
    func testSymlinkedSourceFolderIsFollowed() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            let link = folder.deletingLastPathComponent().appendingPathComponent("link-\(UUID().uuidString)")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: folder)
            defer {
                try? FileManager.default.removeItem(at: link)
                try? FileManager.default.removeItem(at: folder)
            }
            let summary = try await Self.sync(pool, [link])
            XCTAssertEqual(summary.documentsApplied, 1)
            let source = try await pool.query("SELECT source FROM documents").first!.decode("source", as: String.self)
            XCTAssertEqual(source, link.path + "/digital_R5.txt")
        }
    }

    func testSecondSyncWaitsForTheLockThenReportsBusy() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            // Another process holds the sync lock.
            try await pool.withConnection { holder in
                try await holder.query("SELECT pg_advisory_lock(crosswalk_sync_lock_key())")
                do {
                    _ = try await Self.sync(pool, [folder], lockTimeout: .milliseconds(300))
                    XCTFail("ran while another sync held the lock")
                } catch let error as SyncError {
                    XCTAssertTrue(error.description.contains("another sync is running"), error.description)
                }
                try await holder.query("SELECT pg_advisory_unlock(crosswalk_sync_lock_key())")
            }
            // Two at once: both finish, one after the other, every run recorded.
            async let first = Self.sync(pool, [folder])
            async let second = Self.sync(pool, [folder])
            let results = try await [first, second]
            XCTAssertEqual(results.map(\.documentsApplied).sorted(), [0, 1])
            XCTAssertEqual(results.map(\.documentsUnchanged).sorted(), [0, 1])
            let runs = try await pool.count("SELECT count(*) AS n FROM sync_runs WHERE status = 'ok'")
            XCTAssertEqual(runs, 2)
            let listings = try await pool.count("SELECT count(*) AS n FROM listings")
            XCTAssertEqual(listings, 8)
        }
    }

    func testDryRunReportsChangesAndWritesNothing() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            let preview = try await Self.sync(pool, [folder], dryRun: true)
            XCTAssertEqual(preview.status, .dryRun)
            XCTAssertEqual(preview.listingsAdded, 8)
            let tables = try await pool.count("""
                SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM listings) + (SELECT count(*) FROM sync_runs)
                     + (SELECT count(*) FROM changes) + (SELECT count(*) FROM programs) AS n
                """)
            XCTAssertEqual(tables, 0)
        }
    }

    func testBackendKilledMidDocumentLeavesPreviousVersionAndNextRunConverges() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try await Self.sync(pool, [folder])
            try Fixtures.write(try Fixtures.revisedSample(), to: folder, as: "digital_R5.txt")

            // A sync that dies in the middle of the revised document: its run row says
            // 'running', its transaction is cut off by the server.
            let victim = PostgresPool(conninfo: pool.conninfo, maxConnections: 1)
            let store = EvaluationStore()
            try await victim.withConnection { connection in
                let run = try await store.beginRun(connection, trigger: "cli", sources: [folder.path])
                try await connection.execute(script: "BEGIN")
                try await connection.query("UPDATE listings SET grade = 'half-applied' WHERE row_no = 1")
                let pid = try await connection.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int.self)
                try await pool.query("SELECT pg_terminate_backend($1)", [pid])
                XCTAssertGreaterThan(run, 0)
            }
            await victim.shutdown()
            let halfApplied = try await pool.count("SELECT count(*) AS n FROM listings WHERE grade = 'half-applied'")
            XCTAssertEqual(halfApplied, 0)

            let next = try await Self.sync(pool, [folder])
            XCTAssertEqual(next.status, .ok)
            XCTAssertEqual(next.listingsChanged, 1)
            let abandoned = try await pool.count("SELECT count(*) AS n FROM sync_runs WHERE status = 'abandoned'")
            XCTAssertEqual(abandoned, 1)
        }
    }

    func testMissingSourceFolderIsAClearError() async throws {
        try await migratedPool { pool in
            do {
                _ = try await Self.sync(pool, [URL(fileURLWithPath: "/nonexistent/crosswalk-docs")])
                XCTFail("synced a folder that does not exist")
            } catch let error as SyncError {
                XCTAssertTrue(error.description.contains("/nonexistent/crosswalk-docs"), error.description)
            }
        }
    }
}

extension SyncTests {
    /// A FIFO among the documents would block `open` until a writer came, holding the sync
    /// lock: it is refused at once, by name, and the rest is applied.
    func testAFIFOInASourceFolderIsRefusedWithoutWaiting() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            let pipe = folder.appendingPathComponent("pipe.txt").path
            XCTAssertEqual(mkfifo(pipe, 0o644), 0)
            let started = ContinuousClock.now
            let summary = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [folder.path]))
            XCTAssertLessThan(started.duration(to: .now), .seconds(20), "the sync did not wait on the FIFO")
            XCTAssertEqual(summary.documentsApplied, 1)
            XCTAssertEqual(summary.documentsRejected, 1)
            XCTAssertTrue(summary.rejects.first?.reason.contains("pipe.txt: not a regular file") ?? false, "\(summary.rejects)")
        }
    }
}

extension SyncTests {
    /// A document read by older reading rules is read again though its bytes did not change,
    /// so a program an older reader filed under a wrong key (a phantom) is filed rightly.
    func testDocumentsReadByOlderRulesAreReadAgainAndFiledRightly() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            let engine = SyncEngine(pool: pool)
            _ = try await engine.run(SyncEngine.Options(sources: [folder.path]))
            // As an older reader might have left it: one program under a key with a leftover
            // marker, read by rules version 1.
            try await pool.query("UPDATE programs SET identity_key = '（再 掲）' || identity_key WHERE name = 'KitaQ DX推進事業'")
            try await pool.query("UPDATE documents SET reader_version = 1")

            let again = try await engine.run(SyncEngine.Options(sources: [folder.path]))
            XCTAssertEqual(again.documentsUnchanged, 0)
            XCTAssertEqual(again.documentsApplied, 1, "read again by today's rules")
            let phantom = try await pool.count("""
                SELECT count(*) AS n FROM current_listings l JOIN programs p ON p.id = l.program_id
                WHERE p.identity_key LIKE '（再 掲）%'
                """)
            XCTAssertEqual(phantom, 0, "no current listing stays under the older key")
            let current = try await pool.count("SELECT count(DISTINCT program_id) AS n FROM current_listings")
            XCTAssertEqual(current, 6)
            let version = try await pool.count("SELECT min(reader_version) AS n FROM documents")
            XCTAssertEqual(version, ReaderRules.version)

            let settled = try await engine.run(SyncEngine.Options(sources: [folder.path]))
            XCTAssertEqual(settled.documentsUnchanged, 1)
        }
    }
}

extension SyncTests {
    /// A matching file whose name is not UTF-8 cannot be stored under its name: it is
    /// rejected visibly, its bytes shown escaped, instead of skipped without a word.
    func testAFileNameThatIsNotUTF8IsRejectedVisibly() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            let name = Array(folder.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".txt".utf8) + [0]
            let descriptor = name.withUnsafeBufferPointer {
                $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
            }
            XCTAssertGreaterThanOrEqual(descriptor, 0)
            XCTAssertEqual(write(descriptor, "x\n", 2), 2)
            close(descriptor)

            let summary = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [folder.path]))
            XCTAssertEqual(summary.status, .partial)
            XCTAssertEqual(summary.documentsSeen, 2)
            XCTAssertEqual(summary.documentsApplied, 1)
            XCTAssertEqual(summary.documentsRejected, 1)
            let shown = folder.path + "/caf\\xE9.txt"
            XCTAssertEqual(summary.rejects.first?.source, shown)
            XCTAssertTrue(summary.rejects.first?.reason.contains("not valid UTF-8") == true, "\(summary.rejects)")
            let recorded = try await pool.query("SELECT source FROM rejects WHERE run_id = $1", [summary.runId!])
            XCTAssertEqual(try recorded.map { try $0.decode("source", as: String.self) }, [shown])
        }
    }

    /// A document that ends inside a row (a torn write: the file was being written) is not
    /// applied in that run, though the part read holds a change; the version in force stays.
    /// Written whole, the next sync applies it.
    func testADocumentCutInsideItsLastRowIsNotAppliedThatRun() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try await Self.sync(pool, [folder])
            let revised = try Fixtures.revisedSample()
            let cutAt = try XCTUnwrap(revised.range(of: "9\t⑰\t")).upperBound
            try Fixtures.write(String(revised[..<cutAt]), to: folder, as: "digital_R5.txt")

            let torn = try await Self.sync(pool, [folder])
            XCTAssertEqual(torn.status, .partial)
            XCTAssertEqual(torn.documentsApplied, 0)
            XCTAssertEqual(torn.documentsRejected, 1)
            XCTAssertEqual(torn.listingsChanged, 0)
            let reject = try XCTUnwrap(torn.rejects.first)
            XCTAssertNotNil(reject.line)
            XCTAssertTrue(reject.reason.contains("ends inside this row") && reject.reason.contains("not applied in this run"), reject.reason)
            let settled = try await pool.count("""
                SELECT count(*) AS n FROM current_amounts WHERE kind = 'settled' AND thousand_yen = 110676
                """)
            XCTAssertGreaterThan(settled, 0, "the version in force is kept")

            try Fixtures.write(revised, to: folder, as: "digital_R5.txt")
            let whole = try await Self.sync(pool, [folder])
            XCTAssertEqual(whole.status, .ok)
            XCTAssertEqual(whole.documentsApplied, 1)
            XCTAssertGreaterThan(whole.listingsChanged, 0)
        }
    }
}
