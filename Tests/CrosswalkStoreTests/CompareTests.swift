import CrosswalkAnalytics
import CrosswalkModel
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// COMPARE (year over year) on a generated corpus whose programs are renamed, moved and
/// retagged between years (generate.py --evolve): every count, amount, candidate and
/// per-goal figure equals the generator's ground truth (yoy_truth.json).
final class CompareTests: XCTestCase {
    /// One organization and pair of consecutive years, as generate.py wrote it.
    struct Truth: Decodable {
        struct Continuing: Decodable {
            var program: String
            var settled_from: Int64
            var settled_to: Int64
        }
        struct Renamed: Decodable, Hashable {
            var kind: String
            var ended: String
            var new: String
        }
        struct GoalsChanged: Decodable {
            var program: String
            var added: [Int]
            var removed: [Int]
        }
        struct Goal: Decodable {
            var programs_from: Int
            var programs_to: Int
            var gross_from: Int64
            var gross_to: Int64
            var split_from: String
            var split_to: String
        }
        var organization: String
        var from: Int
        var to: Int
        var new: [String]
        var ended: [String]
        var continuing: [Continuing]
        var renamed: [Renamed]
        var goals_changed: [GoalsChanged]
        var goals: [String: Goal]
        var settled_from: Int64
        var settled_to: Int64
    }

    /// generate.py --evolve --truth into a fresh folder: (documents folder, ground truth).
    static func evolvedCorpus(seed: Int = 11, listings: Int = 600) throws -> (folder: URL, docs: URL, truth: [Truth]) {
        let corpus = try EvolvedCorpus.generate(into: try Fixtures.folder(), listings: listings, seed: seed)
        let truth = try JSONDecoder().decode([Truth].self, from: Data(contentsOf: corpus.truthFile))
        return (corpus.folder, corpus.documents, truth)
    }

    private func withEvolvedCorpus(_ label: String = #function, _ body: (PostgresPool, [Truth]) async throws -> Void) async throws {
        try await TestDatabase.withPool(label) { pool, _ in
            try await Migrator().migrate(pool)
            let corpus = try Self.evolvedCorpus()
            defer { try? FileManager.default.removeItem(at: corpus.folder) }
            let summary = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [corpus.docs.path]))
            XCTAssertEqual(summary.documentsRejected, 0, "\(summary.rejects.prefix(3))")
            try await body(pool, corpus.truth)
        }
    }

    static func report(_ json: PostgresJSON) throws -> CompareReport {
        try json.decode(CompareReport.self, decoder: EvaluationJSON.decoder())
    }

    func testCompareOfEveryOrganizationAndYearPairEqualsTheGroundTruth() async throws {
        try await withEvolvedCorpus { pool, truths in
            XCTAssertGreaterThanOrEqual(truths.count, 6)
            XCTAssertGreaterThan(truths.reduce(0) { $0 + $1.renamed.count }, 4, "the corpus renames and moves programs")
            XCTAssertTrue(truths.contains { $0.renamed.contains { $0.kind == "move" } }, "some programs move to another department")
            XCTAssertTrue(truths.contains { $0.renamed.contains { $0.kind == "rename" } }, "some programs are renamed")
            XCTAssertTrue(truths.contains { !$0.goals_changed.isEmpty }, "some programs are retagged")
            var keys: [Int64: String] = [:]
            for row in try await pool.query("SELECT id, identity_key FROM programs") {
                keys[try row.decode("id", as: Int64.self)] = try row.decode("identity_key", as: String.self)
            }
            let analytics = Analytics(pool: pool)
            let scale = ["遅れ", "やや遅れ", "概ね順調", "順調", "大変順調"]
            var gradeAndIndicatorChanges = [0, 0, 0, 0]
            for truth in truths {
                let context = "\(truth.organization) \(truth.from)→\(truth.to)"
                let report = try Self.report(try await analytics.compare(from: truth.from, to: truth.to, organization: truth.organization))
                XCTAssertEqual(report.new.map { keys[$0.id]! }.sorted(), truth.new, "new, \(context)")
                XCTAssertEqual(report.ended.map { keys[$0.id]! }.sorted(), truth.ended, "ended, \(context)")
                XCTAssertEqual(report.totals.new, truth.new.count, context)
                XCTAssertEqual(report.totals.ended, truth.ended.count, context)
                XCTAssertEqual(report.totals.continuing, truth.continuing.count, context)
                let continuing = Dictionary(uniqueKeysWithValues: report.continuing.map { (keys[$0.id]!, $0) })
                XCTAssertEqual(continuing.keys.sorted(), truth.continuing.map(\.program), "continuing, \(context)")
                for expected in truth.continuing {
                    let program = try XCTUnwrap(continuing[expected.program], context)
                    XCTAssertEqual(program.thousandYenFrom, expected.settled_from, "\(expected.program) \(context)")
                    XCTAssertEqual(program.thousandYenTo, expected.settled_to, "\(expected.program) \(context)")
                    XCTAssertEqual(program.change, expected.settled_to - expected.settled_from, "\(expected.program) \(context)")
                }
                XCTAssertEqual(report.totals.thousandYenFrom, truth.settled_from, context)
                XCTAssertEqual(report.totals.thousandYenTo, truth.settled_to, context)
                XCTAssertEqual(Set(report.renamed.map { "\(keys[$0.ended.id]!) → \(keys[$0.new.id]!)" }),
                               Set(truth.renamed.map { "\($0.ended) → \($0.new)" }), "renamed candidates, \(context)")
                for candidate in report.renamed {
                    XCTAssertFalse(candidate.matched.isEmpty, "a candidate says what matched")
                    let kind = truth.renamed.first { $0.ended == keys[candidate.ended.id] }?.kind
                    XCTAssertEqual(candidate.sameDepartment, kind == "rename", "\(candidate.ended.name) \(context)")
                }
                XCTAssertEqual(report.goalsChanged.map { "\(keys[$0.id]!) +\($0.added) -\($0.removed)" }.sorted(),
                               truth.goals_changed.map { "\($0.program) +\($0.added) -\($0.removed)" }.sorted(), "goals changed, \(context)")
                // Grades move on the published scale; achievement (actual ÷ target) rises or falls.
                for change in report.grades.improved {
                    XCTAssertGreaterThan(try XCTUnwrap(scale.firstIndex(of: change.to)), try XCTUnwrap(scale.firstIndex(of: change.from)), context)
                }
                for change in report.grades.worsened {
                    XCTAssertLessThan(try XCTUnwrap(scale.firstIndex(of: change.to)), try XCTUnwrap(scale.firstIndex(of: change.from)), context)
                }
                for change in report.indicators.toward { XCTAssertGreaterThanOrEqual(change.to.achievementPercent, change.from.achievementPercent, context) }
                for change in report.indicators.away { XCTAssertLessThanOrEqual(change.to.achievementPercent, change.from.achievementPercent, context) }
                let continuingIDs = Set(report.continuing.map(\.id))
                let changed = report.grades.improved.map(\.id) + report.grades.worsened.map(\.id)
                    + report.indicators.toward.map(\.id) + report.indicators.away.map(\.id)
                XCTAssertTrue(continuingIDs.isSuperset(of: changed), "only continuing programs are compared, \(context)")
                gradeAndIndicatorChanges[0] += report.grades.improved.count
                gradeAndIndicatorChanges[1] += report.grades.worsened.count
                gradeAndIndicatorChanges[2] += report.indicators.toward.count
                gradeAndIndicatorChanges[3] += report.indicators.away.count
                XCTAssertEqual(report.goals.count, 17)
                for goal in report.goals {
                    let expected = truth.goals["\(goal.goal)"]
                    XCTAssertEqual(goal.programsFrom, expected?.programs_from ?? 0, "SDG \(goal.goal) \(context)")
                    XCTAssertEqual(goal.programsTo, expected?.programs_to ?? 0, "SDG \(goal.goal) \(context)")
                    XCTAssertEqual(goal.grossFrom, Decimal(expected?.gross_from ?? 0), "SDG \(goal.goal) gross \(context)")
                    XCTAssertEqual(goal.grossTo, Decimal(expected?.gross_to ?? 0), "SDG \(goal.goal) gross \(context)")
                    XCTAssertEqual(goal.grossChange, goal.grossTo - goal.grossFrom)
                    XCTAssertEqual(goal.splitFrom, Decimal(string: expected?.split_from ?? "0"), "SDG \(goal.goal) split \(context)")
                    XCTAssertEqual(goal.splitTo, Decimal(string: expected?.split_to ?? "0"), "SDG \(goal.goal) split \(context)")
                    XCTAssertEqual(goal.splitChange, goal.splitTo - goal.splitFrom)
                }
            }
            XCTAssertTrue(gradeAndIndicatorChanges.allSatisfy { $0 > 0 }, "grades improve and worsen, indicators move both ways: \(gradeAndIndicatorChanges)")
        }
    }

    /// Each report format renders the comparison; Markdown and HTML escape what they show.
    func testCompareReportRendersInEveryFormat() async throws {
        try await withEvolvedCorpus { pool, truths in
            let truth = try XCTUnwrap(truths.first { !$0.renamed.isEmpty })
            let report = try await Analytics(pool: pool).report(ReportRequest(
                kind: .compare, organization: truth.organization, from: truth.from, to: truth.to))
            guard case .compare(let compare) = report.content else { return XCTFail("a compare report") }
            XCTAssertEqual(compare.totals.new, truth.new.count)
            let json = report.rendered(as: .json)
            XCTAssertTrue(json.contains("\"renamed\""), json)
            let csv = report.rendered(as: .csv)
            XCTAssertTrue(csv.hasPrefix(CSVReport.byteOrderMark + "from,to,amount,organization,row_type,"))
            let csvLines = csv.components(separatedBy: "\r\n").dropFirst()
            XCTAssertEqual(csvLines.filter { $0.contains(",new,") }.count, truth.new.count, "one CSV row per new program")
            XCTAssertEqual(csvLines.filter { $0.contains(",renamed_candidate,") }.count, truth.renamed.count)
            XCTAssertEqual(csvLines.filter { $0.contains(",goal,") }.count, 17)
            let markdown = report.rendered(as: .md)
            XCTAssertTrue(markdown.contains("## 名称変更・移管の候補"), markdown)
            XCTAssertTrue(markdown.contains("## ゴール別の増減（千円、総額: 各ゴールに全額計上）"))
            let html = report.rendered(as: .html)
            XCTAssertTrue(html.contains("<h2>新規の事業（\(truth.to)年度）</h2>"))
            XCTAssertFalse(html.contains("<script"))
            for name in compare.renamed.map(\.new.name) {
                XCTAssertTrue(html.contains(HTMLEscape.escape(name)), name)
            }
        }
    }

    /// PROGRAM shows every year of a program: amounts by kind, grades, goals, indicators, documents.
    func testProgramShowsItsWholeHistory() async throws {
        try await withEvolvedCorpus { pool, truths in
            let analytics = Analytics(pool: pool)
            // A program listed in all three years of its organization.
            let firstPair = try XCTUnwrap(truths.first)
            let secondPair = try XCTUnwrap(truths.first { $0.organization == firstPair.organization && $0.from == firstPair.to })
            let key = try XCTUnwrap(Set(firstPair.continuing.map(\.program)).intersection(secondPair.continuing.map(\.program)).sorted().first)
            let id = try await pool.query("SELECT id FROM programs WHERE identity_key = $1", [key]).first!.decode("id", as: Int64.self)
            let found = try await analytics.program("\(id)")
            let answer = try XCTUnwrap(found)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any])
            XCTAssertNotNil(object["listings"], "the existing keys stay")
            let history = try XCTUnwrap(object["history"] as? [[String: Any]])
            let listed = history.filter { $0["listed"] as? Bool == true }
            XCTAssertEqual(listed.compactMap { $0["fiscal_year"] as? Int }, [firstPair.from, firstPair.to, secondPair.to])
            for year in listed {
                XCTAssertFalse((year["sources"] as? [String] ?? []).isEmpty, "\(year)")
                XCTAssertFalse((year["goals"] as? [Int] ?? []).isEmpty, "\(year)")
                XCTAssertFalse((year["grades"] as? [String] ?? []).isEmpty, "\(year)")
                XCTAssertNotNil((year["amounts"] as? [String: Any])?["budget"], "\(year)")
            }
            let middle = try XCTUnwrap(history.first { $0["fiscal_year"] as? Int == firstPair.to })
            let settled = (middle["amounts"] as? [String: Any])?["settled"] as? NSNumber
            let expected = firstPair.continuing.first { $0.program == key }!.settled_to
            XCTAssertEqual(settled?.int64Value ?? 0, expected, "the settled amount the later document restates")
        }
    }

    func testCompareRefusesAYearPairOutOfOrder() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            do {
                _ = try await Analytics(pool: pool).compare(from: 2023, to: 2022)
                XCTFail("FY 2023 FY 2022 must be refused")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, "22023")
                XCTAssertTrue(error.message.contains("earlier fiscal year"), error.message)
            }
        }
    }
}
