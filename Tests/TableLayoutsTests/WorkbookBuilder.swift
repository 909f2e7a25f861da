import Foundation
import ZIPFoundation

/// Writes a real .xlsx (a zip of SpreadsheetML parts) the way Excel lays it out, so the
/// tests read files, not mocks. Cells are given as `G14`-style references.
struct WorkbookBuilder {
    enum Value {
        case shared(String)
        case inline(String)
        case number(String)
        case formula(String, cached: String)
        case date(Int)
    }

    struct Sheet {
        var name: String
        var cells: [(String, Value)] = []
        var merges: [String] = []
    }

    var sheets: [Sheet] = []
    /// Deflate every part (as Excel does); a test of the zip-bomb guard relies on it.
    var compress = true

    func data() throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        var shared: [String] = []
        var sheetXML: [String] = []
        for sheet in sheets {
            var rows: [Int: [(String, Value)]] = [:]
            for (ref, value) in sheet.cells {
                let row = Int(ref.drop { $0.isLetter })!
                rows[row, default: []].append((ref, value))
            }
            var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>"#
            for row in rows.keys.sorted() {
                xml += #"<row r="\#(row)">"#
                for (ref, value) in rows[row]! {
                    switch value {
                    case .shared(let text):
                        if !shared.contains(text) { shared.append(text) }
                        xml += #"<c r="\#(ref)" t="s"><v>\#(shared.firstIndex(of: text)!)</v></c>"#
                    case .inline(let text):
                        xml += #"<c r="\#(ref)" t="inlineStr"><is><t>\#(Self.escape(text))</t></is></c>"#
                    case .number(let text):
                        xml += #"<c r="\#(ref)"><v>\#(text)</v></c>"#
                    case .formula(let formula, let cached):
                        xml += cached.isEmpty ? #"<c r="\#(ref)"><f>\#(formula)</f></c>"# : #"<c r="\#(ref)"><f>\#(formula)</f><v>\#(cached)</v></c>"#
                    case .date(let serial):
                        xml += #"<c r="\#(ref)" s="1"><v>\#(serial)</v></c>"#
                    }
                }
                xml += "</row>"
            }
            xml += "</sheetData>"
            if !sheet.merges.isEmpty {
                xml += #"<mergeCells count="\#(sheet.merges.count)">"# + sheet.merges.map { #"<mergeCell ref="\#($0)"/>"# }.joined() + "</mergeCells>"
            }
            xml += "</worksheet>"
            sheetXML.append(xml)
        }
        let sheetEntries = sheets.indices.map { #"<sheet name="\#(Self.escape(sheets[$0].name))" sheetId="\#($0 + 1)" r:id="rId\#($0 + 1)"/>"# }.joined()
        let rels = sheets.indices.map { #"<Relationship Id="rId\#($0 + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#($0 + 1).xml"/>"# }.joined()
        // Phonetic readings (rPh) as Japanese Excel stores them: never part of the text.
        let strings = shared.map { "<si><t>\(Self.escape($0))</t><rPh sb=\"0\" eb=\"1\"><t>ヨミ</t></rPh></si>" }.joined()
        var parts: [(String, String)] = [
            ("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#),
            ("_rels/.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\#(sheetEntries)</sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\#(rels)</Relationships>"#),
            ("xl/sharedStrings.xml", #"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="\#(shared.count)" uniqueCount="\#(shared.count)">\#(strings)</sst>"#),
            ("xl/styles.xml", #"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#),
        ]
        for (i, xml) in sheetXML.enumerated() { parts.append(("xl/worksheets/sheet\(i + 1).xml", xml)) }
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count),
                                 compressionMethod: compress ? .deflate : .none) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return [UInt8](archive.data!)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Column letter of 0-based `index`.
    static func column(_ index: Int) -> String {
        var n = index + 1
        var out = ""
        while n > 0 {
            out = String(UnicodeScalar(UInt8(65 + (n - 1) % 26))) + out
            n = (n - 1) / 26
        }
        return out
    }
}
