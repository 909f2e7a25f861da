import CICUWords
import Foundation

/// Text as the review matches it: NFKC-folded, lowercased, runs of whitespace made one
/// space (English terms keep their word gaps), split into words by ICU's word break —
/// its dictionary knows Japanese words, so `市職員のテレワーク推進` is
/// `市|職員|の|テレ|ワーク|推進` and a term matches only where its own words begin and end.
package struct ReviewText: Sendable {
    /// The folded text's scalars.
    let scalars: [Unicode.Scalar]
    /// Scalar offsets where a word begins, and where one ends (0 and the end included).
    /// nil when ICU could not break the text: matching falls back to character runs.
    let starts: Set<Int>?
    let ends: Set<Int>?

    /// `wordBreak: false` skips ICU, as if it had failed: the n-gram-only baseline.
    package init(_ text: String, wordBreak: Bool = true) {
        scalars = Self.fold(text)
        if wordBreak, let words = Self.words(scalars) {
            starts = Set(words.map(\.lowerBound))
            ends = Set(words.map(\.upperBound))
        } else {
            starts = nil
            ends = nil
        }
    }

    package static func fold(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var space = false
        for scalar in text.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            if scalar.properties.isWhitespace {
                space = !out.isEmpty
                continue
            }
            if space { out.append(" ") }
            space = false
            out.append(scalar)
        }
        return out
    }

    /// The word segments (not spaces or punctuation) as scalar ranges, or nil when ICU fails.
    static func words(_ scalars: [Unicode.Scalar]) -> [Range<Int>]? {
        guard !scalars.isEmpty else { return [] }
        var utf16: [UInt16] = []
        var scalarAt: [Int] = []  // utf16 offset → scalar index
        utf16.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            for unit in scalar.utf16 {
                utf16.append(unit)
                scalarAt.append(index)
            }
        }
        scalarAt.append(scalars.count)
        var ends = [Int32](repeating: 0, count: utf16.count)
        var isWord = [UInt8](repeating: 0, count: utf16.count)
        let count = crosswalk_word_ends(utf16, Int32(utf16.count), &ends, &isWord, Int32(utf16.count))
        guard count >= 0 else { return nil }
        var words: [Range<Int>] = []
        var start = 0
        for k in 0..<Int(count) {
            let end = scalarAt[Int(ends[k])]
            if isWord[k] != 0, end > start { words.append(start..<end) }
            start = end
        }
        return words
    }

    /// Whether `range` (a run of this text equal to a term) starts and ends on word
    /// boundaries; nil when there are no word boundaries to ask.
    func onWordBoundaries(_ range: Range<Int>) -> Bool? {
        guard let starts, let ends else { return nil }
        return starts.contains(range.lowerBound) && ends.contains(range.upperBound)
    }
}
