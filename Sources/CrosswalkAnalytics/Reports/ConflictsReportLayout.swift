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
                                 .text(listing.policyCode), .number(listing.no), .text(Self.valueText(listing.value, field: conflict.field))])
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
                    note: "同じ事業が複数の施策に掲載され、掲載ごとに SDGs ゴール・金額・事業評価が異なるものです。各掲載の値を並べます。",
                    table: Table(
                        columns: [.init("事業"), .init("所管課", nowrap: true), .init("項目", nowrap: true), .init("施策", nowrap: true), .init("No.", numeric: true), .init("値")],
                        rows: rows,
                        emptyText: "なし（掲載間の不一致はありません）"
                    )
                ),
            ]
        )
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

    /// One row per listing of each disagreement.
    package var csvTable: CSVTable {
        var rows: [[CSVField]] = []
        for program in programs {
            for conflict in program.conflicts {
                for listing in conflict.listings {
                    rows.append([.optional(fiscalYear.map(Int64.init)), .number(program.id), .text(program.name), .text(program.department),
                                 .text(conflict.field), .text(listing.policyCode), .number(listing.no),
                                 .text(Self.valueText(listing.value, field: conflict.field))])
                }
            }
        }
        return CSVTable(header: ["fiscal_year", "program_id", "program", "department", "field", "policy_code", "no", "value"], rows: rows)
    }
}
