import CrosswalkModel

/// Character n-grams of folded text. Japanese has no spaces between words, so
/// program texts are compared by overlapping character runs rather than words:
/// `テレワーク推進` → `テレ`, `レワ`, `ワー`, `ーク`, `ク推`, `推進`.
enum NGrams {
    /// The scalars compared: `TextKey.fold` (NFKC, no whitespace, lowercase) with
    /// punctuation and brackets dropped, so `AI・RPA` ≡ `AIRPA` and `（拡充）` ≡ `拡充`.
    static func scalars(_ text: String) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(text.utf8.count / 2)
        for scalar in TextKey.fold(text).unicodeScalars where !isPunctuation(scalar) {
            out.append(scalar.value)
        }
        return out
    }

    /// Distinct n-grams of `scalars` as packed keys tagged with `field`, for n = `size`.
    /// Texts shorter than `size` give one gram of the whole text (never none, unless empty).
    static func keys(_ scalars: [UInt32], size: Int, field: SimilarityField) -> [UInt64] {
        guard !scalars.isEmpty else { return [] }
        let n = min(size, scalars.count)
        var keys: [UInt64] = []
        keys.reserveCapacity(scalars.count - n + 1)
        for start in 0...(scalars.count - n) {
            keys.append(pack(scalars[start..<(start + n)], field: field))
        }
        keys.sort()
        var unique = 0
        for i in keys.indices where i == 0 || keys[i] != keys[i - 1] {
            keys[unique] = keys[i]
            unique += 1
        }
        keys.removeLast(keys.count - unique)
        return keys
    }

    /// Up to three scalars (20 bits each; the rare planes above U+FFFFF share one
    /// value) and the field in the top two bits. Unused slots are 0, which folded
    /// text never contains, so a bigram never equals a trigram.
    static func pack(_ gram: ArraySlice<UInt32>, field: SimilarityField) -> UInt64 {
        var key = UInt64(field.rawValue) << 62
        for (slot, value) in gram.prefix(3).enumerated() {
            key |= UInt64(min(value, 0xFFFFF)) << UInt64(40 - 20 * slot)
        }
        return key
    }

    /// Punctuation and brackets: they separate words but say nothing about a program.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The longest run of characters two texts share (folded, punctuation kept out),
    /// for showing why a pair matched. Texts are short; the quadratic table is fine.
    static func longestCommonRun(_ a: [UInt32], _ b: [UInt32]) -> String {
        guard !a.isEmpty, !b.isEmpty else { return "" }
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        var best = 0
        var bestEnd = 0
        for i in 1...a.count {
            for j in 1...b.count {
                if a[i - 1] == b[j - 1] {
                    current[j] = previous[j - 1] + 1
                    if current[j] > best { best = current[j]; bestEnd = i }
                } else {
                    current[j] = 0
                }
            }
            swap(&previous, &current)
        }
        var text = String.UnicodeScalarView()
        for value in a[(bestEnd - best)..<bestEnd] {
            if let scalar = Unicode.Scalar(value) { text.append(scalar) }
        }
        return String(text)
    }
}
