import CrosswalkModel
import Foundation
import Postgres

/// `REVIEW SDG [FY n]`: the year's programs whose SDG tags and own words disagree.
/// Advice with its reasons; nothing here is ever written into the tags.
package struct SDGReviewAnswer: JSONAnswer, Codable, Sendable, Equatable {
    package struct Program: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        /// The goals the program's listings tag (their union).
        package var goals: [Int]
    }

    /// One program in one of the three groups.
    package struct Entry: Codable, Sendable, Equatable {
        package var program: Program
        /// tagged_without_evidence: the tagged goals its text gives no evidence for;
        /// strong_evidence_untagged: the untagged goals with strong evidence; no_goal: empty.
        package var goals: [Int]
        /// tagged_without_evidence and no_goal: every suggestion; strong_evidence_untagged:
        /// the suggestions for `goals`.
        package var suggestions: [SDGGoalSuggestion]
    }

    package struct Goal: Codable, Sendable, Equatable {
        package var goal: Int
        package var nameJa: String
        package var color: String
        enum CodingKeys: String, CodingKey {
            case goal, color
            case nameJa = "name_ja"
        }
    }

    /// nil only when the store holds no listings at all.
    package var fiscalYear: Int?
    /// Distinct programs reviewed.
    package var programs: Int
    package var method: String
    package var suggestAt: Double
    package var strongAt: Double
    package var taggedWithoutEvidence: [Entry]
    package var strongEvidenceUntagged: [Entry]
    package var noGoal: [Entry]
    /// The 17 goals' names and colours, for showing the answer.
    package var goals: [Goal]

    enum CodingKeys: String, CodingKey {
        case programs, method, goals
        case fiscalYear = "fiscal_year", suggestAt = "suggest_at", strongAt = "strong_at"
        case taggedWithoutEvidence = "tagged_without_evidence", strongEvidenceUntagged = "strong_evidence_untagged"
        case noGoal = "no_goal"
    }

    package static let method = "terms of the SDG target vocabulary (169 targets, Japanese and English) found in each program's "
        + "name, summary and indicator names: NFKC-folded text split by ICU word break, terms matched on word boundaries "
        + "(character-run fallback for terms of 3+ characters, weight 0.5); a term adds field weight (name 2, indicator 1.5, "
        + "summary 1) divided by the number of goals it indicates; suggestions are advice, never written into the tags"
}

extension SDGReviewAnswer.Entry {
    /// The three groups of one program, from its tags and the goals its words support.
    static func groups(_ program: SDGReviewAnswer.Program, scores: [SDGGoalSuggestion])
        -> (withoutEvidence: Self?, strongUntagged: Self?, noGoal: Self?) {
        let suggestions = scores.filter { $0.score >= SDGSuggester.suggestAt }
        if program.goals.isEmpty {
            return (nil, nil, suggestions.isEmpty ? nil : Self(program: program, goals: [], suggestions: suggestions))
        }
        let evidenced = Set(scores.map(\.goal))
        let missing = program.goals.filter { !evidenced.contains($0) }
        let strong = suggestions.filter { $0.score >= SDGSuggester.strongAt && !program.goals.contains($0.goal) }
        return (missing.isEmpty ? nil : Self(program: program, goals: missing, suggestions: suggestions),
                strong.isEmpty ? nil : Self(program: program, goals: strong.map(\.goal), suggestions: strong),
                nil)
    }
}

extension Analytics {
    /// Reviews the SDG tags of the programs listed in `fiscalYear` (default: the newest).
    package func sdgReview(fiscalYear: Int? = nil, municipality: String? = nil,
                           suggester: SDGSuggester = .standard) async throws -> SDGReviewAnswer {
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        let rows = try await pool.query("SELECT * FROM crosswalk_review_texts($1, $2)", [fiscalYear, municipality])
        var answer = SDGReviewAnswer(
            fiscalYear: fiscalYear, programs: 0, method: SDGReviewAnswer.method, suggestAt: SDGSuggester.suggestAt,
            strongAt: SDGSuggester.strongAt, taggedWithoutEvidence: [], strongEvidenceUntagged: [], noGoal: [], goals: [])
        for row in rows {
            answer.fiscalYear = try row.decodeIfPresent("fiscal_year", as: Int.self) ?? answer.fiscalYear
            guard let id = try row.decodeIfPresent("id", as: Int64.self) else { continue }
            let program = SDGReviewAnswer.Program(
                id: id, name: try row.decode("name", as: String.self), department: try row.decode("department", as: String.self),
                goals: try row.decode("goals", as: [Int].self))
            answer.programs += 1
            let scores = suggester.scores(
                name: program.name, summary: try row.decodeIfPresent("summary", as: String.self),
                indicators: try JSONDecoder().decode([String].self, from: Data(row.decode("indicator_names", as: PostgresJSON.self).text.utf8)))
            let groups = SDGReviewAnswer.Entry.groups(program, scores: scores)
            if let entry = groups.withoutEvidence { answer.taggedWithoutEvidence.append(entry) }
            if let entry = groups.strongUntagged { answer.strongEvidenceUntagged.append(entry) }
            if let entry = groups.noGoal { answer.noGoal.append(entry) }
        }
        for row in try await pool.query("SELECT goal, name_ja, color FROM sdg_goals ORDER BY goal") {
            answer.goals.append(SDGReviewAnswer.Goal(
                goal: try row.decode("goal", as: Int.self), nameJa: try row.decode("name_ja", as: String.self),
                color: try row.decode("color", as: String.self)))
        }
        return answer
    }
}
