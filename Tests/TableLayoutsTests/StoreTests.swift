import CrosswalkAnalytics
import CrosswalkModel
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

@testable import EvaluationTables
@testable import TableLayouts

/// A CSV and a workbook read by `TableReader` and written by `EvaluationStore` into a real
/// PostgreSQL database: DUPLICATES and the SDG report count them exactly.
final class StoreTests: XCTestCase {
    /// FY2023, 総務局, 千円: テレワーク推進 listed under two policies (the second marked 再掲).
    static let csv = [
        "令和5年度 事務事業評価一覧（総務局）",
        "（単位：千円）",
        "施策,事務事業名,担当課,SDGs,R5決算額,事業概要",
        "\"I-1 行政改革\",窓口改革事業,DX推進課,\"3,11\",\"1,200\",\"窓口を\r\n一つに\"",
        ",テレワーク推進,人事課,⑤ ⑧,800,\"在宅勤務の\r\n推進\"",
        "小計,,,,\"2,000\",",
        "I-2 働き方,テレワーク推進（再掲）,人事課,5,800,",
        "合計,,,,\"2,800\",",
    ].joined(separator: "\r\n")

    private func object(_ json: PostgresJSON?) throws -> [String: Any] {
        let text = try XCTUnwrap(json).text
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func goalAmounts(_ report: [String: Any]) throws -> [Int: Int] {
        let goals = try XCTUnwrap(report["goals"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: goals.map { ($0["goal"] as! Int, ($0["thousand_yen"] as! NSNumber).intValue) })
    }

    func testACSVAndAWorkbookSyncWithExactDuplicatesAndSDGFigures() async throws {
        let csvDoc = try TableReader.read(bytes: try XCTUnwrap(CP932.encode(Self.csv)), source: "/tables/somu.csv")
        let xlsxDoc = try TableReader.read(bytes: try XLSXTableTests.workbook().data(), source: "/tables/kankyo.xlsx")
        XCTAssertEqual(csvDoc.listings[1].summary, "在宅勤務の\n推進")

        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let store = EvaluationStore()
            try await pool.withConnection { connection in
                let run = try await store.beginRun(connection, trigger: "test", sources: ["/tables"])
                try await connection.query("BEGIN")
                for document in [csvDoc, xlsxDoc] {
                    if case .failure(let error) = try await store.tryApply(connection, document: document, run: run, readerVersion: ReaderRules.version) {
                        XCTFail("\(document.source): \(error)")
                    }
                }
                try await connection.query("COMMIT")
                var summary = SyncSummary()
                summary.documentsApplied = 2
                try await store.finishRun(connection, run: run, summary: summary)
            }
            let analytics = Analytics(pool: pool)

            // FY2023 (the CSV): テレワーク推進 800 counted once, though listed twice.
            let duplicates2023 = try object(try await analytics.duplicates(fiscalYear: 2023))
            XCTAssertEqual(duplicates2023["naive_per_policy_total"] as? Int, 1200 + 800 * 2)
            XCTAssertEqual(duplicates2023["deduplicated_total"] as? Int, 2000)
            XCTAssertEqual(duplicates2023["double_counted"] as? Int, 800)
            let programs2023 = try XCTUnwrap(duplicates2023["programs"] as? [[String: Any]])
            XCTAssertEqual(programs2023.map { $0["name"] as? String }, ["テレワーク推進"])
            XCTAssertEqual((programs2023[0]["policies"] as? [[String: Any]])?.map { $0["code"] as? String }, ["I-1", "I-2"])

            let report2023 = try object(try await analytics.sdgReport(fiscalYear: 2023, amount: .settled, mode: .gross))
            XCTAssertEqual(report2023["total_thousand_yen"] as? Int, 2000)
            XCTAssertEqual(report2023["programs"] as? Int, 2)
            XCTAssertEqual(try goalAmounts(report2023).filter { $0.value != 0 }, [3: 1200, 11: 1200, 5: 800, 8: 800])

            // FY2024 (the workbook, 円 → 千円): 太陽光発電導入事業 12,345 listed twice.
            let duplicates2024 = try object(try await analytics.duplicates(fiscalYear: 2024))
            XCTAssertEqual(duplicates2024["naive_per_policy_total"] as? Int, 12345 * 2 + 2000)
            XCTAssertEqual(duplicates2024["deduplicated_total"] as? Int, 12345 + 2000)
            XCTAssertEqual(duplicates2024["double_counted"] as? Int, 12345)

            let report2024 = try object(try await analytics.sdgReport(fiscalYear: 2024, amount: .settled, mode: .gross))
            XCTAssertEqual(report2024["total_thousand_yen"] as? Int, 14345)
            XCTAssertEqual(report2024["programs"] as? Int, 2)
            var goals2024 = try goalAmounts(report2024).filter { $0.value != 0 }
            // Goal 12 is stated by policy I-1-(2) only (inherited_sdg_goals): it counts, and
            // the store keeps it marked as inherited.
            XCTAssertEqual(goals2024.removeValue(forKey: 12), 12345)
            XCTAssertEqual(goals2024, [7: 14345, 13: 12345])
            let inheritedLinks = try await pool.query("SELECT DISTINCT goal, inherited FROM listing_goals WHERE goal = 12")
            XCTAssertEqual(try inheritedLinks.map { try $0.decode("inherited", as: Bool.self) }, [true])
            // PROGRAM keeps them apart: the listing's own goals, and those from its policy.
            let program = try object(try await analytics.program("太陽光発電導入事業"))
            let listings = try XCTUnwrap(program["listings"] as? [[String: Any]])
            XCTAssertTrue(listings.allSatisfy { ($0["inherited_goals"] as? [Int]) == [12] || ($0["inherited_goals"] as? [Int]) == [] }, "\(listings)")
            XCTAssertTrue(listings.contains { ($0["inherited_goals"] as? [Int]) == [12] && !(($0["goals"] as? [Int]) ?? []).contains(12) }, "\(listings)")
            XCTAssertTrue((program["goals"] as? [Int])?.contains(12) ?? false, "the program counts toward goal 12")
        }
    }
}

extension StoreTests {
    /// The sync reads tables where `include` names them, with the layout `source.conf`
    /// declares; a changed layout re-reads its tables though their bytes did not change.
    func testTheSyncReadsTablesThroughTheLayoutSourceConfDeclares() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-tables-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try XCTUnwrap(CP932.encode(Self.csv)).withUnsafeBytes { try Data($0).write(to: folder.appendingPathComponent("somu.csv")) }
        try Data("municipality = 北九州市\nlayout = somu.layout\n".utf8).write(to: folder.appendingPathComponent("source.conf"))
        try Data("unit = 千円\n".utf8).write(to: folder.appendingPathComponent("somu.layout"))
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            var options = SyncEngine.Options(sources: [folder.path])
            options.include = "*.txt, *.csv, *.xlsx"
            let first = try await SyncEngine(pool: pool).run(options)
            XCTAssertEqual(first.status, .ok, "\(first.rejects)")
            XCTAssertEqual(first.documentsApplied, 1)
            let duplicates = try object(try await Analytics(pool: pool).duplicates(fiscalYear: 2023, municipality: "北九州市"))
            XCTAssertEqual(duplicates["deduplicated_total"] as? Int, 2000)
            XCTAssertEqual(duplicates["double_counted"] as? Int, 800)

            let again = try await SyncEngine(pool: pool).run(options)
            XCTAssertEqual(again.documentsUnchanged, 1)
            // The table says 千円; a layout saying 円 reads 1,200 as 1.2 千円: refused, exactly.
            try Data("unit = 円\n".utf8).write(to: folder.appendingPathComponent("somu.layout"))
            let changed = try await SyncEngine(pool: pool).run(options)
            XCTAssertEqual(changed.documentsRejected, 1, "the layout changed, so the table was read again")
            XCTAssertTrue(changed.rejects.first?.reason.contains("千円") ?? false, "\(changed.rejects)")
            // A layout file with a mistake rejects the tables under it, naming file:line.
            try Data("unit = 千円\ncolumn.programme = B\n".utf8).write(to: folder.appendingPathComponent("somu.layout"))
            let broken = try await SyncEngine(pool: pool).run(options)
            XCTAssertEqual(broken.documentsRejected, 1)
            XCTAssertTrue(broken.rejects.first?.reason.contains("somu.layout:2: unknown column field") ?? false, "\(broken.rejects)")
            let kept = try await pool.query("SELECT count(*) AS n FROM current_listings").first!.decode("n", as: Int.self)
            XCTAssertEqual(kept, 3, "the stored version stays in force")
        }
    }
}
