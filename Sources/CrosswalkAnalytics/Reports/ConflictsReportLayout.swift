import CrosswalkModel
import Foundation

/// Programs whose listings under different policies disagree.
extension ConflictsReport {
    package var document: ReportDocument {
        var rows: [[Cell]] = []
        for program in programs {
            for conflict in program.conflicts {
                for listing in conflict.listings {
                    rows.append([.program(program.name, id: program.id), .text(program.department), .text(Self.fieldLabel(conflict.field)),
                                 .text(Self.policyText(listing)), .number(listing.no), .text(Self.valueText(listing.value, field: conflict.field)),
                                 .text(conflict.field == "sdg_goals" ? Self.countedText(program) : "")])
                }
            }
        }
        return ReportDocument(
            title: "掲載間の不一致 \(ReportText.fiscalYear(fiscalYear))",
            facts: [
                .init("年度", ReportText.fiscalYear(fiscalYear)),
                .init("不一致のある事業", "\(ReportText.grouped(programs.count)) 件"),
            ],
            sections: [
                .init(
                    heading: "不一致",
                    note: "同じ事業が複数の施策に掲載され、掲載ごとに SDGs ゴール・金額・事業評価が異なるものです。各掲載の値を並べます。\(Self.countingNote)",
                    table: Table(
                        columns: [.init("事業"), .init("所管課", nowrap: true), .init("項目", nowrap: true), .init("施策"), .init("No.", numeric: true), .init("値"),
                                  .init("SDGレポートで集計したゴール", nowrap: true)],
                        rows: rows,
                        emptyText: "なし（掲載間の不一致はありません）"
                    )
                ),
            ]
        )
    }

    /// Which goal set the SDG report counted, for readers of a goal disagreement.
    static let countingNote = "SDGsゴールが食い違う事業について、SDGレポート（crosswalk report sdg、REPORT SDG）は各掲載のゴールの和集合を数え、事業は1件として集計します（最右列）。"

    /// `II-3-(2)-② 働き方改革の推進`: the policy by code and name.
    static func policyText(_ listing: Listing) -> String {
        listing.policyName.map { "\(listing.policyCode) \($0)" } ?? listing.policyCode
    }

    /// `11, 12, 16`: the goals the SDG report counted for the program.
    static func countedText(_ program: Program) -> String {
        (program.countedGoals ?? []).map(String.init).joined(separator: ", ")
    }

    /// `sdg_goals` → `SDGsゴール（sdg_goals）`
    static func fieldLabel(_ field: String) -> String {
        switch field {
        case "sdg_goals": "SDGsゴール（sdg_goals）"
        case "amounts": "金額（amounts）"
        case "grade": "事業評価（grade）"
        default: field
        }
    }

    /// A listing's value as text: goals `11, 16`; amounts `2023年度 決算額 3,947 / …`; grade as written.
    package static func valueText(_ value: JSONValue, field: String) -> String {
        switch value {
        case .null: return "—"
        case .string(let text): return text.isEmpty ? "—" : text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return ReportText.grouped(number)
        case .array(let items):
            if items.isEmpty { return "—" }
            return items.map { item in
                if field == "amounts", let amount = amountText(item) { return amount }
                return valueText(item, field: field)
            }.joined(separator: field == "amounts" ? " / " : ", ")
        case .object(let members):
            return members.keys.sorted().map { "\($0): \(valueText(members[$0]!, field: field))" }.joined(separator: ", ")
        }
    }

    /// `{fiscal_year, kind, thousand_yen}` → `2023年度 決算額 3,947`
    private static func amountText(_ item: JSONValue) -> String? {
        // The decoder may have converted the keys (snake_case → camelCase) or not.
        guard case .number(let year)? = item["fiscal_year"] ?? item["fiscalYear"],
              case .string(let kindText)? = item["kind"] else { return nil }
        let kind = AmountKind(rawValue: kindText).map(ReportText.amountKind) ?? kindText
        let amount: String
        switch item["thousand_yen"] ?? item["thousandYen"] {
        case .number(let value)?: amount = ReportText.grouped(value)
        default: amount = "—"
        }
        return "\(ReportText.plain(year))年度 \(kind) \(amount)"
    }

    /// One row per listing of each disagreement, with the policy's name and, for goals,
    /// the set the SDG report counted.
    package var csvTable: CSVTable {
        var rows: [[CSVField]] = []
        for program in programs {
            for conflict in program.conflicts {
                for listing in conflict.listings {
                    rows.append([.optional(fiscalYear.map(Int64.init)), .number(program.id), .text(program.name), .text(program.department),
                                 .text(conflict.field), .text(listing.policyCode), .optional(listing.policyName), .number(listing.no),
                                 .text(Self.valueText(listing.value, field: conflict.field)),
                                 conflict.field == "sdg_goals" ? .text(Self.countedText(program)) : .empty])
                }
            }
        }
        return CSVTable(
            header: ["fiscal_year", "program_id", "program", "department", "field", "policy_code", "policy_name", "no", "value", "counted_goals"],
            headerJa: ["年度", "事業ID", "事業", "所管課", "項目", "施策コード", "施策名", "No.", "値", "SDGレポートで集計したゴール"],
            rows: rows,
            notes: [Self.countingNote]
        )
    }
}
