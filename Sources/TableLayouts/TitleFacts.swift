import CrosswalkModel
import EvaluationTables

/// What title rows above the header say: `令和5年度 事務事業評価（総務局）（単位：円）`.
struct TitleFacts {
    var fiscalYear: Int?
    var organization: String?
    var unit: TableLayout.Unit?

    init(_ grid: Grid, above headerTop: Int) {
        let cells = grid.rows.prefix(headerTop).flatMap { $0 }.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        let text = cells.joined(separator: " ")
        fiscalYear = CellText.fiscalYears(in: text).first
        for group in Self.parenthesised(text) {
            let folded = TextKey.fold(group)
            if folded.contains("単位") || folded == "円" || folded == "千円" {
                unit = HeaderVocabulary.unit(in: folded.contains("単位") ? group : "単位:" + group)
            } else if !group.isEmpty, CellText.fiscalYears(in: group).isEmpty {
                // The last other group names the office, as in the published tables.
                organization = group.trimmingWhitespace()
            }
        }
        if unit == nil, let cell = cells.first(where: { TextKey.fold($0).contains("単位") }) {
            unit = HeaderVocabulary.unit(in: cell)
        }
    }

    /// Contents of `（…）` and `(…)` groups, in order.
    static func parenthesised(_ text: String) -> [String] {
        var out: [String] = []
        var current: String? = nil
        for c in text {
            if c == "（" || c == "(" {
                current = ""
            } else if c == "）" || c == ")" {
                if let group = current { out.append(group) }
                current = nil
            } else if current != nil {
                current!.append(c)
            }
        }
        return out
    }
}
