import CrosswalkModel
import EvaluationTables

/// SDG goal cells: numbers in one cell (`3,11`, `３・１１`, `5、8`, `⑪ ⑯`, `該当なし`), or
/// a mark in one of 17 goal columns (○ ● ◯ ✓).
enum GoalCell {
    enum Reading: Equatable {
        case goals([Int])
        /// Text that is not goals; kept out, with a warning.
        case unreadable
    }

    /// Words that say "no goal".
    static let noneWords: Set<String> = ["該当なし", "なし", "無し", "対象外", "-", "×", "n/a"]

    static func read(_ cell: String) -> Reading {
        let text = cell.trimmingWhitespace()
        if text.isEmpty || noneWords.contains(TextKey.fold(text)) || CellText.isDash(text) { return .goals([]) }
        guard let goals = CellText.sdgGoals(text) else { return .unreadable }
        return .goals(goals)
    }

    /// Characters that mark a goal column.
    static let marks: Set<String> = ["○", "●", "◯", "〇", "◎", "✓", "✔", "☑", "レ", "v", "1", "true"]

    /// True for a mark, false for blank or a no-mark (`×`, `-`), nil for other text.
    static func isMarked(_ cell: String) -> Bool? {
        let text = TextKey.fold(cell)
        if text.isEmpty || text == "×" || text == "x" || text == "0" || text == "false" || CellText.isDash(text) { return false }
        return marks.contains(text) ? true : nil
    }
}

/// Amount cells → integer 千円: 円 amounts convert exactly, or not at all unless the
/// layout allows rounding.
struct AmountConverter {
    var rounding: TableLayout.YenRounding

    enum Outcome: Equatable {
        case amount(Int?)
        /// Not a figure (kept as null, with a warning).
        case garbled
        /// A 円 amount rounded to 千円 (`yen-rounding = nearest`), with a warning.
        case rounded(yen: Int, thousandYen: Int)
        /// A 円 amount that is not whole 千円, and rounding was not allowed.
        case inexact(yen: Int)
    }

    func convert(_ cell: String, unit: TableLayout.Unit) -> Outcome {
        var text = cell.trimmingWhitespace()
        for suffix in ["千円", "円"] where text.hasSuffix(suffix) {
            text = String(text.dropLast(suffix.count)).trimmingWhitespace()
            break
        }
        if text.isEmpty { return .amount(nil) }
        switch CellText.amount(text) {
        case .none: return .amount(nil)
        case .garbled, .notAmount: return .garbled
        case .value(let v):
            if unit == .thousandYen { return .amount(v) }
            if v % 1000 == 0 { return .amount(v / 1000) }
            guard rounding == .nearest else { return .inexact(yen: v) }
            // Half up, away from zero for negatives: ±1,500 円 → ±2 千円.
            let rounded = (abs(v) + 500) / 1000 * (v < 0 ? -1 : 1)
            return .rounded(yen: v, thousandYen: rounded)
        }
    }
}
