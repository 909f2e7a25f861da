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
        var text = text
        var fast = true
        let folded = text.withUTF8 { utf8 in
            String(unsafeUninitializedCapacity: foldCapacity(utf8.count)) { out in
                guard let count = fold(utf8, into: out.baseAddress!) else { fast = false; return 0 }
                return count
            }
        }
        return fast ? folded : nil
    }

    /// Room the fold of `count` bytes may take: a Roman numeral's three bytes fold to
    /// up to four (`Ⅷ` → `viii`), everything else to as many or fewer.
    static func foldCapacity(_ count: Int) -> Int {
        count + count / 3 + 1
    }

    /// Writes the fold of `utf8` at `out`, which has room for `foldCapacity(utf8.count)`
    /// bytes, and returns its length; nil when a character is outside the fast set.
    /// Written in place: the keys are made once per listing.
    static func fold(_ utf8: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int? {
        var w = 0
        var i = 0
        let n = utf8.count
        while i < n {
            let b0 = utf8[i]
            if b0 < 0x80 {
                switch b0 {
                case 0x09...0x0D, 0x20: break
                case 0x41...0x5A: out[w] = b0 + 0x20; w += 1
                default: out[w] = b0; w += 1
                }
                i += 1
                continue
            }
            guard b0 >= 0xE0, b0 < 0xF0, i + 2 < n else { return nil }
            let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(utf8[i + 1] & 0x3F) << 6) | UInt32(utf8[i + 2] & 0x3F)
            switch v {
            case 0x3000:
                break  // ideographic space → space → removed
            case 0x3001...0x3003, 0x3005...0x3007, 0x3008...0x301C, 0x3041...0x3096, 0x30A1...0x30FC,
                0x3400...0x4DBF, 0x4E00...0x9FFF:
                out[w] = utf8[i]; out[w + 1] = utf8[i + 1]; out[w + 2] = utf8[i + 2]
                w += 3
            case 0xFF01...0xFF5E:
                var a = UInt8(v - 0xFEE0)
                if a >= 0x41 && a <= 0x5A { a += 0x20 }
                out[w] = a
                w += 1
            case 0x2460...0x2473:
                let number = Int(v - 0x2460) + 1
                if number >= 10 { out[w] = UInt8(0x30 + number / 10); w += 1 }
                out[w] = UInt8(0x30 + number % 10)
                w += 1
            case 0x2160...0x216B:
                for b in romanLower[Int(v - 0x2160)].utf8 { out[w] = b; w += 1 }
            default:
                return nil
            }
            i += 3
        }
        return w
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
        // Folded straight into the key's storage. Every re-listing marker holds 掲
        // (E6 8E B2), which the fast fold keeps as it is: a name without it has no
        // marker to strip.
        var name = name
        var department = department
        var fast = true
        let key = name.withUTF8 { n in
            department.withUTF8 { d in
                String(unsafeUninitializedCapacity: foldCapacity(n.count) + 1 + foldCapacity(d.count)) { out in
                    let base = out.baseAddress!
                    guard let a = fold(n, into: base), !UnsafeBufferPointer(start: base, count: a).containsRelistedMark,
                        let b = fold(d, into: base + a + 1)
                    else {
                        fast = false
                        return 0
                    }
                    base[a] = 0x7C
                    return a + 1 + b
                }
            }
        }
        guard fast else { return ProgramKey.strippingMarkers(folded: fold(name)) + "|" + fold(department) }
        return key
    }
}

extension UnsafeBufferPointer<UInt8> {
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
