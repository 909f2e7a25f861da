import CrosswalkAnalytics
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// The analyst views of migration 0008 and the worked queries of docs/SQL.md: each query's
/// result equals the protocol's answer it names, and `\d+` has the views' comments.
final class AnalystViewsTests: XCTestCase {
    static let guide = Fixtures.sampleURL.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/SQL.md")

    /// The ```sql blocks of docs/SQL.md that begin `-- check: name`, by name.
    static func documentedQueries() throws -> [String: String] {
        let text = try String(contentsOf: guide, encoding: .utf8)
        var queries: [String: String] = [:]
        for block in text.components(separatedBy: "```sql\n").dropFirst() {
            let sql = block.components(separatedBy: "```")[0]
            guard let first = sql.split(separator: "\n").first, first.hasPrefix("-- check: ") else { continue }
            queries[String(first.dropFirst("-- check: ".count))] = sql
        }
        return queries
    }

    private static func object(_ json: PostgresJSON) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String: Any])
    }

    func testDocumentedQueriesEqualTheProtocolsAnswers() async throws {
        let queries = try Self.documentedQueries()
        XCTAssertEqual(Set(queries.keys), ["sdg-gross", "sdg-split", "year-total", "duplicates", "policy-programs"])
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [folder.path]))
            let analytics = Analytics(pool: pool)

            for mode in [Analytics.Mode.gross, .split] {
                let report = try Self.object(try await analytics.sdgReport(fiscalYear: 2023, amount: .settled, mode: mode))
                let expected = try XCTUnwrap(report["goals"] as? [[String: Any]]).map {
                    "\($0["goal"]!)|\($0["programs"]!)|\(Decimal(string: "\($0["thousand_yen"]!)")!)"
                }
                let rows = try await pool.query(queries["sdg-\(mode.rawValue)"]!)
                let got = try rows.map {
                    "\(try $0.decode("goal", as: Int.self))|\(try $0.decode("programs", as: Int.self))|\(Decimal(string: try $0.decode("thousand_yen", as: String.self))!)"
                }
                XCTAssertEqual(got, expected, "sdg-\(mode.rawValue)")
                if mode == .gross {
                    let total = try await pool.query(queries["year-total"]!).first!
                    XCTAssertEqual(try total.decode("programs", as: Int.self), report["programs"] as? Int)
                    XCTAssertEqual(try total.decode("total_thousand_yen", as: Int64.self), (report["total_thousand_yen"] as? NSNumber)?.int64Value)
                    XCTAssertEqual(try total.decode("programs_without_goals", as: Int.self), (report["no_goal"] as? [String: Any])?["programs"] as? Int)
                }
            }

            let duplicates = try Self.object(try await analytics.duplicates(fiscalYear: 2023))
            let expectedDuplicates = try XCTUnwrap(duplicates["programs"] as? [[String: Any]]).map { "\($0["id"]!)|\($0["counted_extra"]!)" }
            let duplicateRows = try await pool.query(queries["duplicates"]!)
            XCTAssertEqual(
                try duplicateRows.map { "\(try $0.decode("program_id", as: Int64.self))|\(try $0.decode("counted_extra", as: Int64.self))" },
                expectedDuplicates)
            XCTAssertEqual(expectedDuplicates.count, 2, "the sample lists two programs under two policies")

            let policies = try Self.object(try await analytics.policies(fiscalYear: 2023))
            let expectedPolicies = Dictionary(uniqueKeysWithValues: try XCTUnwrap(policies["policies"] as? [[String: Any]]).map {
                ($0["code"] as! String, $0["programs"] as! Int)
            })
            let policyRows = try await pool.query(queries["policy-programs"]!)
            let gotPolicies = Dictionary(uniqueKeysWithValues: try policyRows.map {
                (try $0.decode("policy_code", as: String.self), try $0.decode("programs", as: Int.self))
            })
            XCTAssertEqual(gotPolicies, expectedPolicies)

            // The naive join the guide warns about does over-count, as it says.
            let naive = try await pool.query("""
                SELECT sum(a.thousand_yen)::bigint AS n FROM listings l
                JOIN listing_goals g ON g.listing_id = l.id
                JOIN amounts a ON a.program_id = l.program_id AND a.fiscal_year = l.fiscal_year AND a.kind = 'settled'
                WHERE l.fiscal_year = 2023 AND l.ended_at IS NULL AND g.goal = 11
                """).first!.decode("n", as: Int64.self)
            XCTAssertEqual(naive, 28414)
        }
    }

    func testViewsCarryTheirDescriptionsForPsql() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            for view in ["analyst_program_goal_amounts", "analyst_listings", "analyst_program_years"] {
                let comment = try await pool.query("SELECT obj_description($1::regclass, 'pg_class') AS c", [view]).first!
                    .decodeIfPresent("c", as: String.self)
                XCTAssertTrue(comment?.contains("docs/SQL.md") == true, "\(view): \(comment ?? "no comment")")
                let uncommented = try await pool.query("""
                    SELECT count(*) FILTER (WHERE col_description($1::regclass, attnum) IS NOT NULL)::int AS n
                    FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0
                    """, [view]).first!.decode("n", as: Int.self)
                XCTAssertGreaterThan(uncommented, 3, "\(view): columns described")
            }
        }
    }
}
