import Foundation

/// RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted (quotes doubled),
/// records end in CRLF, and the file starts with a UTF-8 byte-order mark so that
/// Excel (Japanese Windows, which otherwise assumes Shift_JIS) reads it as UTF-8.
package struct CSVReport: Sendable {
    package static let byteOrderMark = "\u{FEFF}"

    /// Whether text fields that a spreadsheet would run as a formula (`=`, `+`, `-`,
    /// `@`, tab, CR first) are written with a leading `'`. Numbers are never changed.
    package var guardFormulas: Bool

    package init(guardFormulas: Bool = true) {
        self.guardFormulas = guardFormulas
    }

    /// Japanese header, English keys, the rows; then the totals and the notes, each after
    /// a blank record and a title. Every record is as wide as the header.
    package func render(_ table: CSVTable) -> String {
        let width = table.header.count
        let padded = { (fields: [CSVField]) in fields + Array(repeating: CSVField.empty, count: max(0, width - fields.count)) }
        var out = Self.byteOrderMark
        if !table.headerJa.isEmpty { out += record(padded(table.headerJa.map(CSVField.text))) }
        out += record(table.header.map(CSVField.text))
        for row in table.rows { out += record(padded(row)) }
        if !table.totals.isEmpty {
            out += record(padded([])) + record(padded([.text(CSVTable.totalsTitle)]))
            for row in table.totals { out += record(padded(row)) }
        }
        if !table.notes.isEmpty {
            out += record(padded([])) + record(padded([.text(CSVTable.notesTitle)]))
            for note in table.notes { out += record(padded([.text(note)])) }
        }
        return out
    }

    func record(_ fields: [CSVField]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    func field(_ field: CSVField) -> String {
        switch field {
        case .empty: return ""
        case .number(let value): return ReportText.plain(value)
        case .text(var text):
            if guardFormulas, let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
                text = "'" + text
            }
            return Self.quoted(text)
        }
    }

    /// The field as RFC 4180 writes it: quoted only when it has to be.
    package static func quoted(_ text: String) -> String {
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
