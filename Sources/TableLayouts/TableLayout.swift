import CrosswalkModel
import EvaluationTables

/// A declared layout: which sheet and header rows to read, which column holds which
/// field, and the facts a table may not state (unit, fiscal year, organization).
/// Everything is optional; what is declared overrides what the reader would guess.
/// docs/LAYOUTS.md documents the file format.
package struct TableLayout: Sendable, Equatable {
    package enum ColumnReference: Sendable, Equatable {
        /// 0-based column index (from a letter: `D` = 3).
        case letter(Int)
        /// Header text, matched width- and space-insensitively.
        case header(String)
    }

    package struct Column: Sendable, Equatable {
        package var field: Field
        package var reference: ColumnReference
        /// Line of the layout file that declared it (for messages).
        package var line: Int
    }

    package enum Unit: String, Sendable, Equatable {
        case yen = "円"
        case thousandYen = "千円"
    }

    package enum YenRounding: String, Sendable, Equatable {
        /// A 円 amount that is not whole 千円 refuses the document.
        case exact
        /// Round half up (away from zero) to 千円, with a warning per cell.
        case nearest
    }

    package var file: String
    package var sheet: String?
    /// 1-based rows of the header (one or two).
    package var headerRows: ClosedRange<Int>?
    package var unit: Unit?
    package var yenRounding: YenRounding = .exact
    package var fiscalYear: Int?
    package var organization: String?
    package var columns: [Column] = []
    /// Only the declared columns are read (`guess = off`); else declared columns
    /// override the guessed ones and the rest are still guessed.
    package var guess = true
    /// Grades of the table's own scale (`grade.A = 順調`): written grade → its meaning.
    package var grades: [String: String] = [:]

    package init(file: String) {
        self.file = file
    }
}

/// A layout file line that cannot be used. `description` is `file:line: reason`.
package struct LayoutError: Error, CustomStringConvertible, Sendable, Equatable {
    package var file: String
    package var line: Int
    package var reason: String

    package var description: String { "\(file):\(line): \(reason)" }
}

extension TableLayout {
    /// Parses a layout file: the `key = value` lines of `KeyValueText`.
    package static func parse(text: String, file: String) throws(LayoutError) -> TableLayout {
        var layout = TableLayout(file: file)
        var seen: [String: Int] = [:]
        let lines: [KeyValueText.Line]
        do {
            lines = try KeyValueText.parse(text, file: file)
        } catch {
            throw LayoutError(file: error.file, line: error.line, reason: error.reason)
        }
        for entry in lines {
            let line = entry.number
            func fail(_ reason: String) -> LayoutError { LayoutError(file: file, line: line, reason: reason) }
            let writtenKey = entry.key
            let key = writtenKey.lowercased()
            let (value, quoted) = (entry.value, entry.quoted)
            if key.isEmpty { throw fail("missing key before `=`") }
            if value.isEmpty { throw fail("`\(key)` has no value") }
            if let earlier = seen[key] { throw fail("`\(key)` is declared again (first on line \(earlier))") }
            seen[key] = line
            if key.hasPrefix("grade.") {
                // A grade keeps the case it is written in (`grade.A`).
                layout.grades[String(writtenKey.dropFirst(6))] = value
                continue
            }
            try layout.apply(key: key, value: value, quoted: quoted, line: line, fail: fail)
        }
        return layout
    }

    private mutating func apply(key: String, value: String, quoted: Bool, line: Int, fail: (String) -> LayoutError) throws(LayoutError) {
        switch key {
        case "sheet":
            sheet = value
        case "header-rows":
            let bounds = value.split(separator: "-").map { Int($0.trimmingWhitespace()) }
            guard (1...2).contains(bounds.count), let first = bounds[0], first >= 1, let last = bounds.last!, last >= first, last - first <= 1 else {
                throw fail("header-rows must be one row or two adjacent rows, 1-based (`3` or `3-4`), not `\(value)`")
            }
            headerRows = first...last
        case "unit":
            switch TextKey.fold(value) {
            case "円", "yen": unit = .yen
            case "千円", "thousand-yen": unit = .thousandYen
            default: throw fail("unit must be `円` or `千円`, not `\(value)`")
            }
        case "yen-rounding":
            guard let rounding = YenRounding(rawValue: value) else {
                throw fail("yen-rounding must be `exact` or `nearest`, not `\(value)`")
            }
            yenRounding = rounding
        case "fiscal-year":
            if let year = Int(value), (1989...2200).contains(year) {
                fiscalYear = year
            } else if let year = CellText.fiscalYears(in: value, requireNendo: false).first {
                fiscalYear = year
            } else {
                throw fail("fiscal-year must be a year such as `2023` or `令和5年度`, not `\(value)`")
            }
        case "organization":
            organization = value
        case "guess":
            switch value {
            case "on": guess = true
            case "off": guess = false
            default: throw fail("guess must be `on` or `off`, not `\(value)`")
            }
        default:
            if key.hasPrefix("column.") {
                try declareColumns(String(key.dropFirst(7)), value, quoted: quoted, line: line, fail: fail)
            } else {
                throw fail("unknown key `\(key)` (see docs/LAYOUTS.md for the keys a layout may declare)")
            }
        }
    }

    private mutating func declareColumns(_ name: String, _ value: String, quoted: Bool, line: Int, fail: (String) -> LayoutError) throws(LayoutError) {
        // `column.sdg-marks = K:AA`: the 17 goal-mark columns, goal 1 first.
        if name == "sdg-marks" || name == "policy-sdg-marks" {
            let ends = value.split(separator: ":").map { ColumnName.index($0.trimmingWhitespace()) }
            guard ends.count == 2, let first = ends[0], let last = ends[1], last - first == 16 else {
                throw fail("\(name) must be 17 adjacent columns as `FIRST:LAST` letters (`K:AA`), not `\(value)`")
            }
            for goal in SDGGoal.range {
                let field: Field = name == "sdg-marks" ? .sdgMark(goal) : .policySdgMark(goal)
                columns.append(Column(field: field, reference: .letter(first + goal - 1), line: line))
            }
            return
        }
        guard let field = Field.named(name) else {
            throw fail("unknown column field `\(name)` (see docs/LAYOUTS.md for the fields)")
        }
        let reference: ColumnReference
        if let index = ColumnName.index(value), !quoted {
            reference = .letter(index)
        } else {
            reference = .header(value)
        }
        columns.append(Column(field: field, reference: reference, line: line))
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs, CR and U+3000.
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\u{3000}" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\u{3000}" { s.removeLast() }
        return String(s)
    }
}
