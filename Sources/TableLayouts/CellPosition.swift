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
