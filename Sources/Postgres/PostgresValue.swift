package import Foundation

/// A Swift value sent to PostgreSQL as a bound parameter, in text format.
/// `nil` text means SQL NULL.
package protocol PostgresEncodable {
    var postgresText: String? { get }
}

extension String: PostgresEncodable { package var postgresText: String? { self } }
extension Substring: PostgresEncodable { package var postgresText: String? { String(self) } }
extension Int: PostgresEncodable { package var postgresText: String? { String(self) } }
extension Int64: PostgresEncodable { package var postgresText: String? { String(self) } }
extension Int32: PostgresEncodable { package var postgresText: String? { String(self) } }
extension Int16: PostgresEncodable { package var postgresText: String? { String(self) } }
extension Double: PostgresEncodable {
    package var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
}
extension Decimal: PostgresEncodable { package var postgresText: String? { "\(self)" } }
extension Bool: PostgresEncodable { package var postgresText: String? { self ? "t" : "f" } }
extension Date: PostgresEncodable {
    package var postgresText: String? { PostgresTimestamp.format(self) }
}
extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    package var postgresText: String? { self?.postgresText }
}
extension Array: PostgresEncodable where Element: BinaryInteger {
    /// Integer arrays as an array literal: `{1,2,3}`.
    package var postgresText: String? { "{" + map { String($0) }.joined(separator: ",") + "}" }
}

/// A `text[]` parameter, written as an array literal with every element quoted.
package struct PostgresTextArray: PostgresEncodable {
    package var values: [String]
    package init(_ values: [String]) { self.values = values }
    package var postgresText: String? {
        "{" + values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }
}

/// JSON text sent as a `json`/`jsonb` parameter or read from such a column.
package struct PostgresJSON: PostgresEncodable, Equatable {
    package var text: String
    package init(text: String) { self.text = text }
    package init<T: Encodable>(encoding value: T, encoder: JSONEncoder = JSONEncoder()) throws {
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    package var postgresText: String? { text }
    package func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: Data(text.utf8))
    }
}

/// A Swift type that can be read from a column's text form.
package protocol PostgresDecodable {
    /// Returns nil when the text does not fit the type.
    init?(postgresText text: String)
}

extension String: PostgresDecodable { package init?(postgresText text: String) { self = text } }
extension Int: PostgresDecodable { package init?(postgresText text: String) { self.init(text) } }
extension Int64: PostgresDecodable { package init?(postgresText text: String) { self.init(text) } }
extension Int32: PostgresDecodable { package init?(postgresText text: String) { self.init(text) } }
extension Double: PostgresDecodable {
    package init?(postgresText text: String) {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(text)
        }
    }
}
extension Decimal: PostgresDecodable {
    package init?(postgresText text: String) {
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        self = value
    }
}
extension Bool: PostgresDecodable {
    package init?(postgresText text: String) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}
extension Date: PostgresDecodable {
    package init?(postgresText text: String) {
        guard let date = PostgresTimestamp.parse(text) else { return nil }
        self = date
    }
}
extension PostgresJSON: PostgresDecodable {
    package init?(postgresText text: String) { self.text = text }
}
extension Array: PostgresDecodable where Element: FixedWidthInteger {
    /// One-dimensional integer arrays: `{1,2,3}`, `{}`. NULL elements do not fit.
    package init?(postgresText text: String) {
        guard text.hasPrefix("{"), text.hasSuffix("}") else { return nil }
        let body = text.dropFirst().dropLast()
        if body.isEmpty { self = []; return }
        var values: [Element] = []
        for part in body.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Element(String(part)) else { return nil }
            values.append(value)
        }
        self = values
    }
}

/// Timestamps travel as ISO text in UTC: every connection sets `TimeZone=UTC`.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Parses `2026-11-29 03:37:51.123456+00` (timestamptz) and `2026-11-29 03:37:51` (timestamp, as UTC).
    static func parse(_ text: String) -> Date? {
        var body = Substring(text)
        var offsetSeconds = 0
        // Trailing zone: +HH, +HH:MM or +HH:MM:SS.
        if let signIndex = body.lastIndex(where: { $0 == "+" || $0 == "-" }), signIndex > body.index(body.startIndex, offsetBy: 10, limitedBy: body.endIndex) ?? body.endIndex {
            let zone = body[body.index(after: signIndex)...].split(separator: ":").compactMap { Int($0) }
            guard !zone.isEmpty else { return nil }
            let magnitude = zone[0] * 3600 + (zone.count > 1 ? zone[1] * 60 : 0) + (zone.count > 2 ? zone[2] : 0)
            offsetSeconds = body[signIndex] == "-" ? -magnitude : magnitude
            body = body[..<signIndex]
        }
        let halves = body.split(separator: " ")
        guard halves.count == 2 else { return nil }
        let ymd = halves[0].split(separator: "-").compactMap { Int($0) }
        let timeParts = halves[1].split(separator: ":")
        guard ymd.count == 3, timeParts.count == 3,
              let hour = Int(timeParts[0]), let minute = Int(timeParts[1]), let second = Double(timeParts[2])
        else { return nil }
        var components = DateComponents()
        components.year = ymd[0]; components.month = ymd[1]; components.day = ymd[2]
        components.hour = hour; components.minute = minute; components.second = 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let base = calendar.date(from: components) else { return nil }
        return base.addingTimeInterval(second - Double(offsetSeconds))
    }
}
