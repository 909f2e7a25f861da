import CrosswalkAnalytics
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// The SDG tagging review: the vocabulary, ICU word matching with its n-gram fallback,
/// suggestions that always carry their evidence, and REVIEW SDG's groups on the sample.
final class ReviewTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func labelled() throws -> [LabelledProgram] {
        let url = repository.appendingPathComponent("Benchmarks/review/labelled.tsv")
        return try LabelledProgram.readTSV(try String(contentsOf: url, encoding: .utf8), source: url.path)
    }

    // MARK: - Vocabulary

    func testVocabularyHasEveryTargetWithLabelsAndTerms() {
        let targets = SDGVocabulary.standard.targets
        XCTAssertEqual(targets.count, 169)
        let perGoal = Dictionary(grouping: targets, by: \.goal).mapValues(\.count)
        XCTAssertEqual(perGoal, [1: 7, 2: 8, 3: 13, 4: 10, 5: 9, 6: 8, 7: 5, 8: 12, 9: 8, 10: 10, 11: 10, 12: 11, 13: 5,
                                 14: 10, 15: 12, 16: 12, 17: 19])
        XCTAssertEqual(Set(targets.map(\.code)).count, 169)
        XCTAssertTrue(targets.contains { $0.code == "1.a" } && targets.contains { $0.code == "17.19" } && targets.contains { $0.code == "16.10" })
        for target in targets {
            XCTAssertFalse(target.labelJa.isEmpty || target.labelEn.isEmpty || target.terms.isEmpty, target.code)
        }
    }

    func testABadVocabularyLineIsRefusedWithItsLineAndColumn() {
        let header = "target\tlabel_ja\tlabel_en\tterms_ja\tterms_en\n"
        let cases = [
            (header + "1.1\t貧困\tpoverty\t貧困\tpoverty\n18.1\tx\tx\tx\tx\n", "t.tsv:3:1: target '18.1' is not of the form 11.2 or 1.a"),
            (header + "1.1\t貧困\tpoverty\t\t\n", "t.tsv:2:4: target 1.1 has no terms"),
            (header + "1.1\t貧困\tpoverty\n", "t.tsv:2:1: expected 5 tab-separated fields, found 3"),
            (header + "1.1\t\tpoverty\t貧困\t\n", "t.tsv:2:2: target 1.1 has no Japanese label"),
            (header + "1.1\ta\tb\tc\t\n1.1\ta\tb\tc\t\n", "t.tsv:3:1: target 1.1 is listed twice"),
            ("1.1\ta\tb\tc\t\n", "t.tsv:1:1: expected the header line 'target<TAB>label_ja<TAB>…'"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try SDGVocabulary(tsv: text, source: "t.tsv")) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }

    // MARK: - Matching

    func testTermsMatchOnICUWordBoundaries() {
        let suggester = SDGSuggester()
        // `ai` (9.5) is a word of `AI・RPA`, never the inside of `maintain`.
        let english = suggester.scores(name: "Maintain the station", summary: nil, indicators: [])
        XCTAssertFalse(english.flatMap(\.evidence).contains { $0.term == "ai" }, "\(english)")
        let japanese = suggester.scores(name: "AI・RPAによる業務改革事業", summary: nil, indicators: [])
        let nine = japanese.first { $0.goal == 9 }
        XCTAssertEqual(nine?.evidence.first { $0.term == "ai" }?.match, .word, "\(japanese)")
        // Longest match wins: `女性の活躍` is one piece of evidence, not also `女性`.
        let women = suggester.scores(name: "女性の活躍推進事業", summary: nil, indicators: [])
        XCTAssertEqual(women.first?.goal, 5)
        XCTAssertEqual(women.first?.evidence.map(\.term), ["女性の活躍"])
    }

    func testCharacterNGramsAreTheFallbackOffWordBoundaries() throws {
        // ICU splits `テレワーク推進` as テレ|ワーク|推進: a term crossing those words matches as n-grams, at half weight.
        let tsv = "target\tlabel_ja\tlabel_en\tterms_ja\tterms_en\n8.5\t仕事\twork\tワーク推|推進\t\n"
        let suggester = SDGSuggester(vocabulary: try SDGVocabulary(tsv: tsv, source: "t.tsv"))
        let scores = suggester.scores(name: "テレワーク推進", summary: nil, indicators: [])
        let evidence = try XCTUnwrap(scores.first).evidence
        XCTAssertEqual(evidence.first { $0.term == "ワーク推" }?.match, .ngram, "\(evidence)")
        XCTAssertEqual(evidence.first { $0.term == "ワーク推" }?.weight, 1.0)  // name 2 × n-gram 0.5
        XCTAssertEqual(evidence.first { $0.term == "推進" }?.match, .word)
    }

    func testWithoutWordBoundariesTermsMatchAsCharacterRunsAndLatinTermsAsWholeWords() {
        // What the review does when ICU cannot break a text (here: switched off).
        var suggester = SDGSuggester()
        suggester.wordBreak = false
        let english = suggester.scores(name: "Maintain the station", summary: nil, indicators: [])
        XCTAssertFalse(english.flatMap(\.evidence).contains { $0.term == "ai" }, "\(english)")
        let telework = suggester.scores(name: "市職員のテレワーク推進", summary: nil, indicators: [])
        let eight = telework.first { $0.goal == 8 }
        XCTAssertEqual(eight?.evidence.map(\.term), ["テレワーク"])
        XCTAssertEqual(eight?.evidence.first?.match, .ngram)
        XCTAssertEqual(eight?.score, 0.5)  // name 2 × n-gram 0.5, shared by goals 5 and 8
    }

    func testEverySuggestionCarriesEvidenceFoundInTheProgramsOwnText() throws {
        let suggester = SDGSuggester()
        let codes = Dictionary(grouping: SDGVocabulary.standard.targets, by: \.goal).mapValues { Set($0.map(\.code)) }
        var checked = 0
        for program in try Self.labelled() + SimilarityTests.sample.map({
            LabelledProgram(id: "\($0.id)", field: "sample", goals: [1], name: $0.name, summary: $0.summary, indicators: $0.indicatorName.map { [$0] } ?? [])
        }) {
            let text = ReviewText.fold([program.name, program.summary ?? ""].joined(separator: " ") + " " + program.indicators.joined(separator: " "))
            for suggestion in suggester.suggest(name: program.name, summary: program.summary, indicators: program.indicators) {
                checked += 1
                XCTAssertFalse(suggestion.evidence.isEmpty, "\(program.id) goal \(suggestion.goal)")
                XCTAssertFalse(suggestion.targets.isEmpty, "\(program.id) goal \(suggestion.goal)")
                XCTAssertGreaterThanOrEqual(suggestion.score, SDGSuggester.suggestAt)
                for evidence in suggestion.evidence {
                    XCTAssertFalse(evidence.targets.isEmpty)
                    XCTAssertTrue(Set(evidence.targets).isSubset(of: codes[suggestion.goal]!), "\(evidence)")
                    let term = String(String.UnicodeScalarView(ReviewText.fold(evidence.term)))
                    XCTAssertTrue(String(String.UnicodeScalarView(text)).contains(term), "\(program.id): \(evidence.term)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 100)
    }

    func testTheTeleworkProgramGetsGoal5Or8WithTeleworkEvidence() throws {
        let telework = SimilarityTests.sample[1]
        let suggestions = SDGSuggester().suggest(name: telework.name, summary: telework.summary, indicators: [telework.indicatorName!])
        let top3 = suggestions.prefix(3)
        let hit = try XCTUnwrap(top3.first { $0.goal == 5 || $0.goal == 8 }, "\(suggestions.map(\.goal))")
        let terms = Set(hit.evidence.map(\.term))
        XCTAssertFalse(terms.isDisjoint(with: ["テレワーク", "多様な働き方", "働き方", "女性"]), "\(terms)")
        XCTAssertTrue(hit.evidence.contains { $0.term == "テレワーク" && $0.field == .name && $0.match == .word })
        XCTAssertTrue(hit.targets.contains { $0.target == "5.4" || $0.target == "8.5" }, "\(hit.targets)")
    }

    func testTheLabelledSetIsMeasuredAndNoSuggestionLacksEvidence() throws {
        let programs = try Self.labelled()
        XCTAssertGreaterThanOrEqual(programs.count, 60)
        XCTAssertEqual(Set(programs.map(\.field)), ["welfare", "environment", "education", "disaster", "industry", "digital"])
        let evaluation = ReviewEvaluation(programs)
        XCTAssertEqual(evaluation.all.programs, programs.count)
        XCTAssertEqual(evaluation.all.suggestionsWithoutEvidence, 0)
        XCTAssertGreaterThan(evaluation.all.suggestions, programs.count)
    }

    // MARK: - REVIEW SDG on the store

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

    func testReviewOfTheSampleGivesTheThreeGroups() async throws {
        try await withSample { analytics, _ in
            let answer = try await analytics.sdgReview(fiscalYear: 2023)
            XCTAssertEqual(answer.fiscalYear, 2023)
            XCTAssertEqual(answer.programs, 6)
            func groups(_ entries: [SDGReviewAnswer.Entry]) -> [String: [Int]] {
                Dictionary(uniqueKeysWithValues: entries.map { ($0.program.name, $0.goals) })
            }
            // Tagged goals the words give no evidence for: AI・RPA's 13, the telework program's 10 …
            XCTAssertEqual(groups(answer.taggedWithoutEvidence), [
                "AI・RPAによる業務改革事業": [13], "KitaQ DX推進事業": [11, 12, 16], "ペーパーレス・オフィス改革推進事業": [11],
                "市職員のテレワーク推進": [10],
            ])
            // … strong evidence for goals the city did not tag: デジタルデバイド → 10, オンライン化 → 16.
            XCTAssertEqual(groups(answer.strongEvidenceUntagged), [
                "AI・RPAによる業務改革事業": [9, 16], "KitaQ DX推進事業": [17], "デジタルデバイド対策事業": [10],
                "ペーパーレス・オフィス改革推進事業": [8], "市職員のテレワーク推進": [16], "手続きオンライン化推進事業": [16],
            ])
            XCTAssertEqual(answer.noGoal, [])
            let divide = try XCTUnwrap(answer.strongEvidenceUntagged.first { $0.program.name == "デジタルデバイド対策事業" })
            XCTAssertEqual(divide.program.goals, [17])
            XCTAssertEqual(divide.suggestions.map(\.goal), [10])
            XCTAssertEqual(divide.suggestions.first?.evidence.map(\.term), ["デジタルデバイド"])
            XCTAssertEqual(divide.suggestions.first?.targets.map(\.target), ["10.2"])
            // Every suggestion in every group carries its evidence.
            for entry in answer.taggedWithoutEvidence + answer.strongEvidenceUntagged {
                XCTAssertFalse(entry.suggestions.isEmpty)
                XCTAssertTrue(entry.suggestions.allSatisfy { !$0.evidence.isEmpty && !$0.targets.isEmpty }, entry.program.name)
            }
            // The report lays the groups out in every format.
            let report = try Report.decode(try answer.json(), kind: .review)
            let markdown = report.rendered(as: .md)
            for text in ["SDGs タグの点検", "根拠のないタグ", "強い根拠があるのにタグのないゴール", "ゴールのない事業への提案",
                         #"10 (2): 10.2 誰もが参加できる社会 — デジタルデバイド\[name\]"#] {
                XCTAssertTrue(markdown.contains(text), text)
            }
            let csv = report.rendered(as: .csv)
            XCTAssertTrue(csv.contains("2023,strong_evidence_untagged,"), csv)
            XCTAssertTrue(report.rendered(as: .html).contains("デジタルデバイド[name]"))
        }
    }

    func testAProgramWithNoGoalGetsSuggestionsAndTheTagsStayAsTheyWere() async throws {
        // The paperless program's SDG cell left empty.
        var lines = try Fixtures.sampleText().components(separatedBy: "\n")
        let paper = try XCTUnwrap(lines.firstIndex { $0.contains("ペーパーレス・オフィス改革推進事業") })
        lines[paper] = lines[paper].replacingOccurrences(of: "\t⑪ ⑯\t", with: "\t\t")
        try await withSample(lines.joined(separator: "\n")) { analytics, pool in
            func tags() async throws -> String {
                let rows = try await pool.query("SELECT coalesce(string_agg(listing_id || ':' || goal, ',' ORDER BY listing_id, goal), '') AS tags FROM listing_goals")
                return try XCTUnwrap(rows.first { _ in true }).decode("tags", as: String.self)
            }
            let before = try await tags()
            let answer = try await analytics.sdgReview(fiscalYear: 2023)
            XCTAssertEqual(answer.noGoal.map(\.program.name), ["ペーパーレス・オフィス改革推進事業"])
            let entry = try XCTUnwrap(answer.noGoal.first)
            XCTAssertEqual(entry.program.goals, [])
            XCTAssertEqual(entry.suggestions.map(\.goal), [8, 12, 16])
            let twelve = try XCTUnwrap(entry.suggestions.first { $0.goal == 12 })
            XCTAssertEqual(twelve.targets.map(\.target), ["12.5"])
            XCTAssertEqual(twelve.evidence.map(\.term), ["ペーパーレス"])
            XCTAssertFalse(answer.taggedWithoutEvidence.contains { $0.program.name == "ペーパーレス・オフィス改革推進事業" })
            // Suggestions are advice: no tag was written.
            let after = try await tags()
            XCTAssertFalse(before.isEmpty)
            XCTAssertEqual(before, after)
            let json = try await analytics.program("ペーパーレス・オフィス改革推進事業")
            let program = try XCTUnwrap(json).text
            XCTAssertTrue(program.contains("\"goals\": []") || program.contains("\"goals\":[]"), program)
        }
    }
}
