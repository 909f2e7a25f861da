import EvaluationTables
import Foundation

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
