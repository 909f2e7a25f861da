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

/// A cell named the way spreadsheets name it.
struct CellPosition: CustomStringConvertible {
    var source: String
    var origin: Grid.Origin
    /// 1-based row.
    var row: Int
    /// 0-based column.
    var column: Int

    var description: String {
        switch origin {
        case .csv: "\(source):row \(row), column \(ColumnName.letters(column))"
        case .sheet(let name): "\(source):\(name)!\(ColumnName.letters(column))\(row)"
        }
    }
}

/// Column letters ↔ 0-based indexes (A = 0, Z = 25, AA = 26, XFD = 16383).
enum ColumnName {
    static func letters(_ index: Int) -> String {
        var n = index + 1
        var out: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            out.append(Character(UnicodeScalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(out.reversed())
    }

    /// The index of `A`…`XFD` (ASCII capitals only); nil for anything else.
    static func index(_ letters: some StringProtocol) -> Int? {
        guard (1...3).contains(letters.count) else { return nil }
        var n = 0
        for scalar in letters.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 else { return nil }
            n = n * 26 + Int(scalar.value - 64)
        }
        return n <= 16384 ? n - 1 : nil
    }
}
