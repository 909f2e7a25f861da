import CrosswalkModel
import Foundation

/// Detects the document's encoding and hands back UTF-8 bytes.
///
/// Order: UTF-8 byte-order mark → strict UTF-8 → CP932. A document that is neither is
/// refused with the line of the first undecodable byte (of whichever decoding got
/// further), never decoded by guess.
struct DecodedText {
    var utf8: [UInt8]
    var encoding: SourceEncoding
    /// Bytes dropped at the very end because the file stops inside a character.
    var truncatedTail: Bool
}

enum DecodeFailure: Error {
    /// `offset` is an offset into the original bytes.
    case binary(offset: Int)
    case utf16(offset: Int)
    case undecodable(offset: Int, detail: String)
}

enum TextDecoder {
    static func decode(_ bytes: [UInt8]) -> Result<DecodedText, DecodeFailure> {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return .failure(.utf16(offset: 0))
        }
        if let nul = firstNUL(bytes) { return .failure(.binary(offset: nul)) }
        var start = 0
        var encoding = SourceEncoding.utf8
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            start = 3
            encoding = .utf8BOM
        }
        let utf8Check = validateUTF8(bytes, from: start)
        switch utf8Check {
        case .valid:
            return .success(DecodedText(utf8: start == 0 ? bytes : Array(bytes[start...]), encoding: encoding, truncatedTail: false))
        case .truncatedAt(let offset):
            // Valid UTF-8 up to a character cut off by the end of the file.
            return .success(DecodedText(utf8: Array(bytes[start..<offset]), encoding: encoding, truncatedTail: true))
        case .invalidAt(let utf8Offset):
            if encoding == .utf8BOM {
                return .failure(.undecodable(offset: utf8Offset, detail: "invalid UTF-8 after a UTF-8 byte-order mark"))
            }
            switch CP932.decode(bytes) {
            case .success(let (text, truncated)):
                return .success(DecodedText(utf8: text, encoding: .cp932, truncatedTail: truncated))
            case .failure(let cpFailure):
                let offset = max(utf8Offset, cpFailure.offset)
                return .failure(.undecodable(offset: offset, detail: "bytes that are neither UTF-8 nor Shift_JIS (CP932)"))
            }
        }
    }

    static func firstNUL(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buf -> Int? in
            guard let base = buf.baseAddress, let hit = memchr(base, 0, buf.count) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
        }
    }

    enum UTF8Check { case valid, invalidAt(Int), truncatedAt(Int) }

    /// Strict UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
    static func validateUTF8(_ bytes: [UInt8], from start: Int) -> UTF8Check {
        bytes.withUnsafeBufferPointer { buf -> UTF8Check in
            let n = buf.count
            var i = start
            while i < n {
                let b0 = buf[i]
                if b0 < 0x80 {
                    i += 1
                    // ASCII runs eight bytes at a time (tried only after an ASCII byte:
                    // Japanese text goes from one multi-byte character to the next).
                    while i + 8 <= n {
                        let word = UnsafeRawPointer(buf.baseAddress! + i).loadUnaligned(as: UInt64.self)
                        if word & 0x8080_8080_8080_8080 != 0 { break }
                        i += 8
                    }
                    continue
                }
                // Common case for Japanese text: three-byte sequences E1–EC, EE–EF, one
                // after another.
                var j = i
                while j + 2 < n {
                    let c = buf[j]
                    guard (c >= 0xE1 && c <= 0xEC) || c >= 0xEE && c <= 0xEF,
                        buf[j + 1] & 0xC0 == 0x80, buf[j + 2] & 0xC0 == 0x80
                    else { break }
                    j += 3
                }
                if j > i {
                    i = j
                    continue
                }
                let need: Int
                var lower: UInt8 = 0x80
                var upper: UInt8 = 0xBF
                switch b0 {
                case 0xC2...0xDF: need = 1
                case 0xE0: need = 2; lower = 0xA0
                case 0xE1...0xEC, 0xEE, 0xEF: need = 2
                case 0xED: need = 2; upper = 0x9F
                case 0xF0: need = 3; lower = 0x90
                case 0xF1...0xF3: need = 3
                case 0xF4: need = 3; upper = 0x8F
                default: return .invalidAt(i)
                }
                for k in 1...need {
                    if i + k >= n { return .truncatedAt(i) }
                    let b = buf[i + k]
                    if k == 1 {
                        if b < lower || b > upper { return .invalidAt(i) }
                    } else if b < 0x80 || b > 0xBF {
                        return .invalidAt(i)
                    }
                }
                i += need + 1
            }
            return .valid
        }
    }
}

/// Shift_JIS as Windows writes it (CP932: JIS X 0208 + NEC and IBM extensions),
/// decoded with a table generated from the Microsoft mapping.
struct CP932Failure: Error { var offset: Int }

enum CP932 {
    /// 60 lead bytes × 189 trail bytes; 0xFFFD = unmapped.
    static let table: [UInt16] = {
        var out: [UInt16] = []
        out.reserveCapacity(60 * 189)
        for row in cp932DoubleByteRows {
            var count = 0
            for scalar in row.unicodeScalars {
                out.append(UInt16(truncatingIfNeeded: scalar.value))
                count += 1
            }
            precondition(count == 189, "CP932 table row has \(count) entries")
        }
        return out
    }()

    @inline(__always)
    static func leadIndex(_ b: UInt8) -> Int? {
        switch b {
        case 0x81...0x9F: return Int(b) - 0x81
        case 0xE0...0xFC: return Int(b) - 0xE0 + 31
        default: return nil
        }
    }

    /// UTF-8 bytes, or the offset of the first byte that cannot be decoded. A lead
    /// byte as the very last byte is a truncation (reported, not an error).
    static func decode(_ bytes: [UInt8]) -> Result<([UInt8], Bool), CP932Failure> {
        let table = self.table
        var truncated = false
        var failure: Int? = nil
        // Every byte becomes at most three bytes of UTF-8 (a half-width katakana byte).
        let out = [UInt8](unsafeUninitializedCapacity: bytes.count * 3 + 4) { out, written in
            let o = out.baseAddress!
            var w = 0
            failure = bytes.withUnsafeBufferPointer { buf -> Int? in
                table.withUnsafeBufferPointer { table -> Int? in
                    let n = buf.count
                    var i = 0
                    while i < n {
                        let b = buf[i]
                        if b < 0x80 {
                            o[w] = b
                            w += 1
                            i += 1
                        } else if b >= 0xA1 && b <= 0xDF {
                            // Half-width katakana U+FF61…U+FF9F.
                            w += putUTF8(UInt32(b) - 0xA1 + 0xFF61, o + w)
                            i += 1
                        } else if let lead = leadIndex(b) {
                            if i + 1 >= n { truncated = true; return nil }
                            let t = buf[i + 1]
                            guard t >= 0x40, t <= 0xFC, t != 0x7F else { return i }
                            let u = table[lead * 189 + Int(t) - 0x40]
                            if u == 0xFFFD { return i }
                            w += putUTF8(UInt32(u), o + w)
                            i += 2
                        } else {
                            return i
                        }
                    }
                    return nil
                }
            }
            written = w
        }
        if let failure { return .failure(CP932Failure(offset: failure)) }
        return .success((out, truncated))
    }

    /// Writes `u` (< U+10000) as UTF-8 at `p`; returns the byte count.
    @inline(__always)
    static func putUTF8(_ u: UInt32, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        if u < 0x80 {
            p[0] = UInt8(u)
            return 1
        } else if u < 0x800 {
            p[0] = UInt8(0xC0 | (u >> 6))
            p[1] = UInt8(0x80 | (u & 0x3F))
            return 2
        } else {
            p[0] = UInt8(0xE0 | (u >> 12))
            p[1] = UInt8(0x80 | ((u >> 6) & 0x3F))
            p[2] = UInt8(0x80 | (u & 0x3F))
            return 3
        }
    }

    /// UTF-8 text → CP932 bytes (the reverse table); `—` (U+2014) becomes `―` as in
    /// Windows. Nil when a character has no CP932 form. Used by tests and tools.
    static func encode(_ text: String) -> [UInt8]? {
        var reverse: [UInt16: UInt16] = [:]
        let leads = Array(0x81...0x9F) + Array(0xE0...0xFC)
        for (li, lead) in leads.enumerated() {
            for t in 0..<189 {
                let u = table[li * 189 + t]
                if u != 0xFFFD, reverse[u] == nil { reverse[u] = UInt16(lead) << 8 | UInt16(t + 0x40) }
            }
        }
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            var v = scalar.value
            if v == 0x2014 { v = 0x2015 }
            if v < 0x80 { out.append(UInt8(v)); continue }
            if v >= 0xFF61, v <= 0xFF9F { out.append(UInt8(v - 0xFF61 + 0xA1)); continue }
            guard v <= 0xFFFF, let code = reverse[UInt16(v)] else { return nil }
            out.append(UInt8(code >> 8))
            out.append(UInt8(code & 0xFF))
        }
        return out
    }
}
