package import CrosswalkModel
package import EvaluationTables
import Foundation

/// Reads a CSV or XLSX evaluation table into the interchange model, through a declared
/// layout or the header names it recognises. No I/O: the caller reads the file.
package enum TableReader {
    package struct Limits: Sendable, Equatable {
        /// Largest file accepted, in bytes as handed to the reader.
        package var maxFileBytes: Int
        /// Largest xlsx part accepted once inflated (the zip-bomb guard).
        package var maxPartBytes: Int

        package init(maxFileBytes: Int = 64 << 20, maxPartBytes: Int = 128 << 20) {
            self.maxFileBytes = maxFileBytes
            self.maxPartBytes = maxPartBytes
        }
    }

    /// True for the files this reader is for: `.csv` and `.xlsx` (published `.txt`
    /// tables stay with `EvaluationReader`).
    package static func handles(_ source: String) -> Bool {
        let lower = source.lowercased()
        return lower.hasSuffix(".csv") || lower.hasSuffix(".xlsx")
    }

    /// Reads a layout file's bytes (UTF-8 with or without BOM, or CP932, like the tables).
    package static func layout(bytes: [UInt8], file: String) throws(LayoutError) -> TableLayout {
        let text: String
        do {
            text = try CellText.decode(bytes, source: file).text
        } catch {
            throw LayoutError(file: file, line: error.line, reason: error.reason)
        }
        return try TableLayout.parse(text: text, file: file)
    }

    /// One document from a CSV (by default) or XLSX file (by its `.xlsx` name or zip bytes).
    /// `sha256` nil: computed here.
    package static func read(
        bytes: [UInt8], source: String, sha256: String? = nil, layout: TableLayout? = nil, limits: Limits = .init()
    ) throws(ReadError) -> EvaluationDocument {
        if bytes.count > limits.maxFileBytes {
            throw ReadError(source: source, line: 1, kind: .tooLarge,
                reason: "file is \(bytes.count) bytes, over the limit of \(limits.maxFileBytes) bytes")
        }
        let isWorkbook = source.lowercased().hasSuffix(".xlsx") || bytes.starts(with: [0x50, 0x4B, 0x03, 0x04])
            || bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0])
        let sha = sha256 ?? SHA256.hex(bytes)
        var warnings: [ReaderWarning] = []
        let grid: Grid
        let encoding: SourceEncoding
        if isWorkbook {
            grid = try Self.sheet(bytes, source: source, layout: layout, limits: limits)
            encoding = .utf8
        } else {
            let decoded = try CellText.decode(bytes, source: source)
            if decoded.truncated {
                warnings.append(ReaderWarning(line: nil, code: "truncated", message: "\(source): file ends inside a multi-byte character (truncated?); the partial character was dropped"))
            }
            grid = Grid(source: source, origin: .csv, rows: try CSVGrid.parse(decoded.text, source: source))
            encoding = decoded.encoding
        }
        guard let map = try HeaderFinder.find(grid, layout: layout) else {
            throw noHeader(grid, layout: layout)
        }
        var document = try TableDocument(grid: grid, map: map, layout: layout, sha256: sha, encoding: encoding).build()
        document.warnings = warnings + document.warnings
        EvaluationReader.reconcile(within: &document)
        return document
    }

    /// The layout's sheet, else the first sheet with a recognised header.
    private static func sheet(_ bytes: [UInt8], source: String, layout: TableLayout?, limits: Limits) throws(ReadError) -> Grid {
        let parts = try ZipParts(bytes: bytes, source: source, maxPartBytes: limits.maxPartBytes)
        let index = try WorkbookIndex(parts)
        let reader = SheetReader(parts: parts, index: index)
        guard !index.sheets.isEmpty else {
            throw ReadError(source: source, line: 1, kind: .malformed, reason: "the workbook has no sheets")
        }
        if let wanted = layout?.sheet {
            guard let sheet = index.sheets.first(where: { $0.name == wanted })
                ?? index.sheets.first(where: { TextKey.fold($0.name) == TextKey.fold(wanted) })
            else {
                throw ReadError(source: source, line: 1, kind: .layoutMismatch,
                    reason: "sheet = \(wanted) (\(layout!.file)): the workbook has no such sheet; its sheets: \(index.sheets.map(\.name).joined(separator: ", "))")
            }
            return try reader.grid(name: sheet.name, path: sheet.path)
        }
        for sheet in index.sheets {
            let grid = try reader.grid(name: sheet.name, path: sheet.path)
            // A sheet without the header (a cover, notes) is passed over, not an error.
            if (try? HeaderFinder.find(grid, layout: layout)) != nil { return grid }
        }
        throw ReadError(source: source, line: 1, kind: .layoutMismatch,
            reason: "no sheet has a header this reader recognises (sheets: \(index.sheets.map(\.name).joined(separator: ", "))); declare `sheet`, `header-rows` and the columns in a layout (docs/LAYOUTS.md)")
    }

    private static func noHeader(_ grid: Grid, layout: TableLayout?) -> ReadError {
        ReadError(source: grid.source, line: 1, kind: .layoutMismatch,
            reason: "no header recognised in the first \(HeaderFinder.searchRows) rows (a header names at least the program column, e.g. 事務事業名, and one more); declare `header-rows` and `column.program` in a layout (docs/LAYOUTS.md)",
            location: grid.position(row: 0))
    }
}

/// One grid with its column map → the document: fiscal year, organization and unit
/// from the layout, the title rows or a column, then the rows.
struct TableDocument {
    let grid: Grid
    let map: ColumnMap
    let layout: TableLayout?
    let sha256: String
    let encoding: SourceEncoding

    func build() throws(ReadError) -> EvaluationDocument {
        let title = TitleFacts(grid, above: map.headerRows.lowerBound)
        let firstData = map.headerRows.upperBound + 1
        func columnValue(_ field: Field) -> String? {
            guard let column = map.first(field) else { return nil }
            return (firstData..<max(firstData, grid.rows.count)).lazy.map { grid.cell($0, column).trimmingWhitespace() }.first { !$0.isEmpty }
        }
        let columnYear = columnValue(.fiscalYear).flatMap { value in
            Int(TextKey.fold(value)).flatMap { (1989...2200).contains($0) ? $0 : nil }
                ?? CellText.fiscalYears(in: value, requireNendo: false).first
        }
        guard let fiscalYear = layout?.fiscalYear ?? title.fiscalYear ?? columnYear else {
            throw ReadError(source: grid.source, line: 1, kind: .layoutMismatch,
                reason: "no fiscal year: no title row states one (`令和5年度 …`) and no 年度 column holds one; declare `fiscal-year = 2023` in a layout",
                location: grid.position(row: 0))
        }
        guard let organization = layout?.organization ?? title.organization ?? columnValue(.organization) else {
            throw ReadError(source: grid.source, line: 1, kind: .layoutMismatch,
                reason: "no organization: no title row names one in parentheses (`（総務局）`) and no 局 column holds one; declare `organization = 総務局` in a layout",
                location: grid.position(row: 0))
        }
        var warnings: [ReaderWarning] = []
        let hasYenHeader = map.entries.contains { $0.unit != nil }
        let unit = layout?.unit ?? title.unit ?? .thousandYen
        if layout?.unit == nil, title.unit == nil, !hasYenHeader, map.entries.contains(where: { if case .amount = $0.field { true } else { false } }) {
            warnings.append(ReaderWarning(line: map.headerRows.lowerBound + 1, code: "unit_assumed",
                message: "\(grid.position(row: map.headerRows.lowerBound)): no unit stated in the title, header or layout; amounts read as 千円 (declare `unit = 円` if they are yen)"))
        }
        for (row, column) in grid.uncalculated where row > map.headerRows.upperBound {
            warnings.append(ReaderWarning(line: row + 1, code: "formula_without_value",
                message: "\(grid.position(row: row, column: column)): a formula with no value saved in the file (written by a program that does not calculate); read as blank — open and save the workbook in Excel to store its values"))
        }
        for (column, label) in map.unrecognised {
            warnings.append(ReaderWarning(line: map.headerRows.lowerBound + 1, code: "unread_column",
                message: "\(grid.position(row: map.headerRows.lowerBound, column: column)): column `\(label)` is not read (name it in a layout to read it)"))
        }
        var rows = RowReader(grid: grid, map: map, layout: layout, fiscalYear: fiscalYear, unit: unit)
        try rows.read()
        guard !rows.listings.isEmpty else {
            throw ReadError(source: grid.source, line: map.headerRows.upperBound + 2, kind: .noListings,
                reason: "no program rows under the header",
                location: grid.position(row: map.headerRows.upperBound + 1))
        }
        return EvaluationDocument(
            source: grid.source, sha256: sha256, encoding: encoding, fiscalYear: fiscalYear,
            organization: organization, policies: rows.policies, listings: rows.listings,
            warnings: warnings + rows.warnings)
    }
}
