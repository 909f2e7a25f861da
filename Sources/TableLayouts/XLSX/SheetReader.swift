import EvaluationTables
import Foundation

/// One worksheet part → a grid of cell text. Shared and inline strings as text, numbers
/// without a spurious `.0`, dates as `yyyy-mm-dd`, a formula by its cached value; a
/// merged range's value copied into every cell of the range (a merged policy cell then
/// stands on each of its rows, a merged header band over each of its columns).
struct SheetReader {
    /// Cells past these are refused: they bound memory on a hostile or broken sheet.
    static let maxRows = 200_000
    static let maxColumns = 2_000
    /// Cells held, blanks padding a row included (a cell far to the right pads its row;
    /// a large merged range fills every cell it covers).
    static let maxCells = 5_000_000

    let parts: ZipParts
    let index: WorkbookIndex

    func grid(name: String, path: String) throws(ReadError) -> Grid {
        guard let data = try parts.data(path) else {
            throw ReadError(source: parts.source, line: 1, kind: .malformed,
                reason: "corrupt xlsx workbook: sheet \(name) has no part \(path)")
        }
        var rows: [[String]] = []
        var merges: [(rows: ClosedRange<Int>, columns: ClosedRange<Int>)] = []
        var rowIndex = -1
        var column = -1
        var type = ""
        var style = -1
        var value = ""
        var inValue = false
        var inPhonetic = false
        var outOfBounds: String? = nil
        var held = 0
        var hasFormula = false
        var uncalculated: [(row: Int, column: Int)] = []
        let shared = index.sharedStrings
        let dates = index.dateStyles

        try WorkbookIndex.run(parts, path, data, start: { element, attributes in
            switch element {
            case "row":
                rowIndex = attributes["r"].flatMap(Int.init).map { $0 - 1 } ?? rowIndex + 1
                column = -1
            case "c":
                if let ref = attributes["r"], let (r, c) = Self.reference(ref) {
                    rowIndex = r
                    column = c
                } else {
                    column += 1
                }
                type = attributes["t"] ?? "n"
                style = attributes["s"].flatMap(Int.init) ?? -1
                value = ""
                hasFormula = false
            case "f": hasFormula = true
            case "v": inValue = true
            case "rPh": inPhonetic = true
            case "t": inValue = !inPhonetic
            case "mergeCell":
                if let ref = attributes["ref"], let range = Self.range(ref) { merges.append(range) }
            default: break
            }
        }, end: { element in
            switch element {
            case "v", "t": inValue = false
            case "rPh": inPhonetic = false
            case "c":
                guard rowIndex >= 0, column >= 0 else { return }
                guard rowIndex < Self.maxRows, column < Self.maxColumns else {
                    if outOfBounds == nil { outOfBounds = "\(ColumnName.letters(column))\(rowIndex + 1)" }
                    return
                }
                let text = Self.text(value, type: type, style: style, shared: shared, dates: dates)
                if hasFormula, value.isEmpty, uncalculated.count < 1000 { uncalculated.append((rowIndex, column)) }
                guard !text.isEmpty else { return }
                while rows.count <= rowIndex { rows.append([]) }
                if rows[rowIndex].count <= column {
                    held += column + 1 - rows[rowIndex].count
                    guard held <= Self.maxCells else {
                        if outOfBounds == nil { outOfBounds = "\(ColumnName.letters(column))\(rowIndex + 1)" }
                        return
                    }
                    rows[rowIndex].append(contentsOf: repeatElement("", count: column + 1 - rows[rowIndex].count))
                }
                rows[rowIndex][column] = text
            default: break
            }
        }, text: { text in
            if inValue { value += text }
        })
        if let cell = outOfBounds {
            throw ReadError(source: parts.source, line: 1, kind: .tooLarge,
                reason: "sheet is larger than this reader accepts (\(Self.maxRows) rows, \(Self.maxColumns) columns, \(Self.maxCells) cells in all) from this cell on",
                location: "\(parts.source):\(name)!\(cell)")
        }
        var copies = Set<Int>()
        guard Self.fill(&rows, merges, budget: Self.maxCells - held, copies: &copies) else {
            throw ReadError(source: parts.source, line: 1, kind: .tooLarge,
                reason: "sheet's merged ranges cover more than the \(Self.maxCells) cells this reader accepts",
                location: "\(parts.source):\(name)")
        }
        var grid = Grid(source: parts.source, origin: .sheet(name), rows: rows)
        grid.uncalculated = uncalculated
        grid.mergedCopies = copies
        return grid
    }

    /// A cell's text by its type: `s` shared string, `inlineStr`/`str` as written, `b`
    /// TRUE/FALSE, `e` the error text (`#N/A`), numbers (dates by style).
    static func text(_ value: String, type: String, style: Int, shared: [String], dates: Set<Int>) -> String {
        switch type {
        case "s":
            guard let i = Int(value), i >= 0, i < shared.count else { return "" }
            return shared[i]
        case "inlineStr", "str", "e": return value
        case "b": return value == "1" ? "TRUE" : "FALSE"
        default:
            guard let number = Double(value) else { return value }
            if dates.contains(style) { return SerialDate.text(number) }
            if number == number.rounded(), abs(number) < 1e15 { return String(Int(number)) }
            return value
        }
    }

    /// Copies each merged range's top-left value into the range's other cells (within
    /// the rows that exist, so a whole-column merge costs nothing extra). False when the
    /// cells the ranges cover would exceed `budget` (many large ranges cost time too).
    static func fill(_ rows: inout [[String]], _ merges: [(rows: ClosedRange<Int>, columns: ClosedRange<Int>)], budget: Int, copies: inout Set<Int>) -> Bool {
        var budget = budget
        for merge in merges {
            let top = merge.rows.lowerBound
            let left = merge.columns.lowerBound
            guard top < rows.count, left < rows[top].count, merge.columns.upperBound < maxColumns else { continue }
            let value = rows[top][left]
            guard !value.isEmpty else { continue }
            let bottom = min(merge.rows.upperBound, rows.count - 1)
            budget -= (bottom - top + 1) * merge.columns.count
            if budget < 0 { return false }
            for r in top...bottom {
                if rows[r].count <= merge.columns.upperBound {
                    rows[r].append(contentsOf: repeatElement("", count: merge.columns.upperBound + 1 - rows[r].count))
                }
                for c in merge.columns where rows[r][c].isEmpty && (r, c) != (top, left) {
                    rows[r][c] = value
                    copies.insert(r << 16 | c)
                }
            }
        }
        return true
    }

    /// `G14` → (13, 6).
    static func reference(_ ref: String) -> (row: Int, column: Int)? {
        let letters = ref.prefix { $0.isASCII && $0.isLetter }
        guard let column = ColumnName.index(letters.uppercased()), let row = Int(ref.dropFirst(letters.count)), row >= 1 else { return nil }
        return (row - 1, column)
    }

    /// `A3:A7` → rows 2…6, columns 0…0.
    static func range(_ ref: String) -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>)? {
        let ends = ref.split(separator: ":")
        guard ends.count == 2, let a = reference(String(ends[0])), let b = reference(String(ends[1])) else { return nil }
        return (min(a.row, b.row)...max(a.row, b.row), min(a.column, b.column)...max(a.column, b.column))
    }
}

/// Excel's serial dates (1900 date system: day 1 = 1900-01-01, with its phantom
/// 1900-02-29) as `yyyy-mm-dd`.
enum SerialDate {
    static func text(_ serial: Double) -> String {
        let days = Int(serial.rounded(.down))
        // Days from 1970-01-01; Excel's serial 25569 is that day.
        let z = days - 25569 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))"
    }
}
