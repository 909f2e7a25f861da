public import Foundation

/// Comparison keys: width- and wrap-insensitive forms of what people write.
/// Text shown to people keeps its readable form; only keys are folded.
public enum TextKey {
    /// NFKC (full-width → half-width, ② → 2, Ⅱ → II), whitespace removed, lowercased.
    public static func fold(_ text: String) -> String {
        let nfkc = text.precomposedStringWithCompatibilityMapping
        return String(nfkc.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
            .lowercased()
    }
}

public enum PolicyCode {
    /// `II-3-(2)-②`, `Ⅱ－３－（２）－２` and `II-3-(2)-2` share one key.
    public static func key(_ code: String) -> String {
        TextKey.fold(code).replacingOccurrences(of: "−", with: "-")
            .replacingOccurrences(of: "‐", with: "-")
            .replacingOccurrences(of: "ー", with: "-")
    }
}

public enum ProgramKey {
    /// Markers that say a listing is repeated, not a different program.
    public static let relistingMarkers = ["（再掲）", "(再掲)", "【再掲】", "［再掲］", "[再掲]", "再掲"]

    /// The program's identity: folded name (markers stripped) and folded department.
    public static func make(name: String, department: String) -> String {
        var bare = name
        for marker in relistingMarkers { bare = bare.replacingOccurrences(of: marker, with: "") }
        return TextKey.fold(bare) + "|" + TextKey.fold(department)
    }
}

/// JSON coding for the interchange format: snake_case keys, stable key order.
public enum EvaluationJSON {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
