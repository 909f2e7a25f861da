import CrosswalkAnalytics
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// Databases migrated by earlier releases keep starting (Upgrade/README.md says how each
/// dump was made).
final class UpgradeTests: XCTestCase {
    static let release1 = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Upgrade/release-1.dump")
    /// The folder release 1 synced the sample from (document names are absolute paths).
    static let release1Source = "/tmp/crosswalk-release-1"

    func testADatabaseMigratedByRelease1StartsKeepsItsDataAndGetsTodaysFunctions() async throws {
        try await TestDatabase.withPool { pool, conninfo in
            try Self.restore(Self.release1, into: conninfo)
            let recordedBefore = try await pool.count("SELECT count(*) AS n FROM crosswalk_migrations")

            let outcome = try await Migrator().migrate(pool)
            let release1Migrations = 5
            XCTAssertEqual(recordedBefore, release1Migrations)
            XCTAssertEqual(outcome.alreadyApplied, release1Migrations, "release 1's migrations must not run again")
            XCTAssertEqual(outcome.applied, Migration.embedded.filter { $0.version > release1Migrations }.map(\.name))
            XCTAssertEqual(outcome.definitionsApplied, Definition.embedded.map(\.name))

            // Today's texts are recorded now: the next start has nothing to do.
            let again = try await Migrator().migrate(pool)
            XCTAssertEqual(again.applied, [])
            XCTAssertEqual(again.definitionsApplied, [])
            // Today's functions are in place, the data is as release 1 left it.
            let lockKey = try await pool.count("SELECT crosswalk_sync_lock_key() AS n")
            XCTAssertEqual(lockKey, 0x4357_5359_4E43)
            let listings = try await pool.count("SELECT count(*) AS n FROM current_listings")
            XCTAssertEqual(listings, 8)
            let programsOptions = try await pool.query("SELECT reloptions::text AS o FROM pg_class WHERE relname = 'programs'")
            XCTAssertEqual(try programsOptions.first?.decode("o", as: String.self), "{fillfactor=50}", "0010 leaves room for yearly updates")

            // The answers equal those of a database made today from the same document.
            let upgraded = Analytics(pool: pool)
            try await TestDatabase.withPool("fresh") { fresh, _ in
                try await Migrator().migrate(fresh)
                let folder = try Fixtures.folderWithSample()
                defer { try? FileManager.default.removeItem(at: folder) }
                _ = try await SyncEngine(pool: fresh).run(SyncEngine.Options(sources: [folder.path]))
                let today = Analytics(pool: fresh)
                for mode in Analytics.Mode.allCases {
                    let a = try await upgraded.sdgReport(fiscalYear: 2023, mode: mode).text
                    let b = try await today.sdgReport(fiscalYear: 2023, mode: mode).text
                    XCTAssertEqual(a, b, "SDG report (\(mode))")
                }
                let duplicates = try await (upgraded.duplicates(fiscalYear: 2023).text, today.duplicates(fiscalYear: 2023).text)
                XCTAssertEqual(duplicates.0, duplicates.1)
                let indicators = try await (upgraded.indicatorProgress(fiscalYear: 2023), today.indicatorProgress(fiscalYear: 2023))
                XCTAssertEqual(indicators.0, indicators.1)
            }

            // And a sync writes through today's functions: the revised sample, where release 1
            // read the sample, changes one amount, drops a program and adds one.
            let folder = URL(fileURLWithPath: Self.release1Source)
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try Fixtures.write(try Fixtures.revisedSample(), to: folder, as: "digital_R5.txt")
            let summary = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [folder.path]))
            XCTAssertEqual(summary.status, .ok)
            XCTAssertEqual(summary.documentsApplied, 1)
            XCTAssertEqual(summary.documentsEnded, 0)
            XCTAssertEqual(summary.listingsAdded, 1)
            XCTAssertEqual(summary.listingsEnded, 1)
            XCTAssertEqual(summary.listingsChanged, 1, "only the listing whose amount changed; release 1's snapshots still compare")
            let history = try await pool.count("SELECT count(*) AS n FROM changes WHERE run_id = $1", [summary.runId])
            XCTAssertGreaterThan(history, 2, "the change history records what the sync changed")
        }
    }

    /// `pg_restore` of the PostgreSQL installation the test cluster runs on.
    static func restore(_ dump: URL, into conninfo: String) throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let candidates = versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin/pg_restore" }
            + ["/usr/bin/pg_restore", "/usr/local/bin/pg_restore"]
        let tool = try XCTUnwrap(candidates.first { FileManager.default.isExecutableFile(atPath: $0) }, "pg_restore not found")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--no-owner", "--no-privileges", "--exit-on-error", "-d", conninfo, dump.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "pg_restore: \(message)")
    }
}
