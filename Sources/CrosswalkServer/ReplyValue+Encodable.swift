#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Replies from `Encodable` values.
extension ReplyValue {
    /// The encoder `init(encoding:)` uses by default: sorted keys, snake_case keys,
    /// ISO 8601 dates.
    package static func defaultEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Builds a reply from any `Encodable` by encoding it to JSON with `encoder` and converting
    /// the result, keeping nesting and (sorted) key order. Integers that fit in `Int64` become
    /// `.int`, other numbers `.double`. Goes through text, so it is for `JSONEncoder`'s key and
    /// date strategies (SYNC's summary); an answer with its own coding keys uses
    /// `init(encodable:)`, which builds the value directly.
    package init<T: Encodable>(encoding value: T, encoder: JSONEncoder? = nil) throws {
        let data = try (encoder ?? Self.defaultEncoder()).encode(value)
        self = try ReplyValue(json: Array(data))
    }
}
