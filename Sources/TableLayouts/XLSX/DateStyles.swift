import EvaluationTables
import Foundation

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
