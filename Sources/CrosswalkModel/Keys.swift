package import Foundation

/// Comparison keys: width- and wrap-insensitive forms of what people write.
/// Text shown to people keeps its readable form; only keys are folded.
package enum TextKey {
    /// NFKC (full-width → half-width, ② → 2, Ⅱ → II), whitespace removed, lowercased.
    package static func fold(_ text: String) -> String {
        let nfkc = text.precomposedStringWithCompatibilityMapping
        return String(nfkc.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
            .lowercased()
    }
}

package enum PolicyCode {
    /// `II-3-(2)-②`, `Ⅱ－３－（２）－２` and `II-3-(2)-2` share one key.
    package static func key(_ code: String) -> String {
        TextKey.fold(code).replacingOccurrences(of: "−", with: "-")
            .replacingOccurrences(of: "‐", with: "-")
            .replacingOccurrences(of: "ー", with: "-")
    }
}

package enum ProgramKey {
    /// Re-listing markers as `TextKey.fold` writes them (`（再掲）` `(再 掲)` → `(再掲)`,
    /// `［再掲］` → `[再掲]`, `＜再掲＞` → `<再掲>`). They are compared only after folding, so width and wrap
    /// spaces inside a marker never hide it. A bare `再掲` counts only at the start or
    /// end of a name (`再掲示板` is a word, not a marker).
    package static let foldedMarkers: [[Unicode.Scalar]] = ["(再掲)", "【再掲】", "[再掲]", "〔再掲〕", "<再掲>"].map { Array($0.unicodeScalars) }
    static let bareMarker: [Unicode.Scalar] = Array("再掲".unicodeScalars)

    /// The program's identity: folded name (markers stripped) and folded department.
    package static func make(name: String, department: String) -> String {
        nameKey(name) + "|" + TextKey.fold(department)
    }

    /// The name half of the identity key (what `crosswalk_program` looks names up by).
    package static func nameKey(_ name: String) -> String {
        strippingMarkers(folded: TextKey.fold(name))
    }

    /// `folded` (a `TextKey.fold` result) without re-listing markers.
    package static func strippingMarkers(folded: String) -> String {
        // 掲 is in every marker: most names skip the scan.
        guard folded.unicodeScalars.contains("掲") else { return folded }
        let scalars = Array(folded.unicodeScalars)
        let hits = markerPositions(scalars)
        var view = String.UnicodeScalarView()
        for (i, s) in scalars.enumerated() where !hits.contains(i) { view.append(s) }
        return String(view)
    }

    /// A readable name without its re-listing markers (and the spaces inside them),
    /// and whether it had one: `KitaQ DX推進事業（再 掲）` → (`KitaQ DX推進事業`, true).
    /// The markers are found in the folded name, so `make` gives the same key for
    /// the name before and after.
    package static func removingMarkers(_ name: String) -> (name: String, relisted: Bool) {
        guard name.unicodeScalars.contains(where: { $0 == "掲" }) else { return (name, false) }
        let original = Array(name.unicodeScalars)
        // The fold of each scalar, remembering which scalar it came from.
        var folded: [Unicode.Scalar] = []
        var origin: [Int] = []
        folded.reserveCapacity(original.count)
        origin.reserveCapacity(original.count)
        for (i, s) in original.enumerated() {
            let before = folded.count
            appendFold(of: s, to: &folded)
            origin.append(contentsOf: repeatElement(i, count: folded.count - before))
        }
        let hits = markerPositions(folded)
        guard !hits.isEmpty else { return (name, false) }
        // Remove each marker from its first to its last scalar, spaces inside included.
        var removed = Set<Int>()
        for run in runs(hits) { removed.formUnion(origin[run.lowerBound]...origin[run.upperBound - 1]) }
        var view = String.UnicodeScalarView()
        for (i, s) in original.enumerated() where !removed.contains(i) { view.append(s) }
        return (trimmed(String(view)), true)
    }

    /// Appends `TextKey.fold` of one scalar; kana, kanji and ASCII without Foundation.
    package static func appendFold(of s: Unicode.Scalar, to out: inout [Unicode.Scalar]) {
        switch s.value {
        case 0x09...0x0D, 0x20: break
        case 0x41...0x5A: out.append(Unicode.Scalar(s.value + 0x20)!)
        case 0x21...0x7E, 0x3041...0x3096, 0x30A1...0x30FA, 0x3400...0x4DBF, 0x4E00...0x9FFF: out.append(s)
        default: out.append(contentsOf: TextKey.fold(String(s)).unicodeScalars)
        }
    }

    /// Positions in `s` (folded scalars) that belong to a re-listing marker:
    /// bracketed markers anywhere, a bare 再掲 at the start or end; repeated on what
    /// is left until nothing is found, so the rest never holds a marker.
    static func markerPositions(_ s: [Unicode.Scalar]) -> Set<Int> {
        var hits = Set<Int>()
        var rest = Array(s.indices)
        func matches(_ marker: [Unicode.Scalar], at i: Int) -> Bool {
            i + marker.count <= rest.count && marker.indices.allSatisfy { s[rest[i + $0]] == marker[$0] }
        }
        while true {
            var found: [Int] = []
            var i = 0
            scan: while i < rest.count {
                for marker in foldedMarkers where matches(marker, at: i) {
                    found += rest[i..<(i + marker.count)]
                    i += marker.count
                    continue scan
                }
                i += 1
            }
            let n = bareMarker.count
            if matches(bareMarker, at: 0) { found += rest[0..<n] }
            let tail = rest.count - n
            if tail >= 0, matches(bareMarker, at: tail), !rest[tail...].contains(where: found.contains) { found += rest[tail...] }
            if found.isEmpty { return hits }
            hits.formUnion(found)
            rest.removeAll { hits.contains($0) }
        }
    }

    /// Sorted positions grouped into runs of consecutive positions.
    private static func runs(_ positions: Set<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for p in positions.sorted() {
            if let last = out.last, last.upperBound == p { out[out.count - 1] = last.lowerBound..<(p + 1) } else { out.append(p..<(p + 1)) }
        }
        return out
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let f = scalars.first, f.properties.isWhitespace { scalars.removeFirst() }
        while let l = scalars.last, l.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

/// JSON coding for the interchange format: snake_case keys, stable key order.
package enum EvaluationJSON {
    package static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    package static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
