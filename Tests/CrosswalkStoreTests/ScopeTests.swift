import CrosswalkAnalytics
import CrosswalkModel
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// Never a silent empty answer: an empty store, a year, organization or municipality that
/// matches nothing are errors (SQLSTATE P0002, the protocol's NOTFOUND) listing what there is.
final class ScopeTests: XCTestCase {
    private func notFound(_ what: String, _ body: () async throws -> Void) async throws -> String {
        do {
            try await body()
        } catch let error as PostgresError where error.sqlState == Analytics.notFoundState {
            return error.message
        }
        XCTFail("\(what) was answered")
        return ""
    }

    func testAnEmptyStoreIsAnErrorNotAPageOfZeros() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let analytics = Analytics(pool: pool)
            for (what, body) in [
                ("sdg report", { _ = try await analytics.report(ReportRequest(kind: .sdg)) }),
                ("duplicates", { _ = try await analytics.duplicates(fiscalYear: nil) }),
                ("search", { _ = try await analytics.search("DX") }),
                ("organizations", { _ = try await analytics.organizations() }),
                ("indicators", { _ = try await analytics.indicatorProgress() }),
            ] as [(String, () async throws -> Void)] {
                let message = try await notFound(what, body)
                XCTAssertTrue(message.contains("the store holds no documents"), "\(what): \(message)")
                XCTAssertTrue(message.contains("crosswalk sync"), "\(what): \(message)")
            }
        }
    }

    func testUnknownYearOrganizationAndMunicipalityListWhatThereIs() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folderWithSample()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [folder.path]))
            let analytics = Analytics(pool: pool)
            let organization = try await pool.query("SELECT name FROM organizations").first!.decode("name", as: String.self)

            let year = try await notFound("a year without listings") { _ = try await analytics.sdgReport(fiscalYear: 2019) }
            XCTAssertEqual(year, "no listings for fiscal year 2019 (令和元年度); fiscal years present: 2023 (令和5年度)")

            let org = try await notFound("an unknown organization") {
                _ = try await analytics.sdgReport(fiscalYear: 2023, organization: String(organization.prefix(3)))
            }
            XCTAssertTrue(org.hasPrefix("no organization '\(organization.prefix(3))'"), org)
            XCTAssertTrue(org.contains("near matches: \(organization)"), org)
            XCTAssertTrue(org.hasSuffix("organizations present: \(organization)"), org)

            let orgYear = try await notFound("an organization's missing year") {
                _ = try await analytics.sdgReport(fiscalYear: 2022, organization: organization)
            }
            XCTAssertTrue(orgYear.contains("2022 (令和4年度) of organization \(organization)"), orgYear)

            let muni = try await notFound("an unknown municipality") { _ = try await analytics.policies(fiscalYear: nil, municipality: "大阪市") }
            XCTAssertEqual(muni, "no municipality '大阪市'; municipalities present: none (no source declares one)")

            // What there is: the organizations, with their years and programs.
            let listed = try JSONSerialization.jsonObject(with: Data(try await analytics.organizations().text.utf8)) as? [String: Any]
            let organizations = try XCTUnwrap(listed?["organizations"] as? [[String: Any]])
            XCTAssertEqual(organizations.map { $0["name"] as? String }, [organization])
            XCTAssertEqual(organizations.first?["fiscal_years"] as? [Int], [2023])
            XCTAssertEqual(organizations.first?["programs"] as? Int, 6)
            XCTAssertEqual(organizations.first?["documents"] as? Int, 1)
            XCTAssertNotNil(organizations.first?["last_synced_at"] as? String)

            // The same questions in scope are answered.
            let report = try await analytics.sdgReport(fiscalYear: 2023, organization: organization)
            XCTAssertTrue(report.text.contains("\"programs\": 6"), report.text)
        }
    }
}
