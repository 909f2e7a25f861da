import EvaluationTables

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
