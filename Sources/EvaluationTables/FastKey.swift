import CrosswalkModel
import Foundation

/// `TextKey.fold` and `ProgramKey.make` without Foundation for the characters that
/// make up almost all program and department names (ASCII, kana, kanji, CJK
/// punctuation, full-width ASCII, circled digits, Roman numerals). Anything else
/// falls back to CrosswalkModel's functions, so the keys are always identical; the
/// tests check every character of the fast set against `TextKey.fold`.
enum FastKey {
    /// The fold of `text`, or nil when a character is outside the fast set.
    static func fastFold(_ text: String) -> String? {
        var out: [UInt8] = []
        guard appendFastFold(text, to: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the fold of `text` to `out`; false (with `out` partly written) when a
    /// character is outside the fast set.
    static func appendFastFold(_ text: String, to out: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { utf8 -> Bool in
            out.reserveCapacity(out.count + utf8.count)
            var i = 0
            let n = utf8.count
            while i < n {
                let b0 = utf8[i]
                if b0 < 0x80 {
                    switch b0 {
                    case 0x09...0x0D, 0x20: break
                    case 0x41...0x5A: out.append(b0 + 0x20)
                    default: out.append(b0)
                    }
                    i += 1
                    continue
                }
                guard b0 >= 0xE0, b0 < 0xF0, i + 2 < n else { return false }
                let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(utf8[i + 1] & 0x3F) << 6) | UInt32(utf8[i + 2] & 0x3F)
                switch v {
                case 0x3000:
                    break  // ideographic space → space → removed
                case 0x3001...0x3003, 0x3005...0x3007, 0x3008...0x301C, 0x3041...0x3096, 0x30A1...0x30FC,
                    0x3400...0x4DBF, 0x4E00...0x9FFF:
                    out.append(utf8[i]); out.append(utf8[i + 1]); out.append(utf8[i + 2])
                case 0xFF01...0xFF5E:
                    var a = UInt8(v - 0xFEE0)
                    if a >= 0x41 && a <= 0x5A { a += 0x20 }
                    out.append(a)
                case 0x2460...0x2473:
                    let number = Int(v - 0x2460) + 1
                    if number >= 10 { out.append(UInt8(0x30 + number / 10)) }
                    out.append(UInt8(0x30 + number % 10))
                case 0x2160...0x216B:
                    out.append(contentsOf: romanLower[Int(v - 0x2160)].utf8)
                default:
                    return false
                }
                i += 3
            }
            return true
        }
    }

    private static let romanLower = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]

    static func fold(_ text: String) -> String {
        fastFold(text) ?? TextKey.fold(text)
    }

    /// Equal to `PolicyCode.key(_:)`.
    static func policyKey(_ code: String) -> String {
        guard let folded = fastFold(code) else { return PolicyCode.key(code) }
        // PolicyCode.key also maps − ‐ ー to "-"; only ー (E3 83 BC) survives the fast fold.
        guard folded.utf8.contains(0xE3) else { return folded }
        return folded.replacingOccurrences(of: "ー", with: "-")
    }

    /// Equal to `ProgramKey.make(name:department:)`: the same fold, then the same
    /// marker rule on the folded name.
    static func programKey(name: String, department: String) -> String {
        // Built in one buffer. Every re-listing marker holds 掲 (E6 8E B2), which the fast
        // fold keeps as it is: a name without it has no marker to strip.
        var key: [UInt8] = []
        key.reserveCapacity(name.utf8.count + department.utf8.count + 1)
        guard appendFastFold(name, to: &key), !key.containsRelistedMark else {
            return ProgramKey.strippingMarkers(folded: fold(name)) + "|" + fold(department)
        }
        key.append(0x7C)
        guard appendFastFold(department, to: &key) else {
            return ProgramKey.strippingMarkers(folded: fold(name)) + "|" + fold(department)
        }
        return String(decoding: key, as: UTF8.self)
    }
}

extension [UInt8] {
    /// True when the bytes hold 掲 (E6 8E B2).
    fileprivate var containsRelistedMark: Bool {
        var i = 0
        while i + 2 < count {
            if self[i] == 0xE6, self[i + 1] == 0x8E, self[i + 2] == 0xB2 { return true }
            i += 1
        }
        return false
    }
}
