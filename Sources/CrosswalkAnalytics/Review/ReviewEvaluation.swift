import Foundation

/// A program whose goals a person set: the measure of the review's suggestions.
package struct LabelledProgram: Sendable, Equatable {
    package var id: String
    /// The field it belongs to (welfare, environment, …), for the per-field figures.
    package var field: String
    package var goals: [Int]
    package var name: String
    package var summary: String?
    package var indicators: [String]

    package init(id: String, field: String, goals: [Int], name: String, summary: String?, indicators: [String]) {
        self.id = id
        self.field = field
        self.goals = goals
        self.name = name
        self.summary = summary
        self.indicators = indicators
    }

    /// Reads a labelled set: `#` comments, a header, then `id  field  goals  name  summary
    /// indicator` (goals separated by spaces, indicators by `|`).
    package static func readTSV(_ text: String, source: String) throws -> [LabelledProgram] {
        var out: [LabelledProgram] = []
        var sawHeader = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if !sawHeader {
                guard fields.first == "id" else { throw VocabularyError("\(source):\(index + 1):1: expected the header line 'id<TAB>field<TAB>goals…'") }
                sawHeader = true
                continue
            }
            guard fields.count == 6 else {
                throw VocabularyError("\(source):\(index + 1):1: expected 6 tab-separated fields, found \(fields.count)")
            }
            var goals: [Int] = []
            for part in fields[2].split(separator: " ") {
                guard let goal = Int(part), (1...17).contains(goal) else {
                    throw VocabularyError("\(source):\(index + 1):3: goal '\(part)' is not a number from 1 to 17")
                }
                goals.append(goal)
            }
            guard !goals.isEmpty else { throw VocabularyError("\(source):\(index + 1):3: a labelled program needs at least one goal") }
            guard !fields[3].isEmpty else { throw VocabularyError("\(source):\(index + 1):4: the program has no name") }
            out.append(LabelledProgram(
                id: fields[0], field: fields[1], goals: goals, name: fields[3], summary: fields[4].isEmpty ? nil : fields[4],
                indicators: fields[5].split(separator: "|").map(String.init)))
        }
        return out
    }
}

/// How often the review's suggestions agree with goals a person set.
package struct ReviewEvaluation: Codable, Sendable, Equatable {
    package struct Figures: Codable, Sendable, Equatable {
        package var programs = 0
        /// Programs whose first suggested goal is one of their goals.
        package var top1Hits = 0
        /// Programs whose top three suggested goals contain one of their goals.
        package var top3Hits = 0
        /// Programs with no suggestion at all.
        package var withoutSuggestion = 0
        package var suggestions = 0
        /// Suggestions whose goal is one the person set (precision = this / suggestions).
        package var suggestionsOfSetGoals = 0
        /// Suggestions (goals or targets) with no evidence: must be 0.
        package var suggestionsWithoutEvidence = 0

        package var top3Rate: Double { programs == 0 ? 0 : Double(top3Hits) / Double(programs) }
        package var top1Rate: Double { programs == 0 ? 0 : Double(top1Hits) / Double(programs) }

        mutating func add(_ program: LabelledProgram, _ suggestions: [SDGGoalSuggestion]) {
            programs += 1
            if let first = suggestions.first, program.goals.contains(first.goal) { top1Hits += 1 }
            if suggestions.prefix(3).contains(where: { program.goals.contains($0.goal) }) { top3Hits += 1 }
            if suggestions.isEmpty { withoutSuggestion += 1 }
            self.suggestions += suggestions.count
            suggestionsOfSetGoals += suggestions.filter { program.goals.contains($0.goal) }.count
            suggestionsWithoutEvidence += suggestions.filter { $0.evidence.isEmpty || $0.targets.isEmpty }.count
        }

        enum CodingKeys: String, CodingKey {
            case programs, suggestions
            case suggestionsOfSetGoals = "suggestions_of_set_goals"
            case top1Hits = "top1_hits", top3Hits = "top3_hits", withoutSuggestion = "without_suggestion"
            case suggestionsWithoutEvidence = "suggestions_without_evidence"
        }
    }

    package var all = Figures()
    /// By the programs' `field`, in name order.
    package var byField: [String: Figures] = [:]
    /// Programs whose top three missed, for reading: id, goals, top three.
    package var misses: [String] = []
    /// The same programs matched on character runs only (no ICU word boundaries), every
    /// match at full weight: plain substring matching, the baseline.
    package var ngramOnly = Figures()
    /// Chance level: the three goals most often set in these programs, suggested for
    /// every program, and how many programs' goals they hit.
    package var frequentGoals: [Int] = []
    package var frequentGoalsHits = 0

    package init(_ programs: [LabelledProgram], suggester: SDGSuggester = .standard) {
        var characters = suggester
        characters.wordBreak = false
        characters.ngramWeight = 1
        var counts: [Int: Int] = [:]
        for program in programs {
            ngramOnly.add(program, characters.suggest(name: program.name, summary: program.summary, indicators: program.indicators))
            for goal in program.goals { counts[goal, default: 0] += 1 }
        }
        frequentGoals = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3).map(\.key)
        frequentGoalsHits = programs.filter { !Set($0.goals).isDisjoint(with: frequentGoals) }.count
        for program in programs {
            let suggestions = suggester.suggest(name: program.name, summary: program.summary, indicators: program.indicators)
            all.add(program, suggestions)
            byField[program.field, default: Figures()].add(program, suggestions)
            if !suggestions.prefix(3).contains(where: { program.goals.contains($0.goal) }) {
                misses.append("\(program.id) \(program.name): goals \(program.goals.map(String.init).joined(separator: " ")), "
                    + "suggested \(suggestions.prefix(3).map { "\($0.goal)" }.joined(separator: " "))")
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case all, misses
        case byField = "by_field", ngramOnly = "ngram_only", frequentGoals = "frequent_goals", frequentGoalsHits = "frequent_goals_hits"
    }

    /// The figures as lines for a terminal and for docs/REVIEW.md.
    package var text: String {
        func line(_ label: String, _ f: Figures) -> String {
            func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }
            return "\(label)\t\(f.programs) programs\ttop-3 \(f.top3Hits)/\(f.programs) (\(percent(f.top3Rate)))"
                + "\ttop-1 \(f.top1Hits)/\(f.programs) (\(percent(f.top1Rate)))\tno suggestion \(f.withoutSuggestion)"
                + "\tsuggestions \(f.suggestions) (of set goals \(f.suggestionsOfSetGoals))\twithout evidence \(f.suggestionsWithoutEvidence)"
        }
        var out = [line("all", all)]
        for field in byField.keys.sorted() { out.append(line(field, byField[field]!)) }
        out.append(line("all, substring matching (no ICU)", ngramOnly))
        out.append("chance: goals \(frequentGoals.map(String.init).joined(separator: " ")) (most often set) as every top 3\t"
            + "top-3 \(frequentGoalsHits)/\(all.programs) (\(String(format: "%.1f%%", all.programs == 0 ? 0 : Double(frequentGoalsHits) / Double(all.programs) * 100)))")
        out += misses.map { "miss\t\($0)" }
        return out.joined(separator: "\n") + "\n"
    }
}
