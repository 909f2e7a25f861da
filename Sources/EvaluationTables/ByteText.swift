// Byte-level views over the decoded (validated) UTF-8 text. The hot loops classify
// cells without building Strings; Strings are made only for values that are kept.

import Foundation

@usableFromInline
struct ByteText {
    let buf: UnsafeBufferPointer<UInt8>

    @inline(__always) subscript(i: Int) -> UInt8 { buf[i] }

    func string(_ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buf[r]), as: UTF8.self)
    }

    /// Decodes the scalar starting at `i` (the text is valid UTF-8).
    @inline(__always) func scalar(at i: Int) -> (value: UInt32, length: Int) {
        let b0 = buf[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        if b0 < 0xE0 { return ((UInt32(b0 & 0x1F) << 6) | UInt32(buf[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((UInt32(b0 & 0x0F) << 12) | (UInt32(buf[i + 1] & 0x3F) << 6) | UInt32(buf[i + 2] & 0x3F), 3)
        }
        return ((UInt32(b0 & 0x07) << 18) | (UInt32(buf[i + 1] & 0x3F) << 12)
            | (UInt32(buf[i + 2] & 0x3F) << 6) | UInt32(buf[i + 3] & 0x3F), 4)
    }

    /// The scalar that ends just before `end`, and where it starts.
    @inline(__always) func scalar(before end: Int) -> (value: UInt32, start: Int) {
        var s = end - 1
        while s > 0 && buf[s] & 0xC0 == 0x80 { s -= 1 }
        return (scalar(at: s).value, s)
    }

    /// Length of the whitespace scalar at `i` (ASCII space/tab, U+3000, U+00A0), or 0.
    @inline(__always) func whitespaceLength(at i: Int, end: Int) -> Int {
        let b = buf[i]
        if b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C || b == 0x0D { return 1 }
        if b == 0xE3, i + 2 < end, buf[i + 1] == 0x80, buf[i + 2] == 0x80 { return 3 }
        if b == 0xC2, i + 1 < end, buf[i + 1] == 0xA0 { return 2 }
        return 0
    }

    /// `r` without leading and trailing whitespace.
    func trim(_ r: Range<Int>) -> Range<Int> {
        var lo = r.lowerBound
        var hi = r.upperBound
        while lo < hi {
            let w = whitespaceLength(at: lo, end: hi)
            if w == 0 { break }
            lo += w
        }
        while hi > lo {
            let b = buf[hi - 1]
            if b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C || b == 0x0D { hi -= 1; continue }
            if hi - lo >= 3, buf[hi - 3] == 0xE3, buf[hi - 2] == 0x80, b == 0x80 { hi -= 3; continue }
            if hi - lo >= 2, buf[hi - 2] == 0xC2, b == 0xA0 { hi -= 2; continue }
            break
        }
        return lo..<hi
    }

    func hasPrefix(_ r: Range<Int>, _ p: [UInt8]) -> Bool {
        guard r.count >= p.count else { return false }
        var i = r.lowerBound
        for b in p {
            if buf[i] != b { return false }
            i += 1
        }
        return true
    }

    func equals(_ r: Range<Int>, _ p: [UInt8]) -> Bool {
        r.count == p.count && hasPrefix(r, p)
    }

    func contains(_ r: Range<Int>, _ p: [UInt8]) -> Bool {
        guard let first = p.first, r.count >= p.count else { return false }
        var i = r.lowerBound
        let last = r.upperBound - p.count
        while i <= last {
            if buf[i] == first {
                var k = 1
                while k < p.count && buf[i + k] == p[k] { k += 1 }
                if k == p.count { return true }
            }
            i += 1
        }
        return false
    }

    /// True when `r` holds an ASCII space (memchr).
    func containsSpace(_ r: Range<Int>) -> Bool {
        guard !r.isEmpty, let base = buf.baseAddress else { return false }
        return memchr(base + r.lowerBound, 0x20, r.count) != nil
    }

    func containsNonASCII(_ r: Range<Int>) -> Bool {
        for i in r where buf[i] >= 0x80 { return true }
        return false
    }

    /// True when no whitespace scalar starts with `b`: one comparison for most bytes
    /// instead of `whitespaceLength`'s seven.
    @inline(__always) static func neverStartsWhitespace(_ b: UInt8) -> Bool {
        b > 0x20 && b != 0xE3 && b != 0xC2
    }

    /// Bytes of `r` with all whitespace removed (the wrap-insensitive form).
    func stripped(_ r: Range<Int>) -> [UInt8] {
        // Written through a pointer: appending checked capacity and uniqueness per byte.
        [UInt8](unsafeUninitializedCapacity: r.count) { out, written in
            var n = 0
            var i = r.lowerBound
            while i < r.upperBound {
                let b = buf[i]
                if !Self.neverStartsWhitespace(b) {
                    let w = whitespaceLength(at: i, end: r.upperBound)
                    if w > 0 { i += w; continue }
                }
                out[n] = b
                n += 1
                i += 1
            }
            written = n
        }
    }

    func strippedCount(_ r: Range<Int>) -> Int {
        var n = 0
        var i = r.lowerBound
        while i < r.upperBound {
            if !Self.neverStartsWhitespace(buf[i]) {
                let w = whitespaceLength(at: i, end: r.upperBound)
                if w > 0 { i += w; continue }
            }
            n += 1
            i += 1
        }
        return n
    }
}

/// Byte spellings used by the classifiers.
enum Spelling {
    static let mokuhyou = Array("目標".utf8)
    static let mokuhyouchi = Array("目標値".utf8)
    static let jisseki = Array("実績".utf8)
    static let jissekichi = Array("実績値".utf8)
    static let tasseiritsu = Array("達成率".utf8)
    static let tasseido = Array("達成度".utf8)
    /// 掲: in every re-listing marker, however it is wrapped or written.
    static let relistedMark = Array("掲".utf8)
    static let labels: [([UInt8], IndicatorLabel)] = [
        (mokuhyouchi, .target), (mokuhyou, .target),
        (jissekichi, .actual), (jisseki, .actual),
        (tasseiritsu, .achievement), (tasseido, .achievement),
    ]
    static let indicatorPlaceholder = Array("指標名等".utf8)
    static let reiwa = Array("令和".utf8)
    static let heisei = Array("平成".utf8)
    static let nendo = Array("年度".utf8)
    static let policyHeader = Array("施策番号".utf8)
    static let baselineHeader = Array("現状値".utf8)
    static let planHeader = Array("【Plan】".utf8)
    static let noHeader = Array("No.".utf8)
    static let noHeaderFull = Array("Ｎｏ．".utf8)
    static let personnelHeader = Array("人件費".utf8)
    static let sectionOpen: UInt32 = 0x3010  // 【
}

/// Character classes used by the wrap-space rule.
enum CharClass {
    /// Japanese script or full-width form: kana, kanji, CJK punctuation, full-width
    /// ASCII variants and brackets, half-width katakana.
    @inline(__always) static func isJapanese(_ v: UInt32) -> Bool {
        switch v {
        case 0x3001...0x303F, 0x3040...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xF900...0xFAFF, 0xFF01...0xFF60, 0xFF61...0xFF9F:
            return true
        default:
            return false
        }
    }

    /// A space after 。！？】 or before 【 separates sentences or sections: kept.
    @inline(__always) static func endsSentence(_ v: UInt32) -> Bool {
        v == 0x3002 || v == 0xFF01 || v == 0xFF1F || v == 0x3011 || v == 0xFF0E
    }

    /// True when an ASCII space between `left` and `right` is a PDF line-wrap artefact.
    @inline(__always) static func isWrapSpace(left: UInt32, right: UInt32) -> Bool {
        isJapanese(left) && isJapanese(right) && !endsSentence(left) && right != Spelling.sectionOpen
    }

    @inline(__always) static func isDash(_ v: UInt32) -> Bool {
        switch v {
        case 0x2D, 0x2010, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0x30FC, 0xFF0D, 0xFF70: return true
        default: return false
        }
    }

    @inline(__always) static func digitValue(_ v: UInt32) -> Int? {
        if v >= 0x30 && v <= 0x39 { return Int(v - 0x30) }
        if v >= 0xFF10 && v <= 0xFF19 { return Int(v - 0xFF10) }
        return nil
    }
}

/// Bytes as a dictionary key, hashed in one call (not byte by byte, and without the
/// Unicode normalisation String hashing does).
struct ByteKey: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    init(_ string: String) { self.bytes = Array(string.utf8) }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension String {
    /// True when the text holds an ASCII space: memchr over native UTF-8 (the UTF-8
    /// view's generic `contains` walks byte by byte through its indices).
    var containsSpace: Bool {
        if let found = utf8.withContiguousStorageIfAvailable({ ByteText(buf: $0).containsSpace(0..<$0.count) }) {
            return found
        }
        return utf8.contains(0x20)
    }
}
