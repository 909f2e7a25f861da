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

/// `xl/sharedStrings.xml`: one string per `<si>`, its `<t>` runs joined; phonetic
/// readings (`<rPh>`, furigana Japanese Excel stores beside the text) left out.
enum SharedStrings {
    static func read(_ parts: ZipParts, _ data: Data) throws(ReadError) -> [String] {
        var strings: [String] = []
        var current = ""
        var inText = false
        var inPhonetic = false
        try WorkbookIndex.run(parts, "xl/sharedStrings.xml", data, start: { name, _ in
            switch name {
            case "si": current = ""
            case "rPh": inPhonetic = true
            case "t": inText = !inPhonetic
            default: break
            }
        }, end: { name in
            switch name {
            case "si": strings.append(current)
            case "rPh": inPhonetic = false
            case "t": inText = false
            default: break
            }
        }, text: { text in
            if inText { current += text }
        })
        return strings
    }
}

/// Which cell styles (`cellXfs` entries) format their number as a date: the built-in
/// date formats 14–22 and 45–47, and custom formats with year or day fields.
enum DateStyles {
    static func read(_ parts: ZipParts, _ data: Data) throws(ReadError) -> Set<Int> {
        var customDates: Set<Int> = []
        var inCellXfs = false
        var index = 0
        var dates: Set<Int> = []
        try WorkbookIndex.run(parts, "xl/styles.xml", data, start: { name, attributes in
            switch name {
            case "numFmt":
                if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"], isDateFormat(code) {
                    customDates.insert(id)
                }
            case "cellXfs": inCellXfs = true
            case "xf" where inCellXfs:
                let id = attributes["numFmtId"].flatMap(Int.init) ?? 0
                if (14...22).contains(id) || (45...47).contains(id) || customDates.contains(id) { dates.insert(index) }
                index += 1
            default: break
            }
        }, end: { name in
            if name == "cellXfs" { inCellXfs = false }
        })
        return dates
    }

    /// A format code with y or d outside quotes and brackets (`yyyy/m/d`, `[$-411]ggge年m月d日`).
    static func isDateFormat(_ code: String) -> Bool {
        var quoted = false
        var bracket = false
        for c in code.lowercased() {
            switch c {
            case "\"": quoted.toggle()
            case "[": bracket = true
            case "]": bracket = false
            case "y", "d": if !quoted && !bracket { return true }
            default: break
            }
        }
        return false
    }
}
