package import CrosswalkModel

/// The TSV reader's cell rules over plain Strings, for the other readers (TableLayouts):
/// one place for each rule, whichever layout the cell came from.
package enum CellText {
    /// Decoded text of a document: UTF-8 with or without BOM, else CP932. Refuses empty,
    /// binary, UTF-16 and undecodable bytes with the line they were found on.
    package static func decode(_ bytes: [UInt8], source: String) throws(ReadError) -> (text: String, encoding: SourceEncoding, truncated: Bool) {
        if bytes.isEmpty || (bytes.count == 3 && bytes == [0xEF, 0xBB, 0xBF]) {
            throw ReadError(source: source, line: 1, kind: .empty, reason: "empty file")
        }
        let decoded = try EvaluationReader.decode(bytes, source: source)
        return (String(decoding: decoded.utf8, as: UTF8.self), decoded.encoding, decoded.truncatedTail)
    }

    /// SDG goals written as circled digits or numbers (`⑪ ⑯`, `3,11`, `３・１１`, `5、8`);
    /// nil when the cell is anything else. Values outside 1–17 are returned as read.
    package static func sdgGoals(_ cell: String) -> [Int]? {
        var text = cell
        return text.withUTF8 { buf in
            let t = ByteText(buf: buf)
            return t.sdgGoals(t.trim(0..<buf.count))
        }
    }

    /// A figure with separators, `△`/`▲`/`-` negatives, dashes for none.
    package static func amount(_ cell: String) -> AmountCell {
        var text = cell
        return text.withUTF8 { buf in
            let t = ByteText(buf: buf)
            return t.amount(t.trim(0..<buf.count))
        }
    }

    /// True when the cell is one or more dashes only (`—`, `―`, `－`, `-`).
    package static func isDash(_ cell: String) -> Bool {
        var text = cell
        return text.withUTF8 { buf in
            let t = ByteText(buf: buf)
            return t.isDash(t.trim(0..<buf.count))
        }
    }

    /// `II-3-(2)-② 名前` split into code and name; nil when the cell does not start with a code.
    package static func policyCode(_ cell: String) -> (code: String, name: String)? {
        var text = cell
        return text.withUTF8 { buf in
            let t = ByteText(buf: buf)
            guard let (code, name) = t.policyCode(t.trim(0..<buf.count)) else { return nil }
            return (t.string(code), t.string(name))
        }
    }

    /// Gregorian start years written in `text` (`令和5年度` → 2023). With
    /// `requireNendo: false` also header forms without 年度 (`R5決算額`, `2023年決算`).
    package static func fiscalYears(in text: String, requireNendo: Bool = true) -> [Int] {
        EraYear.years(in: text, requireNendo: requireNendo)
    }

    /// The first number in an indicator value and the unit after it (`46,549時間`).
    package static func indicatorNumber(_ text: String) -> (number: Double?, unit: String?) {
        IndicatorNumber.parse(text)
    }

    /// One of the grades seen in Japanese municipalities (順調, 概ね順調, 継続, …).
    package static func isKnownGrade(_ grade: String) -> Bool {
        Grades.isKnown(grade)
    }
}
