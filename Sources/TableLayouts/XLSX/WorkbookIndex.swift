import EvaluationTables
import Foundation

/// The workbook's sheets in tab order (name and part path), its shared strings and which
/// cell styles show dates.
struct WorkbookIndex {
    var sheets: [(name: String, path: String)] = []
    var sharedStrings: [String] = []
    /// Indexes into `cellXfs` whose number format is a date.
    var dateStyles: Set<Int> = []

    init(_ parts: ZipParts) throws(ReadError) {
        guard let workbook = try parts.data("xl/workbook.xml") else {
            throw ReadError(source: parts.source, line: 1, kind: .malformed, reason: "not an xlsx workbook: the zip has no xl/workbook.xml")
        }
        var declared: [(String, String)] = []
        try Self.run(parts, "xl/workbook.xml", workbook, start: { name, attributes in
            if name == "sheet", let sheet = attributes["name"] {
                let id = attributes["r:id"] ?? attributes.first { $0.key.hasSuffix(":id") }?.value ?? ""
                declared.append((sheet, id))
            }
        })
        var targets: [String: String] = [:]
        if let rels = try parts.data("xl/_rels/workbook.xml.rels") {
            try Self.run(parts, "xl/_rels/workbook.xml.rels", rels, start: { name, attributes in
                if name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] {
                    targets[id] = target
                }
            })
        }
        for (index, (name, id)) in declared.enumerated() {
            let target = targets[id] ?? "worksheets/sheet\(index + 1).xml"
            // Targets are relative to xl/, or absolute from the package root.
            let path = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            sheets.append((name, path))
        }
        if let shared = try parts.data("xl/sharedStrings.xml") {
            sharedStrings = try SharedStrings.read(parts, shared)
        }
        if let styles = try parts.data("xl/styles.xml") {
            dateStyles = try DateStyles.read(parts, styles)
        }
    }

    static func run(_ parts: ZipParts, _ path: String, _ data: Data,
                    start: @escaping SAXRunner.Start, end: @escaping SAXRunner.End = { _ in },
                    text: @escaping SAXRunner.Text = { _ in }) throws(ReadError) {
        if let failure = SAXRunner(start: start, end: end, text: text).run(data) {
            throw ReadError(source: parts.source, line: 1, kind: .malformed,
                reason: "corrupt xlsx workbook: \(path) is not well-formed XML (line \(failure.line): \(failure.message))")
        }
    }
}
