import CrosswalkModel
import EvaluationTables

enum HeaderFinder {
    /// How far down title rows may push the header.
    static let searchRows = 30

    /// The column map of `grid` under `layout`, or nil when no header is recognised
    /// (the caller decides whether that is an error: the next sheet may have one).
    static func find(_ grid: Grid, layout: TableLayout?) throws(ReadError) -> ColumnMap? {
        if let declared = layout?.headerRows {
            let rows = (declared.lowerBound - 1)...(declared.upperBound - 1)
            guard rows.upperBound < grid.rows.count else {
                throw ReadError(source: grid.source, line: declared.upperBound, kind: .layoutMismatch,
                    reason: "header-rows = \(declared.lowerBound)-\(declared.upperBound) (\(layout!.file)) is past the end of the table (\(grid.rows.count) rows)",
                    location: grid.position(row: rows.upperBound))
            }
            guard let map = try map(grid, rows: rows, layout: layout), map.first(.program) != nil else {
                throw ReadError(source: grid.source, line: declared.lowerBound, kind: .layoutMismatch,
                    reason: "header-rows = \(declared.lowerBound)\(declared.count > 1 ? "-\(declared.upperBound)" : "") (\(layout!.file)) names no program column; declare `column.program`",
                    location: grid.position(row: rows.lowerBound))
            }
            return map
        }
        let limit = min(searchRows, grid.rows.count)
        for top in 0..<limit {
            let single = try map(grid, rows: top...top, layout: layout, quiet: true)
            // A title row naming 事業 is one label; a header names a program and more, in
            // cells that hold text (a column declared by letter says nothing of the row).
            guard let single, let program = single.entries.first(where: { $0.field == .program }), !program.label.isEmpty,
                single.entries.filter({ !$0.label.isEmpty }).count >= 2
            else { continue }
            // A second header row: more fields recognised, or a goal-number row under `SDGs`.
            if top + 1 < grid.rows.count, let double = try map(grid, rows: top...(top + 1), layout: layout, quiet: true),
                double.first(.program) != nil, double.entries.count > single.entries.count,
                !looksLikeData(grid.rows[top + 1]) || hasGoalNumbers(grid.rows[top + 1])
            {
                return try map(grid, rows: top...(top + 1), layout: layout)
            }
            return try map(grid, rows: top...top, layout: layout)
        }
        return nil
    }

    /// A row of 1…17 in adjacent cells: the goal numbers under an `SDGs` band.
    static func hasGoalNumbers(_ row: [String]) -> Bool {
        let values = row.map { Int(TextKey.fold($0)) }
        guard values.count >= 17 else { return false }
        for start in 0...(values.count - 17) where values[start] == 1 {
            if (0..<17).allSatisfy({ values[start + $0] == $0 + 1 }) { return true }
        }
        return false
    }

    /// A row with an amount in it is data, not a second header row.
    private static func looksLikeData(_ row: [String]) -> Bool {
        row.contains { cell in
            if case .value(let v) = CellText.amount(cell), abs(v) >= 1000 || cell.contains(",") { return true }
            return false
        }
    }

    /// The header label of each column: one row as written; two rows as top + bottom,
    /// a blank top cell taking the band label to its left when the cell below has one.
    static func labels(_ grid: Grid, rows: ClosedRange<Int>) -> [String] {
        let width = grid.columnCount
        if rows.count == 1 { return (0..<width).map { grid.cell(rows.lowerBound, $0).trimmingWhitespace() } }
        var out: [String] = []
        var band = ""
        for c in 0..<width {
            var top = grid.cell(rows.lowerBound, c).trimmingWhitespace()
            let bottom = grid.cell(rows.upperBound, c).trimmingWhitespace()
            if !top.isEmpty { band = top } else if !bottom.isEmpty { top = band }
            if bottom.isEmpty { band = top.isEmpty ? "" : band }
            out.append(top == bottom ? top : top + bottom)
        }
        return out
    }

    static func map(_ grid: Grid, rows: ClosedRange<Int>, layout: TableLayout?, quiet: Bool = false) throws(ReadError) -> ColumnMap? {
        let labels = labels(grid, rows: rows)
        var entries: [ColumnMap.Entry] = []
        var taken = Set<Int>()
        var declaredFields = Set<Field>()
        for declared in layout?.columns ?? [] {
            let column: Int?
            switch declared.reference {
            case .letter(let index): column = index
            case .header(let text):
                let key = TextKey.fold(text)
                column = labels.firstIndex { TextKey.fold($0) == key }
                    ?? (0..<labels.count).first { c in rows.contains { TextKey.fold(grid.cell($0, c)) == key } }
            }
            guard let column else {
                if quiet { return nil }
                let found = labels.enumerated().filter { !$0.element.isEmpty }.map { "\(ColumnName.letters($0.offset))=\($0.element)" }
                throw ReadError(source: grid.source, line: rows.lowerBound + 1, kind: .layoutMismatch,
                    reason: "column.\(declared.field) = \(declared.reference.written) (\(layout!.file):\(declared.line)) names a header the table does not have; header cells: \(found.prefix(40).joined(separator: ", "))",
                    location: grid.position(row: rows.lowerBound))
            }
            entries.append(.init(column: column, field: declared.field, unit: HeaderVocabulary.unit(in: labels[safe: column] ?? ""), label: labels[safe: column] ?? ""))
            taken.insert(column)
            declaredFields.insert(declared.field)
        }
        var unrecognised: [(Int, String)] = []
        if layout?.guess ?? true {
            var guessedFields = Set<Field>()
            for (column, label) in labels.enumerated() where !taken.contains(column) && !label.isEmpty {
                guard let field = HeaderVocabulary.field(for: label) else {
                    unrecognised.append((column, label))
                    continue
                }
                // The first column of a field wins; a declared field is never guessed again.
                guard !declaredFields.contains(field), !guessedFields.contains(field) else { continue }
                guessedFields.insert(field)
                entries.append(.init(column: column, field: field, unit: HeaderVocabulary.unit(in: label), label: label))
            }
        }
        guard !entries.isEmpty else { return nil }
        return ColumnMap(headerRows: rows, entries: entries.sorted { $0.column < $1.column }, unrecognised: unrecognised)
    }
}

extension TableLayout.ColumnReference {
    var written: String {
        switch self {
        case .letter(let index): ColumnName.letters(index)
        case .header(let text): text
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
