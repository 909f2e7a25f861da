import CrosswalkAnalytics
import CrosswalkModel
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

final class IndicatorProgressTests: XCTestCase {
    // MARK: - IndicatorNumber.parse

    func testNumbersAndUnitsAreReadFromIndicatorTexts() {
        let cases: [(String, Double, String?)] = [
            ("46,549時間", 46549, "時間"),
            ("170MW", 170, "MW"),
            ("85%", 85, "%"),
            ("85％", 85, "%"),
            ("1,500台", 1500, "台"),
            ("16,000t", 16000, "t"),
            ("26件", 26, "件"),
            ("４６，５４９時間", 46549, "時間"),
            ("１７０ＭＷ", 170, "MW"),
            ("年間削減作業時間：46,549時間", 46549, "時間"),
            ("事務作業時間100,000時間削減 (R7年度)", 100000, "時間"),
            ("本庁部署におけるテレワーク実施率80%（R7年度）", 80, "%"),
            ("紙の使用量50%削減（R7年度・R2年度比）", 50, "%"),
            ("75% (R2年度調査)", 75, "%"),
            ("令和5年度は12.5%", 12.5, "%"),
            ("CO2削減量 3,200t", 3200, "t"),
            ("△1,200人", -1200, "人"),
            ("来訪者数 120万人", 120, "万人"),
            ("12箇所", 12, "箇所"),
            ("12か所", 12, "箇所"),
            ("300", 300, nil),
        ]
        for (text, number, unit) in cases {
            let parsed = IndicatorNumber.parse(text)
            XCTAssertEqual(parsed?.number, number, text)
            XCTAssertEqual(parsed?.unit, unit, text)
        }
    }

    func testTextsWithoutNumbersStayText() {
        for text in ["計画の着実な推進", "単年度目標 なし", "—", "", "テレワークの実施", "事務作業時間の削減",
                     "対象となるすべての手続きを原則オンライン化 (R7年度末)", "R7年度", "令和7年度末"] {
            XCTAssertNil(IndicatorNumber.parse(text), text)
        }
    }

    // MARK: - Achievement and mid-term progress (pure)

    private static func listing(_ values: [(Int, IndicatorValueKind, String)], midterm: String? = nil) -> IndicatorProgressAnswer.Listing {
        IndicatorProgressAnswer.listing(
            listingId: 1, no: 1, program: .init(id: 1, name: "p", department: "d"), policy: .init(code: "I-1-(1)-①", name: "x"),
            indicator: "i", indicatorInferred: false, baseline: nil, midterm: midterm,
            values: values.map { (fiscalYear: $0.0, kind: $0.1, text: $0.2) })
    }

    func testAchievementIsRecomputedAndAMismatchBeyondHalfAPointIsFlagged() {
        let wrong = Self.listing([(2023, .target, "100件"), (2023, .actual, "50件"), (2023, .achievement, "80%")])
        XCTAssertEqual(wrong.years.count, 1)
        XCTAssertEqual(wrong.years[0].recomputedAchievement, 50)
        XCTAssertEqual(wrong.years[0].statedAchievement?.number, 80)
        XCTAssertEqual(wrong.years[0].mismatch, true)
        XCTAssertTrue(wrong.mismatch)

        let close = Self.listing([(2023, .target, "1,500台"), (2023, .actual, "1,203台"), (2023, .achievement, "80.4%")])
        XCTAssertEqual(close.years[0].recomputedAchievement, 80.2)
        XCTAssertEqual(close.years[0].mismatch, false, "0.2 points apart is within the tolerance")

        // Units that disagree, or text, give no achievement and no verdict.
        let units = Self.listing([(2023, .target, "100件"), (2023, .actual, "50人"), (2023, .achievement, "50%")])
        XCTAssertNil(units.years[0].recomputedAchievement)
        XCTAssertNil(units.years[0].mismatch)
        let text = Self.listing([(2023, .target, "計画の着実な推進"), (2023, .actual, "計画の着実な推進")])
        XCTAssertNil(text.years[0].target?.number)
        XCTAssertNil(text.years[0].recomputedAchievement)
        XCTAssertNil(text.years[0].mismatch)
        XCTAssertFalse(text.mismatch)
    }

    func testMidtermProgressUsesTheLatestActualInTheSameUnit() {
        let listing = Self.listing([(2022, .actual, "年間削減作業時間：46,549時間"), (2023, .actual, "年間削減作業時間：55,862時間")],
                                   midterm: "事務作業時間100,000時間削減 (R7年度)")
        XCTAssertEqual(listing.midterm?.number, 100000)
        XCTAssertEqual(listing.midtermProgress?.fiscalYear, 2023)
        XCTAssertEqual(listing.midtermProgress?.percent, 55.86)
        XCTAssertEqual(listing.midtermProgress?.unit, "時間")

        let mixed = Self.listing([(2023, .actual, "12件")], midterm: "80%（R7年度）")
        XCTAssertNil(mixed.midtermProgress, "件 is not progress toward a %")
        let none = Self.listing([(2023, .actual, "50%")], midterm: "計画の着実な推進")
        XCTAssertNil(none.midtermProgress)
    }

    // MARK: - Analytics.indicatorProgress against the store

    private func syncedPool(_ text: String, _ label: String = #function, _ body: (PostgresPool) async throws -> Void) async throws {
        try await TestDatabase.withPool(label) { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try Fixtures.write(text, to: folder, as: "digital_R5.txt")
            let summary = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [folder.path]))
            XCTAssertEqual(summary.status, .ok, "\(summary.rejects)")
            try await body(pool)
        }
    }

    func testTheSampleActualsAreReadAsNumbersWithUnits() async throws {
        try await syncedPool(try Fixtures.sampleText()) { pool in
            let answer = try await Analytics(pool: pool).indicatorProgress(fiscalYear: 2023)
            XCTAssertEqual(answer.fiscalYear, 2023)
            XCTAssertEqual(answer.listings.count, 8, "one entry per listing")
            XCTAssertEqual(answer.mismatches, 0)

            let ai = try XCTUnwrap(answer.listings.first { $0.program.name == "AI・RPAによる業務改革事業" })
            XCTAssertEqual(ai.policy.code, "III-1-(3)-④")
            let fy2022 = try XCTUnwrap(ai.years.first { $0.fiscalYear == 2022 })
            XCTAssertEqual(fy2022.actual?.text, "年間削減作業時間：46,549時間")
            XCTAssertEqual(fy2022.actual?.number, 46549)
            XCTAssertEqual(fy2022.actual?.unit, "時間")
            XCTAssertNil(fy2022.target?.number, "事務作業時間の削減 states no number")
            XCTAssertNil(fy2022.recomputedAchievement)
            XCTAssertEqual(ai.midterm?.number, 100000)
            XCTAssertEqual(ai.midtermProgress?.fiscalYear, 2023)
            XCTAssertEqual(ai.midtermProgress?.actual, 55862)
            XCTAssertEqual(ai.midtermProgress?.percent, 55.86)

            // Text targets stay text.
            let kitaq = try XCTUnwrap(answer.listings.first { $0.program.name == "KitaQ DX推進事業" })
            XCTAssertTrue(kitaq.years.allSatisfy { $0.target?.number == nil && $0.actual?.number == nil })
            XCTAssertNil(kitaq.midtermProgress)

            // A year the store does not hold is an error naming the years it does, never an empty answer.
            do {
                _ = try await Analytics(pool: pool).indicatorProgress(fiscalYear: 2001)
                XCTFail("a year without listings was answered")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, Analytics.notFoundState)
                XCTAssertTrue(error.message.contains("fiscal years present: 2023 (令和5年度)"), error.message)
            }

            let json = try answer.json()
            XCTAssertTrue(json.text.contains("\"recomputed_achievement\"") || json.text.contains("\"midterm_progress\""))
        }
    }

    func testAStatedAchievementThatDisagreesIsFlagged() async throws {
        // KitaQ's first row says: target 100件, actual 50件, 達成率 80% (should be 50%).
        let text = try Fixtures.sampleText().replacingOccurrences(
            of: "目標 計画の着実な推進\t実績 計画の着実な推進\t達成率 —",
            with: "目標 100件\t実績 50件\t達成率 80%")
        XCTAssertNotEqual(text, try Fixtures.sampleText())
        try await syncedPool(text) { pool in
            let answer = try await Analytics(pool: pool).indicatorProgress()
            XCTAssertEqual(answer.mismatches, 1)
            let flagged = try XCTUnwrap(answer.listings.first { $0.mismatch })
            XCTAssertEqual(flagged.program.name, "KitaQ DX推進事業")
            XCTAssertEqual(flagged.policy.code, "II-3-(2)-②")
            let year = try XCTUnwrap(flagged.years.first { $0.mismatch == true })
            XCTAssertEqual(year.target?.number, 100)
            XCTAssertEqual(year.target?.unit, "件")
            XCTAssertEqual(year.actual?.number, 50)
            XCTAssertEqual(year.statedAchievement?.number, 80)
            XCTAssertEqual(year.recomputedAchievement, 50)
        }
    }
}
