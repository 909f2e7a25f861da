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
