import CrosswalkModel

/// What a cell's content says it is. Cells are aligned by these, not by position.
package enum AmountCell: Equatable, Sendable {
    case none               // — ― - : no figure
    case value(Int)
    case garbled            // looks like a figure but is not one (`5,0x0`)
    case notAmount
}

enum IndicatorLabel {
    case target, actual, achievement

    var kind: IndicatorValueKind {
        switch self {
        case .target: .target
        case .actual: .actual
        case .achievement: .achievement
        }
    }
}

extension ByteText {
    /// True when the (trimmed) cell is one or more dashes only.
    func isDash(_ r: Range<Int>) -> Bool {
        guard !r.isEmpty else { return false }
        var i = r.lowerBound
        while i < r.upperBound {
            let (v, n) = scalar(at: i)
            if !CharClass.isDash(v) { return false }
            i += n
        }
        return true
    }

    /// The row number cell: 1–6 digits (ASCII or full-width).
    func rowNumber(_ r: Range<Int>) -> Int? {
        guard !r.isEmpty else { return nil }
        var value = 0
        var digits = 0
        var i = r.lowerBound
        while i < r.upperBound {
            let (v, n) = scalar(at: i)
            guard let d = CharClass.digitValue(v) else { return nil }
            value = value * 10 + d
            digits += 1
            if digits > 6 { return nil }
            i += n
        }
        return value
    }

    /// SDG goals written as circled digits (`⑪ ⑯`, `⑪⑯`) or numbers (`17`, `5, 8`).
    /// Nil when the cell is anything else. Values outside 1–17 are returned as read.
    func sdgGoals(_ r: Range<Int>) -> [Int]? {
        guard !r.isEmpty else { return nil }
        var goals: [Int] = []
        var number: Int? = nil
        var i = r.lowerBound
        while i < r.upperBound {
            let (v, n) = scalar(at: i)
            i += n
            if let d = CharClass.digitValue(v) {
                number = (number ?? 0) * 10 + d
                if number! > 999 { return nil }
                continue
            }
            if let value = number { goals.append(value); number = nil }
            switch v {
            case 0x2460...0x2473: goals.append(Int(v - 0x2460) + 1)     // ①…⑳
            case 0x3251...0x325F: goals.append(Int(v - 0x3251) + 21)    // ㉑…㉟
            case 0x20, 0x3000, 0x09, 0x2C, 0xFF0C, 0x3001, 0x30FB, 0x2F, 0xFF0F: break
            default: return nil
            }
        }
        if let value = number { goals.append(value) }
        return goals.isEmpty ? nil : goals
    }

    /// Thousand-yen figure: separators, `△`/`▲`/`-` negatives, `—` none.
    func amount(_ r: Range<Int>) -> AmountCell {
        guard !r.isEmpty else { return .notAmount }
        if isDash(r) { return .none }
        var i = r.lowerBound
        var negative = false
        let (first, firstLength) = scalar(at: i)
        if first == 0x25B3 || first == 0x25B2 || first == 0x2D || first == 0x2212 || first == 0xFF0D {
            negative = true
            i += firstLength
            // `△ 1,200`
            while i < r.upperBound, buf[i] == 0x20 { i += 1 }
        }
        var value = 0
        var digits = 0
        var separatorsOK = true
        var sinceSeparator = -1
        var letters = 0
        var other = false
        var overflow = false
        while i < r.upperBound {
            let (v, n) = scalar(at: i)
            i += n
            if let d = CharClass.digitValue(v) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(d)
                if o1 || o2 { overflow = true } else { value = s }
                digits += 1
                if sinceSeparator >= 0 { sinceSeparator += 1 }
            } else if v == 0x2C || v == 0xFF0C {
                if digits == 0 || (sinceSeparator >= 0 && sinceSeparator != 3) { separatorsOK = false }
                sinceSeparator = 0
            } else if (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x2E || v == 0xFF0E {
                letters += 1
            } else {
                other = true
            }
        }
        if sinceSeparator >= 0 && sinceSeparator != 3 { separatorsOK = false }
        if !other && letters == 0 && digits > 0 && separatorsOK && !overflow {
            return .value(negative ? -value : value)
        }
        // Looks like a figure someone garbled: starts like one, mostly digits, no words.
        if !other && digits > 0 && digits >= letters && r.count <= 24 {
            let c = CharClass.digitValue(first) != nil || negative
            if c { return .garbled }
        }
        return .notAmount
    }

    /// `目標` / `実績` / `達成率` at the start of a cell, followed by the end or
    /// whitespace; returns the label and the range of an inline value (`目標 計画の推進`).
    func indicatorLabel(_ r: Range<Int>) -> (IndicatorLabel, Range<Int>)? {
        guard r.count >= 6, buf[r.lowerBound] == 0xE7 || buf[r.lowerBound] == 0xE5 || buf[r.lowerBound] == 0xE9 else {
            return nil
        }
        for (spelling, label) in Spelling.labels where hasPrefix(r, spelling) {
            let rest = (r.lowerBound + spelling.count)..<r.upperBound
            if rest.isEmpty { return (label, rest) }
            if whitespaceLength(at: rest.lowerBound, end: rest.upperBound) > 0 { return (label, trim(rest)) }
        }
        return nil
    }

    /// True when an ASCII space in the cell separates two Japanese characters.
    func hasWrapSpace(_ r: Range<Int>) -> Bool {
        guard r.count > 2 else { return false }
        // From space to space (memchr): most cells have none.
        var i = DocumentParser.find(0x20, in: buf, from: r.lowerBound + 1, to: r.upperBound - 1)
        while i < r.upperBound - 1 {
            var j = i
            while j < r.upperBound && buf[j] == 0x20 { j += 1 }
            if j < r.upperBound {
                let left = scalar(before: i).value
                let right = scalar(at: j).value
                if CharClass.isWrapSpace(left: left, right: right) { return true }
            }
            i = DocumentParser.find(0x20, in: buf, from: j, to: r.upperBound - 1)
        }
        return false
    }

    /// The cell with wrap spaces removed (runs of ASCII spaces between Japanese
    /// characters); other spaces are kept as one space. U+3000 is always kept.
    func dewrapped(_ r: Range<Int>) -> String {
        guard r.count > 2, containsSpace(r) else { return string(r) }
        var out: [UInt8] = []
        out.reserveCapacity(r.count)
        var i = r.lowerBound
        while i < r.upperBound {
            let b = buf[i]
            if b == 0x20 {
                var j = i
                while j < r.upperBound && buf[j] == 0x20 { j += 1 }
                if i > r.lowerBound && j < r.upperBound {
                    let left = scalar(before: i).value
                    let right = scalar(at: j).value
                    if !CharClass.isWrapSpace(left: left, right: right) { out.append(0x20) }
                } else {
                    out.append(0x20)
                }
                i = j
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum Grades {
    /// Grades seen in Japanese municipalities' evaluations.
    static let known: Set<String> = ["大変順調", "順調", "概ね順調", "やや遅れ", "遅れ", "継続", "改善", "拡充", "縮小", "休廃止", "終了"]

    static let knownBytes: Set<ByteKey> = Set(known.map { ByteKey($0) })

    static func isKnown(_ grade: String) -> Bool {
        knownBytes.contains(ByteKey(grade)) || known.contains(TextKey.fold(grade))
    }

    static func isKnown(bytes text: ByteText, _ r: Range<Int>) -> Bool {
        r.count <= 12 && knownBytes.contains(ByteKey(Array(UnsafeBufferPointer(rebasing: text.buf[r]))))
    }
}

enum PolicyCell {
    @inline(__always) static func isRoman(_ v: UInt32) -> Bool {
        v == 0x49 || v == 0x56 || v == 0x58 || (v >= 0x2160 && v <= 0x216B) || v == 0xFF29 || v == 0xFF36 || v == 0xFF38
    }

    @inline(__always) static func isHyphen(_ v: UInt32) -> Bool {
        v == 0x2D || v == 0xFF0D || v == 0x2010 || v == 0x2212 || v == 0x2013 || v == 0x30FC
    }

    @inline(__always) static func isCircled(_ v: UInt32) -> Bool { v >= 0x2460 && v <= 0x2473 }

    @inline(__always) static func isOpening(_ v: UInt32) -> Bool { v == 0x28 || v == 0xFF08 }

    @inline(__always) static func isClosing(_ v: UInt32) -> Bool { v == 0x29 || v == 0xFF09 }

    @inline(__always) static func isCodeScalar(_ v: UInt32) -> Bool {
        isRoman(v) || isHyphen(v) || CharClass.digitValue(v) != nil || isCircled(v)
            || v == 0x28 || v == 0x29 || v == 0xFF08 || v == 0xFF09
    }
}

extension ByteText {
    /// Splits `II-3-(2)-② ワーク…` into the code and the name when the cell starts
    /// with a policy code: a Roman numeral (or a digit), hyphens, digits,
    /// parentheses and circled digits, with at least one hyphen (two without a
    /// Roman numeral) and one digit. The code range may hold wrap spaces: read it
    /// with `stripped`.
    func policyCode(_ r: Range<Int>) -> (code: Range<Int>, name: Range<Int>)? {
        guard !r.isEmpty else { return nil }
        let (first, _) = scalar(at: r.lowerBound)
        let startsRoman = PolicyCell.isRoman(first)
        guard startsRoman || CharClass.digitValue(first) != nil else { return nil }
        var i = r.lowerBound
        var end = i
        var hyphens = 0
        var pendingLongVowels = 0
        var digits = 0
        var previous: UInt32 = 0
        while i < r.upperBound {
            var (v, n) = scalar(at: i)
            if v == 0x20 || v == 0x3000 {
                // A wrap space inside the code (`II- 3-( 2)-②`, `I I-3`): after a hyphen
                // or an opening parenthesis, before a hyphen or a closing one, or
                // between Roman numerals. A space after a complete code ends it.
                var j = i
                while j < r.upperBound, buf[j] == 0x20 || whitespaceLength(at: j, end: r.upperBound) == 3 { j += buf[j] == 0x20 ? 1 : 3 }
                guard j < r.upperBound else { break }
                let (next, nextLength) = scalar(at: j)
                let inside = PolicyCell.isHyphen(previous) || PolicyCell.isOpening(previous) || PolicyCell.isHyphen(next)
                    || PolicyCell.isClosing(next) || (PolicyCell.isRoman(previous) && PolicyCell.isRoman(next))
                guard inside, PolicyCell.isCodeScalar(next) else { break }
                i = j
                (v, n) = (next, nextLength)
            }
            guard PolicyCell.isCodeScalar(v) else { break }
            previous = v
            i += n
            if v == 0x30FC {
                // ー counts as a hyphen only when more code follows (else it is the name's).
                pendingLongVowels += 1
                continue
            }
            hyphens += pendingLongVowels
            pendingLongVowels = 0
            if PolicyCell.isHyphen(v) { hyphens += 1 }
            if CharClass.digitValue(v) != nil || PolicyCell.isCircled(v) { digits += 1 }
            end = i
        }
        guard hyphens >= (startsRoman ? 1 : 2), digits >= 1 else { return nil }
        return (r.lowerBound..<end, trim(end..<r.upperBound))
    }
}

enum EraYear {
    /// Gregorian start years of every `令和N年度`, `平成N年度`, `RN年度`, `HN年度`,
    /// `YYYY年度` in `text`, in order. 令和元 = 2019; 平成32 = 2020.
    /// Without `requireNendo`, an era year needs no 年度 after it (`R5決算額`, `令和5予算`)
    /// and a Western year may end in 年 alone (`2023年決算`): column headers write them so.
    static func years(in text: String, requireNendo: Bool = true) -> [Int] {
        let s = Array(text.unicodeScalars)
        var out: [Int] = []
        var i = 0
        while i < s.count {
            var base: Int? = nil
            var j = i
            let v = s[i].value
            if (v == 0x4EE4 && i + 1 < s.count && s[i + 1].value == 0x548C) {          // 令和
                base = 2018; j = i + 2
            } else if (v == 0x5E73 && i + 1 < s.count && s[i + 1].value == 0x6210) {   // 平成
                base = 1988; j = i + 2
            } else if v == 0x52 || v == 0xFF32 {                                         // R Ｒ
                base = 2018; j = i + 1
            } else if v == 0x48 || v == 0xFF28 {                                         // H Ｈ
                base = 1988; j = i + 1
            }
            if base != nil, (v == 0x52 || v == 0x48 || v == 0xFF32 || v == 0xFF28), i > 0 {
                let p = s[i - 1].value
                if (p >= 0x41 && p <= 0x5A) || (p >= 0x61 && p <= 0x7A) { base = nil }
            }
            if let b = base {
                var n = 0
                var digits = 0
                var k = j
                if k < s.count && s[k].value == 0x5143 {                                 // 元
                    n = 1; digits = 1; k += 1
                } else {
                    while k < s.count, let d = CharClass.digitValue(s[k].value), digits < 3 {
                        n = n * 10 + d; digits += 1; k += 1
                    }
                }
                if digits > 0, k + 1 < s.count, s[k].value == 0x5E74, s[k + 1].value == 0x5EA6 {   // 年度
                    out.append(b + n)
                    i = k + 2
                    continue
                }
                if digits > 0, !requireNendo, k >= s.count || CharClass.digitValue(s[k].value) == nil {
                    out.append(b + n)
                    i = k
                    continue
                }
            } else if CharClass.digitValue(v) != nil {
                // Western year: four digits then 年度.
                var n = 0
                var k = i
                while k < s.count, let d = CharClass.digitValue(s[k].value), k - i < 5 { n = n * 10 + d; k += 1 }
                if k - i == 4, k + 1 < s.count, s[k].value == 0x5E74, s[k + 1].value == 0x5EA6, (1989...2200).contains(n) {
                    out.append(n)
                } else if !requireNendo, k - i == 4, k < s.count, s[k].value == 0x5E74, (1989...2200).contains(n) {
                    out.append(n)
                }
                i = max(k, i + 1)
                continue
            }
            i += 1
        }
        return out
    }
}

enum IndicatorNumber {
    /// The first number in `text` and the unit after it (`年間削減作業時間：46,549時間` →
    /// 46549, `時間`). Numbers glued to a Latin letter (`R5`) or followed by 年度 are
    /// era years, not values, and are skipped.
    static func parse(_ text: String) -> (Double?, String?) {
        var text = text
        return text.withUTF8 { parse(ByteText(buf: $0)) }
    }

    /// `parse(_:)` over UTF-8 bytes, without building scalar arrays or digit strings.
    static func parse(_ t: ByteText) -> (Double?, String?) {
        let n = t.buf.count
        var i = 0
        while i < n {
            guard digit(t, at: i, end: n) != nil else { i += scalarLength(t[i]); continue }
            var negative = false
            if i > 0 {
                let (p, pStart) = t.scalar(before: i)
                if (p >= 0x41 && p <= 0x5A) || (p >= 0x61 && p <= 0x7A) || (p >= 0xFF21 && p <= 0xFF5A) {
                    while i < n, let (_, length) = digit(t, at: i, end: n) { i += length }
                    continue
                }
                negative = p == 0x25B3 || p == 0x25B2 || p == 0x2212 || p == 0xFF0D
                    || (p == 0x2D && (pStart == 0 || !isAlnum(t.scalar(before: pStart).value)))
            }
            var mantissa: UInt64 = 0
            var digitCount = 0
            var fractionDigits = 0
            var k = i
            var seenPoint = false
            while k < n {
                if let (d, length) = digit(t, at: k, end: n) {
                    if digitCount < 19 { mantissa = mantissa &* 10 &+ UInt64(d) }
                    digitCount += 1
                    if seenPoint { fractionDigits += 1 }
                    k += length
                    continue
                }
                let b = t[k]
                let separator: Int
                if b == 0x2C || b == 0x2E {
                    separator = 1
                } else if b == 0xEF, k + 2 < n, t[k + 1] == 0xBC, t[k + 2] == 0x8C || t[k + 2] == 0x8E {
                    separator = 3  // ， ．
                } else {
                    break
                }
                guard k + separator < n, digit(t, at: k + separator, end: n) != nil else { break }
                let isPoint = b == 0x2E || (separator == 3 && t[k + 2] == 0x8E)
                if isPoint {
                    if seenPoint { break }
                    seenPoint = true
                }
                k += separator
            }
            // Skip era years: `7年度` (年 E5 B9 B4, 度 E5 BA A6).
            if k + 6 <= n, t[k] == 0xE5, t[k + 1] == 0xB9, t[k + 2] == 0xB4, t[k + 3] == 0xE5, t[k + 4] == 0xBA, t[k + 5] == 0xA6 {
                i = k
                continue
            }
            var number: Double
            if digitCount <= 15 && fractionDigits <= 15 {
                // Exact mantissa and power of ten: one correctly rounded division, the
                // same double as parsing the decimal text.
                number = Double(mantissa)
                if fractionDigits > 0 { number /= powersOfTen[fractionDigits] }
            } else {
                number = Double(decimalText(t, i..<k)) ?? 0
            }
            if negative { number = -number }
            var u = k
            var unitCount = 0
            while u < n, unitCount < 8 {
                let (v, length) = t.scalar(at: u)
                guard isUnitScalar(v) else { break }
                u += length
                unitCount += 1
            }
            return (number, u > k ? t.string(k..<u) : nil)
        }
        return (nil, nil)
    }

    private static let powersOfTen: [Double] = (0...15).map { p in (0..<p).reduce(1.0) { x, _ in x * 10 } }

    @inline(__always) private static func scalarLength(_ b: UInt8) -> Int {
        b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
    }

    /// An ASCII or full-width digit at `i` (full-width: EF BC 90…99).
    @inline(__always) private static func digit(_ t: ByteText, at i: Int, end: Int) -> (Int, Int)? {
        let b = t[i]
        if b >= 0x30 && b <= 0x39 { return (Int(b - 0x30), 1) }
        if b == 0xEF, i + 2 < end, t[i + 1] == 0xBC, t[i + 2] >= 0x90, t[i + 2] <= 0x99 { return (Int(t[i + 2] - 0x90), 3) }
        return nil
    }

    /// The digits and point of `r` as ASCII text for `Double(_:)` (long numbers only).
    private static func decimalText(_ t: ByteText, _ r: Range<Int>) -> String {
        var out: [UInt8] = []
        var i = r.lowerBound
        while i < r.upperBound {
            if let (d, length) = digit(t, at: i, end: r.upperBound) {
                out.append(UInt8(0x30 + d))
                i += length
            } else {
                let b = t[i]
                if b == 0x2E || (b == 0xEF && t[i + 2] == 0x8E) { out.append(0x2E) }
                i += b < 0x80 ? 1 : 3
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isAlnum(_ v: UInt32) -> Bool {
        (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
    }

    /// Unit characters: letters, %, katakana, kanji (not hiragana, punctuation, brackets).
    private static func isUnitScalar(_ v: UInt32) -> Bool {
        switch v {
        case 0x25, 0xFF05, 0x2030, 0x33A1, 0x33A5, 0x33CA, 0x339C...0x339E, 0x338F, 0x33A0: return true
        case 0x41...0x5A, 0x61...0x7A, 0xFF21...0xFF3A, 0xFF41...0xFF5A: return true
        case 0x30A1...0x30FA, 0x30FC, 0x3005, 0x4E00...0x9FFF, 0xFF66...0xFF9F: return true
        default: return false
        }
    }
}

extension String {
    /// Trims whitespace including U+3000.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        var lo = scalars.startIndex
        var hi = scalars.endIndex
        while lo < hi, scalars[lo].properties.isWhitespace { lo = scalars.index(after: lo) }
        while hi > lo, scalars[scalars.index(before: hi)].properties.isWhitespace { hi = scalars.index(before: hi) }
        return String(scalars[lo..<hi])
    }
}
