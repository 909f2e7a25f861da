/// A table as read from a CSV file or one worksheet: cell text by row and column, plus
/// how to name a cell's position in messages.
struct Grid {
    enum Origin {
        case csv
        case sheet(String)
    }

    var source: String
    var origin: Origin
    /// Rows top to bottom; a row may be shorter than others (missing cells are blank).
    var rows: [[String]]
    /// Cells holding a formula with no value saved (0-based row, column): a program that
    /// does not calculate wrote the file, so they read as blank.
    var uncalculated: [(row: Int, column: Int)] = []
    /// Cells that hold a merged range's value without being its top-left cell
    /// (`row << 16 | column`): a program merged over two rows is one program.
    var mergedCopies: Set<Int> = []

    func isMergedCopy(_ row: Int, _ column: Int) -> Bool { mergedCopies.contains(row << 16 | column) }

    func cell(_ row: Int, _ column: Int) -> String {
        guard row < rows.count, column < rows[row].count else { return "" }
        return rows[row][column]
    }

    var columnCount: Int { rows.map(\.count).max() ?? 0 }

    /// `file:sheet!G14` or `file:row 14, column G` (0-based row and column in).
    func position(row: Int, column: Int) -> String {
        CellPosition(source: source, origin: origin, row: row + 1, column: column).description
    }

    func position(row: Int) -> String {
        switch origin {
        case .csv: "\(source):row \(row + 1)"
        case .sheet(let name): "\(source):\(name)!\(row + 1)"
        }
    }
}
