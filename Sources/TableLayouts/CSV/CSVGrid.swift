import EvaluationTables

/// RFC 4180 records: quoted cells may hold separators, doubled quotes and line breaks;
/// CRLF or LF; comma or tab separated, whichever the first lines use more.
enum CSVGrid {
    static func parse(_ text: String, source: String) throws(ReadError) -> [[String]] {
        let bytes = Array(text.utf8)
        let separator = detectSeparator(bytes)
        var rows: [[String]] = []
        var row: [String] = []
        var cell: [UInt8] = []
        var inQuotes = false
        var quoteRow = 0
        var quoteColumn = 0
        var i = 0
        let n = bytes.count
        func endCell() {
            row.append(String(decoding: cell, as: UTF8.self))
            cell.removeAll(keepingCapacity: true)
        }
        while i < n {
            let b = bytes[i]
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < n, bytes[i + 1] == 0x22 {
                        cell.append(0x22)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else if b == 0x0D, i + 1 < n, bytes[i + 1] == 0x0A {
                    // A CRLF line break inside a cell is kept as LF, as in an LF file.
                } else {
                    cell.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case 0x22 where cell.isEmpty:
                inQuotes = true
                quoteRow = rows.count + 1
                quoteColumn = row.count
            case separator:
                endCell()
            case 0x0D, 0x0A:
                endCell()
                rows.append(row)
                row = []
                if b == 0x0D, i + 1 < n, bytes[i + 1] == 0x0A { i += 1 }
            default:
                // A quote inside an unquoted cell is kept as written (lenient, like Excel).
                cell.append(b)
            }
            i += 1
        }
        if inQuotes {
            throw ReadError(
                source: source, line: quoteRow, kind: .malformed,
                reason: "quoted cell opened here is never closed (a missing `\"`); the rest of the file would be one cell",
                location: CellPosition(source: source, origin: .csv, row: quoteRow, column: quoteColumn).description)
        }
        if !cell.isEmpty || !row.isEmpty {
            endCell()
            rows.append(row)
        }
        return rows
    }

    /// Tab when the first 50 lines hold more tabs than commas outside quotes, else comma.
    static func detectSeparator(_ bytes: [UInt8]) -> UInt8 {
        var commas = 0
        var tabs = 0
        var lines = 0
        var inQuotes = false
        for b in bytes {
            if b == 0x22 { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if b == 0x2C { commas += 1 } else if b == 0x09 { tabs += 1 } else if b == 0x0A {
                lines += 1
                if lines >= 50 { break }
            }
        }
        return tabs > commas ? 0x09 : 0x2C
    }
}
