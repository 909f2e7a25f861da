import Foundation

/// `REVIEW SDG`: the three groups, each suggestion with its score, targets and evidence.
extension SDGReviewAnswer {
    package var document: ReportDocument {
        let colors = Dictionary(goals.map { ($0.goal, $0.color) }, uniquingKeysWith: { first, _ in first })
        func marks(_ list: [Int]) -> Cell { .goals(list.map { Cell.GoalMark($0, color: colors[$0] ?? "#888888") }) }
        func rows(_ entries: [Entry]) -> [[Cell]] {
            entries.map { entry in
                [.program(entry.program.name, id: entry.program.id), .text(entry.program.department), marks(entry.program.goals),
                 marks(entry.goals), .lines(entry.suggestions.map(Self.suggestionText))]
            }
        }
        let columns: [Table.Column] = [.init("事業"), .init("所管課", nowrap: true), .init("タグ付けされたゴール", nowrap: true),
                                       .init("対象のゴール", nowrap: true), .init("提案（スコア・ターゲット・根拠の語）")]
        return ReportDocument(
            title: "SDGs タグの点検 \(ReportText.fiscalYear(fiscalYear))",
            facts: [
                .init("年度", ReportText.fiscalYear(fiscalYear)),
                .init("点検した事業", "\(ReportText.grouped(programs)) 件"),
                .init("提案の基準", "スコア \(Self.number(suggestAt)) 以上（強い根拠: \(Self.number(strongAt)) 以上）"),
            ],
            counting: .init(
                headline: "提案は助言です。タグには書き込みません。",
                sentences: ["事業名・概要・指標名に含まれる語を SDGs ターゲットの語彙と照合し、語ごとの根拠を示します。", method]),
            sections: [
                .init(heading: "根拠のないタグ", note: "タグ付けされたゴールのうち、事業の文面に根拠となる語が一つもないもの（対象のゴール）。",
                      table: Table(columns: columns, rows: rows(taggedWithoutEvidence), emptyText: "なし")),
                .init(heading: "強い根拠があるのにタグのないゴール", note: "文面に強い根拠があるが、タグ付けされていないゴール（対象のゴール）。",
                      table: Table(columns: columns, rows: rows(strongEvidenceUntagged), emptyText: "なし")),
                .init(heading: "ゴールのない事業への提案", note: "SDGs ゴールが一つもない事業と、その文面からの提案。",
                      table: Table(columns: columns, rows: rows(noGoal), emptyText: "なし")),
            ])
    }

    /// `8 (2.5): 8.5 働きがいのある完全雇用 — テレワーク[name], 働き方[summary]`
    static func suggestionText(_ suggestion: SDGGoalSuggestion) -> String {
        let targets = suggestion.targets.prefix(3).map { "\($0.target) \($0.labelJa)" }.joined(separator: ", ")
        let evidence = suggestion.evidence.map { "\($0.term)[\($0.field.rawValue)\($0.match == .ngram ? ",n-gram" : "")]" }
            .joined(separator: ", ")
        return "\(suggestion.goal) (\(number(suggestion.score))): \(targets) — \(evidence)"
    }

    static func number(_ value: Double) -> String { ReportText.plain(Decimal(string: "\(value)") ?? 0) }

    /// One row per program, group and suggested goal.
    package var csvTable: CSVTable {
        var rows: [[CSVField]] = []
        func add(_ group: String, _ entries: [Entry]) {
            for entry in entries {
                let base: [CSVField] = [.optional(fiscalYear.map(Int64.init)), .text(group), .number(entry.program.id), .text(entry.program.name),
                                        .text(entry.program.department), .text(entry.program.goals.map(String.init).joined(separator: " ")),
                                        .text(entry.goals.map(String.init).joined(separator: " "))]
                if entry.suggestions.isEmpty { rows.append(base + [.empty, .empty, .empty, .empty]) }
                for suggestion in entry.suggestions {
                    rows.append(base + [
                        .number(suggestion.goal), .number(Decimal(string: "\(suggestion.score)") ?? 0),
                        .text(suggestion.targets.map(\.target).joined(separator: " ")),
                        .text(suggestion.evidence.map { "\($0.term) (\($0.field.rawValue), \($0.match.rawValue))" }.joined(separator: "; ")),
                    ])
                }
            }
        }
        add("tagged_without_evidence", taggedWithoutEvidence)
        add("strong_evidence_untagged", strongEvidenceUntagged)
        add("no_goal", noGoal)
        return CSVTable(header: ["fiscal_year", "group", "program_id", "program", "department", "tagged_goals", "goals",
                                 "suggested_goal", "score", "targets", "evidence"], rows: rows)
    }
}
