import CrosswalkAnalytics
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// The analytics on the bundled sample, against figures computed by hand from the
/// document (FY2023, thousand yen), and on crafted variants of it.
final class AnalyticsTests: XCTestCase {
    /// Settled FY2023 amounts and goal sets of the sample's six programs:
    /// KitaQ DX 3,947 {11,12,16}; テレワーク 90,976 {5,8,10}; ペーパーレス 20,520 {11,16};
    /// AI・RPA 110,676 {13}; デジタルデバイド 53,806 {17}; 手続きオンライン化 10,740 {17}.
    static let deduplicatedTotal = 290_665
    /// Per-policy sums: II-3-(2)-② 115,443 + II-3-(2)-④ 90,976 + III-1-(3)-④ 179,169.
    static let naiveTotal = 385_588

    private func withSample(_ text: String? = nil, _ label: String = #function, _ body: (Analytics, PostgresPool) async throws -> Void) async throws {
        try await TestDatabase.withPool(label) { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try Fixtures.write(try text ?? Fixtures.sampleText(), to: folder, as: "digital_R5.txt")
            let summary = try await SyncEngine(pool: pool).run(.init(sources: [folder.path]))
            XCTAssertEqual(summary.documentsApplied, 1, "\(summary.rejects)")
            try await body(Analytics(pool: pool), pool)
        }
    }

    private func object(_ json: PostgresJSON?) throws -> [String: Any] {
        let text = try XCTUnwrap(json).text
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func goalAmounts(_ report: [String: Any]) throws -> [Int: Double] {
        let goals = try XCTUnwrap(report["goals"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: goals.map { ($0["goal"] as! Int, ($0["thousand_yen"] as! NSNumber).doubleValue) })
    }

    func testGrossCountsEachProgramFullyTowardEveryGoalItServes() async throws {
        try await withSample { analytics, _ in
            let report = try object(try await analytics.sdgReport(fiscalYear: 2023, amount: .settled, mode: .gross))
            XCTAssertEqual(report["total_thousand_yen"] as? Int, Self.deduplicatedTotal)
            XCTAssertEqual(report["programs"] as? Int, 6)
            let amounts = try goalAmounts(report)
            let expected: [Int: Double] = [5: 90_976, 8: 90_976, 10: 90_976, 11: 24_467, 12: 3_947, 13: 110_676, 16: 24_467, 17: 64_546]
            for goal in 1...17 {
                XCTAssertEqual(amounts[goal] ?? -1, expected[goal] ?? 0, accuracy: 0.001, "goal \(goal)")
            }
            XCTAssertGreaterThan(amounts.values.reduce(0, +), Double(Self.deduplicatedTotal), "gross goals overlap")
            XCTAssertTrue((report["counting"] as? String)?.hasPrefix("gross") == true)
        }
    }

    func testSplitDividesAmountsSoGoalsSumToTheDeduplicatedTotal() async throws {
        try await withSample { analytics, _ in
            let report = try object(try await analytics.sdgReport(fiscalYear: 2023, amount: .settled, mode: .split))
            let amounts = try goalAmounts(report)
            XCTAssertEqual(amounts[11]!, 3_947.0 / 3 + 20_520.0 / 2, accuracy: 0.001)
            XCTAssertEqual(amounts[12]!, 3_947.0 / 3, accuracy: 0.001)
            XCTAssertEqual(amounts[5]!, 90_976.0 / 3, accuracy: 0.001)
            XCTAssertEqual(amounts[17]!, 64_546, accuracy: 0.001)
            XCTAssertEqual(amounts.values.reduce(0, +), Double(Self.deduplicatedTotal), accuracy: 0.01)
            XCTAssertTrue((report["counting"] as? String)?.hasPrefix("split") == true)
        }
    }

    func testBudgetAndPersonnelAmountsCountOncePerProgram() async throws {
        try await withSample { analytics, _ in
            let budget = try object(try await analytics.sdgReport(fiscalYear: 2023, amount: .budget, mode: .gross))
            // 5,000 + 90,977 + 30,000 + 125,000 + 62,400 + 12,500
            XCTAssertEqual(budget["total_thousand_yen"] as? Int, 325_877)
            let personnel = try object(try await analytics.sdgReport(fiscalYear: 2023, amount: .personnel, mode: .gross))
            // 6,400 + 6,400 + 5,400 + 15,400 + 6,400 + 20,950
            XCTAssertEqual(personnel["total_thousand_yen"] as? Int, 60_950)
        }
    }

    func testDuplicatesShowNaiveAndDeduplicatedTotalsSideBySide() async throws {
        try await withSample { analytics, _ in
            let duplicates = try object(try await analytics.duplicates(fiscalYear: 2023))
            XCTAssertEqual(duplicates["naive_per_policy_total"] as? Int, Self.naiveTotal)
            XCTAssertEqual(duplicates["deduplicated_total"] as? Int, Self.deduplicatedTotal)
            XCTAssertEqual(duplicates["double_counted"] as? Int, 94_923)
            let programs = try XCTUnwrap(duplicates["programs"] as? [[String: Any]])
            XCTAssertEqual(programs.map { $0["name"] as? String }, ["KitaQ DX推進事業", "市職員のテレワーク推進"])
            let policies = programs.map { ($0["policies"] as? [[String: Any]])?.compactMap { $0["code"] as? String } }
            XCTAssertEqual(policies[0], ["II-3-(2)-②", "III-1-(3)-④"])
            XCTAssertEqual(policies[1], ["II-3-(2)-②", "II-3-(2)-④"])
            XCTAssertEqual(programs.map { $0["counted_extra"] as? Int }, [3_947, 90_976])
        }
    }

    func testKitaQDifferingGoalSetsAreAConflict() async throws {
        try await withSample { analytics, _ in
            let conflicts = try object(try await analytics.conflicts(fiscalYear: 2023))
            let programs = try XCTUnwrap(conflicts["programs"] as? [[String: Any]])
            XCTAssertEqual(programs.map { $0["name"] as? String }, ["KitaQ DX推進事業"])
            let conflict = try XCTUnwrap((programs[0]["conflicts"] as? [[String: Any]])?.first)
            XCTAssertEqual(conflict["field"] as? String, "sdg_goals")
            let values = (conflict["listings"] as? [[String: Any]])?.map { $0["value"] as? [Int] }
            XCTAssertEqual(values, [[11, 16], [11, 12]])
        }
    }

    func testPlaceholderIndicatorNameIsFilledFromTheOtherListing() async throws {
        try await withSample { analytics, _ in
            let program = try object(try await analytics.program("市職員のテレワーク推進"))
            let listings = try XCTUnwrap(program["listings"] as? [[String: Any]])
            let indicators = listings.compactMap { $0["indicator"] as? [String: Any] }
            XCTAssertEqual(indicators.count, 2)
            XCTAssertEqual(Set(indicators.compactMap { $0["name"] as? String }), ["テレワーク実施率（各職員が月1回以上実施）"])
            XCTAssertEqual(indicators.compactMap { $0["name_inferred"] as? Bool }.sorted { !$0 && $1 }, [false, true])
        }
    }

    func testRelistedMarkerAndProgramsWithoutGoals() async throws {
        // No.5 marked （再掲）; the paperless program's SDG cell left empty.
        var lines = try Fixtures.sampleText().components(separatedBy: "\n")
        let relisted = lines.firstIndex { $0.hasPrefix("III-1-(3)-④") }!
        lines[relisted] = lines[relisted].replacingOccurrences(of: "\tKitaQ DX推進事業\t", with: "\tKitaQ DX推進事業（再掲）\t")
        let paper = lines.firstIndex { $0.contains("ペーパーレス・オフィス改革推進事業") }!
        lines[paper] = lines[paper].replacingOccurrences(of: "\t⑪ ⑯\t", with: "\t\t")
        try await withSample(lines.joined(separator: "\n")) { analytics, pool in
            try await assertKitaQIsOneProgramRelistedOnce(analytics, pool)

            let report = try object(try await analytics.sdgReport(fiscalYear: 2023, amount: .settled, mode: .split))
            let noGoal = try XCTUnwrap(report["no_goal"] as? [String: Any])
            XCTAssertEqual(noGoal["programs"] as? Int, 1)
            XCTAssertEqual(noGoal["thousand_yen"] as? Int, 20_520)
            XCTAssertEqual((noGoal["program_list"] as? [[String: Any]])?.first?["name"] as? String, "ペーパーレス・オフィス改革推進事業")
            XCTAssertEqual(report["total_with_goals_thousand_yen"] as? Int, Self.deduplicatedTotal - 20_520)
            XCTAssertEqual(try goalAmounts(report).values.reduce(0, +), Double(Self.deduplicatedTotal - 20_520), accuracy: 0.01)
        }
    }

    /// The sample with KitaQ marked re-listed under its second policy: six programs, and
    /// DUPLICATES shows KitaQ's second listing as the re-listed one.
    private func assertKitaQIsOneProgramRelistedOnce(_ analytics: Analytics, _ pool: PostgresPool) async throws {
        let programs = try await pool.query("SELECT count(*) AS n FROM programs").first!.decode("n", as: Int.self)
        XCTAssertEqual(programs, 6, "a re-listed program is the same program")
        let duplicates = try object(try await analytics.duplicates(fiscalYear: 2023))
        let kitaq = try XCTUnwrap((duplicates["programs"] as? [[String: Any]])?.first { $0["name"] as? String == "KitaQ DX推進事業" })
        XCTAssertEqual((kitaq["policies"] as? [[String: Any]])?.map { $0["relisted"] as? Bool }, [false, true])
    }

    /// Issue 13: a marker broken by a wrap space on an unwrapped page is still a marker:
    /// one program, DUPLICATES sees it, the de-duplicated total counts it once, and a
    /// name look-up with the broken marker finds the program.
    func testBrokenRelistingMarkerIsTheSameProgram() async throws {
        var lines = try Fixtures.sampleText().components(separatedBy: "\n")
        let relisted = lines.firstIndex { $0.hasPrefix("III-1-(3)-④") }!
        lines[relisted] = lines[relisted].replacingOccurrences(of: "\tKitaQ DX推進事業\t", with: "\tKitaQ DX推進事業（再 掲）\t")
        try await withSample(lines.joined(separator: "\n")) { analytics, pool in
            try await assertKitaQIsOneProgramRelistedOnce(analytics, pool)
            let report = try object(try await analytics.sdgReport(fiscalYear: 2023, amount: .settled, mode: .gross))
            XCTAssertEqual(report["total_thousand_yen"] as? Int, Self.deduplicatedTotal, "KitaQ counted once")
            let program = try object(try await analytics.program("ＫｉｔａＱ ＤＸ推進事業（再 掲）"))
            XCTAssertEqual(program["name"] as? String, "KitaQ DX推進事業")
            XCTAssertEqual((program["listings"] as? [[String: Any]])?.count, 2)
        }
    }

    func testPolicyMatrixAndOverlap() async throws {
        try await withSample { analytics, _ in
            let matrix = try object(try await analytics.policyMatrix(fiscalYear: 2023))
            let rows = try XCTUnwrap(matrix["policies"] as? [[String: Any]])
            XCTAssertEqual(rows.map { $0["code"] as? String }, ["II-3-(2)-②", "II-3-(2)-④", "III-1-(3)-④"])
            // II-3-(2)-②: KitaQ {11,16} 3,947; テレワーク {5,8,10} 90,976; ペーパーレス {11,16} 20,520.
            let first = try XCTUnwrap(rows[0]["goals"] as? [[String: Any]])
            let eleven = try XCTUnwrap(first.first { $0["goal"] as? Int == 11 })
            XCTAssertEqual(eleven["programs"] as? Int, 2)
            XCTAssertEqual(eleven["thousand_yen"] as? Int, 24_467)
            XCTAssertEqual(first.compactMap { $0["goal"] as? Int }, [5, 8, 10, 11, 16])

            let overlap = try object(try await analytics.policyOverlap(fiscalYear: 2023))
            let pairs = try XCTUnwrap(overlap["pairs"] as? [[String: Any]])
            XCTAssertEqual(pairs.count, 2)
            let described = pairs.map { pair -> String in
                let first = (pair["first"] as? [String: Any])?["code"] as? String ?? ""
                let second = (pair["second"] as? [String: Any])?["code"] as? String ?? ""
                let names = (pair["programs"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
                return "\(first)+\(second): \(names.joined(separator: ","))"
            }
            XCTAssertEqual(Set(described), [
                "II-3-(2)-②+II-3-(2)-④: 市職員のテレワーク推進",
                "II-3-(2)-②+III-1-(3)-④: KitaQ DX推進事業",
            ])
        }
    }

    func testPolicyCodesMatchInEitherWidthAndSearchFindsJapanese() async throws {
        try await withSample { analytics, _ in
            for code in ["II-3-(2)-②", "II-3-(2)-2", "Ⅱ－３－（２）－②"] {
                let policy = try object(try await analytics.policy(code: code))
                XCTAssertEqual(policy["code"] as? String, "II-3-(2)-②", code)
            }
            let unknown = try await analytics.policy(code: "IX-9-(9)-9")
            XCTAssertNil(unknown)
            let found = try object(try await analytics.search("デジタル"))
            let names = Set((found["programs"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? [])
            // By name (デジタルデバイド対策事業) and by summary (KitaQ's mentions デジタル).
            XCTAssertTrue(names.isSuperset(of: ["デジタルデバイド対策事業", "KitaQ DX推進事業"]), "\(names)")
            XCTAssertFalse(names.contains("市職員のテレワーク推進"))
        }
    }
}
