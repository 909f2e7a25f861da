import Foundation

/// The texts of a program the review reads.
package enum ReviewField: String, Codable, Sendable, CaseIterable {
    case name, summary, indicator

    /// A term in the name says most about what a program is for; a summary says the most
    /// words, so each of them weighs least.
    var weight: Double {
        switch self {
        case .name: 2
        case .indicator: 1.5
        case .summary: 1
        }
    }
}

/// One term of the vocabulary found in a program's text: the evidence for a goal.
package struct SDGEvidence: Codable, Sendable, Equatable {
    package enum Match: String, Codable, Sendable {
        /// The term's characters begin and end on ICU word boundaries of the text.
        case word
        /// The fallback: the term's characters occur as one run (all of its character
        /// n-grams in order) but not on word boundaries, or ICU could not break the text.
        case ngram
    }

    /// The term as the vocabulary writes it.
    package var term: String
    package var field: ReviewField
    package var match: Match
    /// The targets of this goal the term indicates.
    package var targets: [String]
    /// What the term adds to the goal's score.
    package var weight: Double
}

package struct SDGTargetSuggestion: Codable, Sendable, Equatable {
    package var target: String
    package var labelJa: String
    package var labelEn: String
    package var score: Double

    enum CodingKeys: String, CodingKey {
        case target, score
        case labelJa = "label_ja", labelEn = "label_en"
    }
}

/// A goal suggested for a program, with its targets and the words that support it.
/// Never without evidence: a goal is suggested only for terms found in the program's text.
package struct SDGGoalSuggestion: Codable, Sendable, Equatable {
    package var goal: Int
    package var score: Double
    /// Best first.
    package var targets: [SDGTargetSuggestion]
    /// Heaviest first.
    package var evidence: [SDGEvidence]
}

/// Suggests SDG goals and targets for a program from its own words.
///
/// A term matches where its folded characters occur in a field's folded text and begin
/// and end on ICU word boundaries (`word`); a term of three or more non-Latin
/// characters that occurs off the boundaries still counts, for less (`ngram`, the
/// character n-gram fallback, also used for every term when ICU cannot break a text).
/// Where matches overlap, the longest wins (`女性の活躍` over `女性`). A term adds
/// field weight × match weight ÷ the number of goals it indicates to each of those
/// goals, once per goal (its best field); a goal's score is the sum, a target's the sum
/// over its own terms. Goals scoring `suggestAt` or more are suggested.
package struct SDGSuggester: Sendable {
    package static let suggestAt = 1.0
    /// A goal a program is not tagged with is reported when its score reaches this.
    package static let strongAt = 2.0

    struct Term: Sendable {
        var text: String
        var scalars: [Unicode.Scalar]
        /// Whether the term is Latin letters and digits (English, `dx`, `co2`): such a
        /// term never matches inside a longer word.
        var latin: Bool
        /// Indices into `vocabulary.targets`.
        var targets: [Int]
        var goals: [Int]
    }

    package let vocabulary: SDGVocabulary
    /// false: character runs only, no ICU word boundaries (the baseline review-eval compares).
    package var wordBreak = true
    /// What an `ngram` match weighs against a `word` match.
    package var ngramWeight = 0.5
    let terms: [Term]
    /// Terms by their first scalar.
    let byFirst: [Unicode.Scalar: [Int]]

    /// The suggester over the built-in vocabulary, indexed once.
    package static let standard = SDGSuggester()

    package init(vocabulary: SDGVocabulary = .standard) {
        self.vocabulary = vocabulary
        var index: [[Unicode.Scalar]: Int] = [:]
        var terms: [Term] = []
        for (targetIndex, target) in vocabulary.targets.enumerated() {
            for text in target.terms {
                let scalars = ReviewText.fold(text)
                guard !scalars.isEmpty else { continue }
                if let known = index[scalars] {
                    if !terms[known].targets.contains(targetIndex) { terms[known].targets.append(targetIndex) }
                    if !terms[known].goals.contains(target.goal) { terms[known].goals.append(target.goal) }
                } else {
                    index[scalars] = terms.count
                    let latin = scalars.allSatisfy { $0.isASCII }
                    terms.append(Term(text: text, scalars: scalars, latin: latin, targets: [targetIndex], goals: [target.goal]))
                }
            }
        }
        self.terms = terms
        var byFirst: [Unicode.Scalar: [Int]] = [:]
        for (i, term) in terms.enumerated() { byFirst[term.scalars[0], default: []].append(i) }
        self.byFirst = byFirst
    }

    package var termCount: Int { terms.count }

    /// Suggested goals, best first (ties by goal number), each with targets and evidence.
    package func suggest(name: String, summary: String?, indicators: [String]) -> [SDGGoalSuggestion] {
        scores(name: name, summary: summary, indicators: indicators).filter { $0.score >= Self.suggestAt }
    }

    /// Every goal with any evidence at all, best first (also those below `suggestAt`).
    package func scores(name: String, summary: String?, indicators: [String]) -> [SDGGoalSuggestion] {
        // The best (heaviest) match of each term over the fields.
        var best: [Int: (field: ReviewField, match: SDGEvidence.Match, weight: Double)] = [:]
        var texts: [(ReviewField, String)] = [(.name, name)]
        if let summary { texts.append((.summary, summary)) }
        texts += indicators.map { (.indicator, $0) }
        for (field, text) in texts {
            for (term, match) in matches(in: ReviewText(text, wordBreak: wordBreak)) {
                let weight = field.weight * (match == .word ? 1 : ngramWeight)
                if weight > best[term]?.weight ?? 0 { best[term] = (field, match, weight) }
            }
        }
        var byGoal: [Int: SDGGoalSuggestion] = [:]
        var targetScores: [Int: Double] = [:]
        for (termIndex, found) in best {
            let term = terms[termIndex]
            let share = found.weight / Double(term.goals.count)
            for goal in term.goals {
                let targets = term.targets.filter { vocabulary.targets[$0].goal == goal }
                for target in targets { targetScores[target, default: 0] += share }
                byGoal[goal, default: SDGGoalSuggestion(goal: goal, score: 0, targets: [], evidence: [])].evidence.append(SDGEvidence(
                    term: term.text, field: found.field, match: found.match,
                    targets: targets.map { vocabulary.targets[$0].code }, weight: Self.rounded(share)))
                byGoal[goal]!.score += share
            }
        }
        var out: [SDGGoalSuggestion] = []
        for (goal, var suggestion) in byGoal {
            suggestion.score = Self.rounded(suggestion.score)
            suggestion.evidence.sort { ($0.weight, $1.term) > ($1.weight, $0.term) }
            suggestion.targets = targetScores.filter { vocabulary.targets[$0.key].goal == goal }
                .map { index, score in
                    let target = vocabulary.targets[index]
                    return SDGTargetSuggestion(target: target.code, labelJa: target.labelJa, labelEn: target.labelEn, score: Self.rounded(score))
                }
                .sorted { $0.score != $1.score ? $0.score > $1.score : Self.targetOrder($0.target) < Self.targetOrder($1.target) }
            out.append(suggestion)
        }
        return out.sorted { $0.score != $1.score ? $0.score > $1.score : $0.goal < $1.goal }
    }

    /// The terms found in one text and how each matched (its best occurrence), longest
    /// matches first claiming their characters.
    func matches(in text: ReviewText) -> [(term: Int, match: SDGEvidence.Match)] {
        let scalars = text.scalars
        var found: [(term: Int, range: Range<Int>, match: SDGEvidence.Match)] = []
        for start in scalars.indices {
            for termIndex in byFirst[scalars[start]] ?? [] {
                let term = terms[termIndex]
                let end = start + term.scalars.count
                guard end <= scalars.count, scalars[start..<end].elementsEqual(term.scalars) else { continue }
                if let match = classify(term, start..<end, in: text) { found.append((termIndex, start..<end, match)) }
            }
        }
        found.sort { ($0.range.count, $1.range.lowerBound) > ($1.range.count, $0.range.lowerBound) }
        var kept: [(term: Int, range: Range<Int>, match: SDGEvidence.Match)] = []
        for candidate in found where !kept.contains(where: { $0.range.lowerBound <= candidate.range.lowerBound && candidate.range.upperBound <= $0.range.upperBound }) {
            kept.append(candidate)
        }
        var best: [Int: SDGEvidence.Match] = [:]
        for item in kept where best[item.term] != .word { best[item.term] = item.match }
        return best.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private func classify(_ term: Term, _ range: Range<Int>, in text: ReviewText) -> SDGEvidence.Match? {
        switch text.onWordBoundaries(range) {
        case true?: return .word
        case false?: return !term.latin && term.scalars.count >= 3 ? .ngram : nil
        case nil:
            // No word boundaries (ICU failed): character runs, Latin terms as whole words.
            if term.latin {
                func letter(_ i: Int) -> Bool {
                    i >= 0 && i < text.scalars.count && (text.scalars[i].properties.isAlphabetic || text.scalars[i].properties.numericType != nil)
                        && text.scalars[i].isASCII
                }
                return letter(range.lowerBound - 1) || letter(range.upperBound) ? nil : .ngram
            }
            return term.scalars.count >= 2 ? .ngram : nil
        }
    }

    /// `1.2` < `1.10` < `1.a`.
    static func targetOrder(_ code: String) -> (Int, Int, String) {
        let parts = code.split(separator: ".")
        let goal = Int(parts.first ?? "") ?? 0
        let rest = parts.count > 1 ? String(parts[1]) : ""
        return (goal, Int(rest) ?? 1000, rest)
    }

    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
