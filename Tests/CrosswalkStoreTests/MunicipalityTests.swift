import CrosswalkAnalytics
import CrosswalkModel
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// Several municipalities in one store: each declared by `source.conf`, kept apart, each
/// with its own exact figures, and totals over all of them the sum of each.
final class MunicipalityTests: XCTestCase {
    private func migratedPool(_ label: String = #function, _ body: (PostgresPool) async throws -> Void) async throws {
        try await TestDatabase.withPool(label) { pool, _ in
            try await Migrator().migrate(pool)
            try await body(pool)
        }
    }

    private static func sync(_ pool: PostgresPool, _ folders: [URL], maxEndShare: Double = 0.5) async throws -> SyncSummary {
        var options = SyncEngine.Options(sources: folders.map(\.path))
        options.maxEndShare = maxEndShare
        return try await SyncEngine(pool: pool).run(options)
    }

    private static func declare(_ folder: URL, _ text: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent("source.conf"))
    }

    private static func object(_ answer: PostgresJSON) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any])
    }

    private static func int(_ object: [String: Any], _ key: String) -> Int? { (object[key] as? NSNumber)?.intValue }

    /// Two cities publishing the same document: same bureau, program names and policy codes.
    func testTwoMunicipalitiesWithTheSameDocumentAreKeptApartEachWithItsOwnFigures() async throws {
        try await migratedPool { pool in
            let root = try Fixtures.folder()
            defer { try? FileManager.default.removeItem(at: root) }
            for (city, code) in [("kitakyushu", "401005"), ("fukuoka", "401307")] {
                let folder = root.appendingPathComponent(city)
                try Fixtures.write(try Fixtures.sampleText(), to: folder, as: "digital_R5.txt")
                try Self.declare(folder, "municipality = \(city == "kitakyushu" ? "北九州市" : "福岡市")\nmunicipality-code = \(code)\n")
            }
            let summary = try await Self.sync(pool, [root])
            XCTAssertEqual(summary.status, .ok, "\(summary.rejects)")
            XCTAssertEqual(summary.documentsApplied, 2)
            let rows = try await (
                pool.count("SELECT count(*) AS n FROM programs"), pool.count("SELECT count(*) AS n FROM policies"),
                pool.count("SELECT count(*) AS n FROM organizations"))
            XCTAssertEqual(rows.0, 12, "six programs in each city")
            XCTAssertEqual(rows.1, 6, "three policies in each city")
            XCTAssertEqual(rows.2, 2, "one bureau in each city")

            let analytics = Analytics(pool: pool)
            for city in ["北九州市", "401307"] {
                let duplicates = try Self.object(try await analytics.duplicates(fiscalYear: 2023, municipality: city))
                XCTAssertEqual(Self.int(duplicates, "naive_per_policy_total"), 385_588, city)
                XCTAssertEqual(Self.int(duplicates, "deduplicated_total"), 290_665, city)
                XCTAssertEqual(Self.int(duplicates, "double_counted"), 94_923, city)
                XCTAssertEqual((duplicates["municipalities"] as? [String])?.count, 1)
            }
            let all = try Self.object(try await analytics.duplicates(fiscalYear: 2023))
            XCTAssertEqual(Self.int(all, "deduplicated_total"), 2 * 290_665)
            XCTAssertEqual(Self.int(all, "double_counted"), 2 * 94_923)
            XCTAssertEqual(all["municipalities"] as? [String], ["北九州市", "福岡市"])
            XCTAssertNil(all["municipality"] as? String)

            // What the store holds, by municipality.
            let held = try Self.object(try await analytics.municipalities())["municipalities"] as? [[String: Any]] ?? []
            XCTAssertEqual(held.map { $0["name"] as? String }, ["北九州市", "福岡市"])
            XCTAssertEqual(held.map { $0["code"] as? String }, ["401005", "401307"])
            XCTAssertEqual(held.map { Self.int($0, "programs") }, [6, 6])
            XCTAssertEqual(held.first?["organizations"] as? [String], ["デジタル市役所推進室"])

            // Reports say which municipalities they cover.
            let one = try await analytics.report(ReportRequest(kind: .sdg, fiscalYear: 2023, municipality: "北九州市"))
            XCTAssertTrue(one.rendered(as: .md).contains("- **自治体**: 北九州市\n"), one.rendered(as: .md))
            let both = try await analytics.report(ReportRequest(kind: .duplicates, fiscalYear: 2023))
            XCTAssertTrue(both.rendered(as: .md).contains("すべて（北九州市、福岡市）"))

            // A policy code both cities use needs the municipality; with it, it is that city's.
            do {
                _ = try await analytics.policy(code: "II-3-(2)-②")
                XCTFail("an ambiguous policy code was answered")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, "22023")
                XCTAssertTrue(error.message.contains("2 municipalities"), error.message)
            }
            let fukuokaPolicy = try await analytics.policy(code: "II-3-(2)-②", municipality: "福岡市")
            let policy = try Self.object(try XCTUnwrap(fukuokaPolicy))
            XCTAssertEqual(policy["municipality"] as? String, "福岡市")

            // Unknown municipalities are "nothing there" errors (NOTFOUND) that list the known ones.
            do {
                _ = try await analytics.sdgReport(fiscalYear: 2023, municipality: "大阪市")
                XCTFail("an unknown municipality was answered")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, Analytics.notFoundState)
                XCTAssertTrue(error.message.contains("北九州市 (401005), 福岡市 (401307)"), error.message)
            }
        }
    }

    /// Totals exact at scale: generated documents filed under three municipalities (two
    /// with the very same documents) give, per municipality, exactly what the same
    /// documents give alone in a store of their own, and over all, the sum.
    func testGeneratedCorporaPerMunicipalityMatchTheirOwnStoresAndAddUp() async throws {
        let work = try Fixtures.folder()
        defer { try? FileManager.default.removeItem(at: work) }
        let first = try Self.generate(into: work.appendingPathComponent("gen7"), seed: 7)
        let second = try Self.generate(into: work.appendingPathComponent("gen8"), seed: 8)
        let shared = work.appendingPathComponent("shared")
        for (name, generated, declaration) in [
            ("a", first, "municipality = 甲市\n"), ("b", first, "municipality = 乙町\nmunicipality-code = 123455\n"),
            ("c", second, "municipality = 丙村\n"),
        ] {
            let folder = shared.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: generated, to: folder)
            try Self.declare(folder, declaration)
        }
        let kinds: [AmountKind] = [.settled, .budget]
        try await migratedPool { pool in
            let summary = try await Self.sync(pool, [shared])
            let analytics = Analytics(pool: pool)
            let years = try await pool.query("SELECT DISTINCT fiscal_year FROM documents ORDER BY 1").map { try $0.decode("fiscal_year", as: Int.self) }
            XCTAssertGreaterThan(years.count, 1)
            // The truth for each generated corpus: synced alone, with no municipality.
            var alone: [String: [String: Int]] = [:]
            var applied: [String: Int] = [:]
            for (label, generated) in [("first", first), ("second", second)] {
                try await TestDatabase.withPool("alone\(label)") { single, _ in
                    try await Migrator().migrate(single)
                    applied[label] = try await Self.sync(single, [generated]).documentsApplied
                    alone[label] = try await Self.figures(Analytics(pool: single), years: years, kinds: kinds, municipality: nil)
                }
            }
            XCTAssertEqual(summary.documentsApplied, 2 * applied["first"]! + applied["second"]!, "no document refused because of another municipality's")
            let a = try await Self.figures(analytics, years: years, kinds: kinds, municipality: "甲市")
            let b = try await Self.figures(analytics, years: years, kinds: kinds, municipality: "123455")
            let c = try await Self.figures(analytics, years: years, kinds: kinds, municipality: "丙村")
            let all = try await Self.figures(analytics, years: years, kinds: kinds, municipality: nil)
            XCTAssertEqual(a, alone["first"], "甲市 equals its documents alone")
            XCTAssertEqual(b, alone["first"], "乙町 equals its documents alone")
            XCTAssertEqual(c, alone["second"], "丙村 equals its documents alone")
            XCTAssertFalse(a.isEmpty)
            for (key, total) in all {
                // A year a municipality has no listings for is NOTFOUND for it: it adds nothing.
                XCTAssertEqual(total, (a[key] ?? 0) + (b[key] ?? 0) + (c[key] ?? 0), "\(key): all municipalities = the sum of each")
            }
            XCTAssertGreaterThan(summary.documentsApplied, 30)
            XCTAssertEqual(summary.documentsRejected, 0, "\(summary.rejects.prefix(3))")
        }
    }

    /// Deduplicated totals, double counting, program counts and per-goal amounts, by year and
    /// kind; a year without listings (NOTFOUND) has no figures.
    private static func figures(_ analytics: Analytics, years: [Int], kinds: [AmountKind], municipality: String?) async throws -> [String: Int] {
        var figures: [String: Int] = [:]
        for year in years {
            do {
                try await analytics.checkScope(fiscalYear: year, municipality: municipality)
            } catch let error as PostgresError where error.sqlState == Analytics.notFoundState {
                continue
            }
            for kind in kinds {
                let duplicates = try object(try await analytics.duplicates(fiscalYear: year, amount: kind, municipality: municipality))
                for key in ["naive_per_policy_total", "deduplicated_total", "double_counted"] {
                    figures["\(year) \(kind) \(key)"] = int(duplicates, key)
                }
                let report = try object(try await analytics.sdgReport(fiscalYear: year, amount: kind, municipality: municipality))
                figures["\(year) \(kind) programs"] = int(report, "programs")
                for goal in report["goals"] as? [[String: Any]] ?? [] {
                    figures["\(year) \(kind) goal \(int(goal, "goal")!)"] = int(goal, "thousand_yen")
                    figures["\(year) \(kind) goal \(int(goal, "goal")!) programs"] = int(goal, "programs")
                }
            }
        }
        return figures
    }

    /// generate.py's documents (folders of up to 1,000) in `folder`.
    private static func generate(into folder: URL, seed: Int) throws -> URL {
        let script = Fixtures.sampleURL.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/corpus/generate.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--out", folder.path, "--listings", "1200", "--seed", "\(seed)", "--quiet", "--force"]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "generate.py")
        return folder.appendingPathComponent("docs")
    }

    /// Declaring a municipality for a folder already synced re-files its documents, bytes unchanged.
    func testDeclaringAMunicipalityLaterRefilesUnchangedDocuments() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try await Self.sync(pool, [folder])
            try Self.declare(folder, "municipality = 北九州市\n")
            let summary = try await Self.sync(pool, [folder])
            XCTAssertEqual(summary.documentsApplied, 1)
            XCTAssertEqual(summary.documentsUnchanged, 0)
            let filed = try await pool.count("""
                SELECT count(*) AS n FROM current_listings l JOIN programs p ON p.id = l.program_id
                JOIN municipalities m ON m.id = p.municipality_id WHERE m.name = '北九州市'
                """)
            XCTAssertEqual(filed, 8)
            let again = try await Self.sync(pool, [folder])
            XCTAssertEqual(again.documentsUnchanged, 1)
        }
    }

    /// A malformed source.conf rejects the documents under it with file:line and ends nothing.
    func testABadSourceConfRejectsItsDocumentsAndKeepsWhatTheyHeld() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.declare(folder, "municipality = 北九州市\n")
            _ = try await Self.sync(pool, [folder])
            for (text, expected) in [
                ("municipality = 北九州市\nmunicipality-code = 4010\n", "source.conf:2: municipality-code must be the six-digit"),
                ("municipalty = 北九州市\n", "source.conf:1: unknown key 'municipalty'"),
                ("municipality 北九州市\n", "source.conf:1: expected 'key = value'"),
            ] {
                try Self.declare(folder, text)
                let summary = try await Self.sync(pool, [folder])
                XCTAssertEqual(summary.status, .partial)
                XCTAssertEqual(summary.documentsRejected, 1)
                XCTAssertEqual(summary.documentsEnded, 0)
                XCTAssertTrue(summary.rejects.first?.reason.contains(expected) ?? false, "\(summary.rejects)")
                let current = try await pool.count("SELECT count(*) AS n FROM current_listings")
                XCTAssertEqual(current, 8, "the stored version stays in force")
            }
        }
    }

    /// A folder that suddenly holds none of its documents (an unmounted share) ends nothing.
    func testASourceThatLostMostOfItsDocumentsFailsAndChangesNothing() async throws {
        try await migratedPool { pool in
            let folder = try Fixtures.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let sample = try Fixtures.sampleText()
            // Three years of the same office: three documents that do not overlap.
            for (office, year) in [("a", 3), ("b", 4), ("c", 5)] {
                try Fixtures.write(sample.replacingOccurrences(of: "令和5年度 行政評価", with: "令和\(year)年度 行政評価"), to: folder, as: "\(office).txt")
            }
            let first = try await Self.sync(pool, [folder])
            XCTAssertEqual(first.documentsApplied, 3)
            let changesBefore = try await pool.count("SELECT count(*) AS n FROM changes")

            for office in ["a", "b"] { try FileManager.default.removeItem(at: folder.appendingPathComponent("\(office).txt")) }
            let refused = try await Self.sync(pool, [folder])
            XCTAssertEqual(refused.status, .failed)
            XCTAssertEqual(refused.documentsEnded, 0)
            XCTAssertTrue(refused.error?.contains("2 of the 3 documents it held are gone") ?? false, refused.error ?? "no error")
            XCTAssertTrue(refused.error?.contains("--max-end 100%") ?? false, refused.error ?? "no error")
            let changesAfter = try await pool.count("SELECT count(*) AS n FROM changes")
            XCTAssertEqual(changesAfter, changesBefore, "nothing was changed")
            let status = try await pool.query("SELECT status, error FROM sync_runs WHERE id = $1", [refused.runId!]).first!
            XCTAssertEqual(try status.decode("status", as: String.self), "failed")

            // Told to (max-end 100%), a sync ends whatever is gone.
            try FileManager.default.removeItem(at: folder.appendingPathComponent("c.txt"))
            let allowed = try await Self.sync(pool, [folder], maxEndShare: 1)
            XCTAssertEqual(allowed.status, .ok)
            XCTAssertEqual(allowed.documentsEnded, 3)
        }
    }
}
