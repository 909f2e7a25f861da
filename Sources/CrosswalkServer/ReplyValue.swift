#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A reply to one request, independent of how it goes over the wire.
///
/// The same value serialises to both framings:
///
/// | case        | JSON (inline requests)                    | RESP2 (RESP requests)             |
/// |-------------|-------------------------------------------|-----------------------------------|
/// | `null`      | `null`                                    | `$-1`                             |
/// | `bool`      | `true` / `false`                          | `:1` / `:0`                       |
/// | `int`       | number                                    | `:n`                              |
/// | `double`    | number (`null` for NaN / infinity)        | bulk string (`$4\r\n0.25`)        |
/// | `string`    | string                                    | bulk string                       |
/// | `array`     | array                                     | array                             |
/// | `object`    | object, keys in the given order           | flat array `[k1, v1, k2, v2, …]`  |
/// | `status`    | string                                    | simple string (`+OK`)             |
/// | `error`     | `{"ok":false,"error":…}` at the top level | error (`-ERR …`)                  |
///
/// At the top level of a JSON reply an object is merged into `{"ok":true,…}`; any other
/// value goes under the key `"result"`.
///
/// `error` carries the full error text including its leading code word, e.g.
/// `"ERR unknown command 'FOO'"` or `"NOAUTH Authentication required."`.
public indirect enum ReplyValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([ReplyValue])
    /// Key–value pairs in order (duplicates are not removed).
    case object([(String, ReplyValue)])
    /// A short status such as `OK` or `PONG` (RESP simple string).
    case status(String)
    /// An error reply; the text starts with a code word such as `ERR`.
    case error(String)
    /// A reply serialised once in both forms, for answers served many times.
    case encoded(EncodedReply)

    /// `+OK`.
    public static let ok: ReplyValue = .status("OK")

    /// An `int` from any integer type (clamped to the `Int64` range).
    public static func integer<T: BinaryInteger>(_ value: T) -> ReplyValue {
        .int(Int64(clamping: value))
    }

    /// An `error` built from a code word and a message: `error(code: "ERR", "bad")` → `ERR bad`.
    public static func error(code: String, _ message: String) -> ReplyValue {
        .error("\(code) \(message)")
    }

    /// Whether this is an `.error` value.
    public var isError: Bool {
        if case .error = self { return true }
        return false
    }

    /// The value for `key` if this is an object.
    public subscript(key: String) -> ReplyValue? {
        if case .encoded(let encoded) = self { return encoded.value[key] }
        guard case .object(let pairs) = self else { return nil }
        return pairs.first(where: { $0.0 == key })?.1
    }
}

/// A reply with its JSON line and RESP bytes computed up front: a cached answer
/// costs a copy per request, not a serialisation.
public final class EncodedReply: Sendable {
    public let value: ReplyValue
    let jsonLine: String
    let resp: [UInt8]

    public init(_ value: ReplyValue) {
        self.value = value
        self.jsonLine = value.jsonReplyLine()
        self.resp = value.respBytes()
    }

    /// Bytes held by both encodings.
    public var size: Int { jsonLine.utf8.count + resp.count }
}

// MARK: - Equatable (tuples are not Equatable on their own)

extension ReplyValue: Equatable {
    public static func == (lhs: ReplyValue, rhs: ReplyValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.status(let a), .status(let b)): return a == b
        case (.error(let a), .error(let b)): return a == b
        case (.encoded(let a), _): return a.value == rhs
        case (_, .encoded(let b)): return lhs == b.value
        default: return false
        }
    }
}

// MARK: - Literals

extension ReplyValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: ReplyValue...) { self = .array(elements) }
    /// Dictionary literals keep their written order.
    public init(dictionaryLiteral elements: (String, ReplyValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - JSON

extension ReplyValue {
    /// The one-line JSON form of a whole reply: `{"ok":true,…}` or `{"ok":false,"error":"…"}`.
    /// No trailing newline.
    public func jsonReplyLine() -> String {
        var out = ""
        switch self {
        case .encoded(let encoded):
            return encoded.jsonLine
        case .error(let message):
            out += #"{"ok":false,"error":"#
            Self.appendJSONString(message, to: &out)
            out += "}"
        case .object(let pairs) where !pairs.contains(where: { $0.0 == "ok" }):
            out += #"{"ok":true"#
            for (key, value) in pairs {
                out += ","
                Self.appendJSONString(key, to: &out)
                out += ":"
                value.appendJSON(to: &out)
            }
            out += "}"
        default:
            out += #"{"ok":true,"result":"#
            self.appendJSON(to: &out)
            out += "}"
        }
        return out
    }

    /// This value as compact JSON text (no envelope).
    public func jsonText() -> String {
        var out = ""
        appendJSON(to: &out)
        return out
    }

    func appendJSON(to out: inout String) {
        switch self {
        case .null:
            out += "null"
        case .bool(let b):
            out += b ? "true" : "false"
        case .int(let i):
            out += String(i)
        case .double(let d):
            if d.isFinite {
                if d == d.rounded(), abs(d) < 1e15 {
                    // Whole numbers print as `3.0`; keep them recognisably numeric and short.
                    out += String(Int64(d))
                    out += ".0"
                } else {
                    out += String(d)  // shortest round-trip form, e.g. 0.1, 1e-05, 1.5e+20
                }
            } else {
                out += "null"
            }
        case .string(let s), .status(let s):
            Self.appendJSONString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.appendJSON(to: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += "," }
                Self.appendJSONString(key, to: &out)
                out += ":"
                value.appendJSON(to: &out)
            }
            out += "}"
        case .error(let message):
            out += #"{"error":"#
            Self.appendJSONString(message, to: &out)
            out += "}"
        case .encoded(let encoded):
            encoded.value.appendJSON(to: &out)
        }
    }

    /// Appends `s` as a JSON string literal. Control characters are escaped (so the reply
    /// stays on one line); everything else, including non-ASCII, is kept as UTF-8.
    static func appendJSONString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{2028}": out += "\\u2028"  // line separators: valid JSON, but keep "one line" for
            case "\u{2029}": out += "\\u2029"  // readers that split on them
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u00"
                    let hex = String(scalar.value, radix: 16)
                    if hex.count < 2 { out += "0" }
                    out += hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

// MARK: - RESP2

extension ReplyValue {
    /// The RESP2 encoding of this value.
    public func respBytes() -> [UInt8] {
        if case .encoded(let encoded) = self { return encoded.resp }
        var out: [UInt8] = []
        appendRESP(to: &out)
        return out
    }

    func appendRESP(to out: inout [UInt8]) {
        switch self {
        case .encoded(let encoded):
            out += encoded.resp
        case .null:
            out += Array("$-1\r\n".utf8)
        case .bool(let b):
            out += Array((b ? ":1\r\n" : ":0\r\n").utf8)
        case .int(let i):
            out.append(UInt8(ascii: ":"))
            out += Array(String(i).utf8)
            out += crlf
        case .double(let d):
            let text: String
            if d.isNaN {
                text = "nan"
            } else if d.isInfinite {
                text = d < 0 ? "-inf" : "inf"
            } else {
                text = String(d)
            }
            Self.appendBulk(Array(text.utf8), to: &out)
        case .string(let s):
            Self.appendBulk(Array(s.utf8), to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "*"))
            out += Array(String(items.count).utf8)
            out += crlf
            for item in items { item.appendRESP(to: &out) }
        case .object(let pairs):
            out.append(UInt8(ascii: "*"))
            out += Array(String(pairs.count * 2).utf8)
            out += crlf
            for (key, value) in pairs {
                Self.appendBulk(Array(key.utf8), to: &out)
                value.appendRESP(to: &out)
            }
        case .status(let s):
            out.append(UInt8(ascii: "+"))
            out += Self.singleLine(s)
            out += crlf
        case .error(let s):
            out.append(UInt8(ascii: "-"))
            out += Self.singleLine(s)
            out += crlf
        }
    }

    static func appendBulk(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "$"))
        out += Array(String(bytes.count).utf8)
        out += crlf
        out += bytes
        out += crlf
    }

    /// Simple strings and errors may not contain CR or LF: replace them with spaces.
    static func singleLine(_ s: String) -> [UInt8] {
        s.utf8.map { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0 }
    }
}

private let crlf: [UInt8] = [UInt8(ascii: "\r"), UInt8(ascii: "\n")]

// MARK: - From Encodable

extension ReplyValue {
    /// The encoder `init(encoding:)` uses by default: sorted keys, snake_case keys,
    /// ISO 8601 dates.
    public static func defaultEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Builds a reply from any `Encodable` by encoding it to JSON and converting the result,
    /// keeping nesting and (sorted) key order. Integers that fit in `Int64` become `.int`,
    /// other numbers `.double`.
    public init<T: Encodable>(encoding value: T, encoder: JSONEncoder? = nil) throws {
        let data = try (encoder ?? Self.defaultEncoder()).encode(value)
        self = try ReplyValue(json: Array(data))
    }

    /// Parses JSON text into a reply value (objects keep their key order).
    public init(json bytes: [UInt8]) throws {
        var parser = JSONValueParser(bytes: bytes)
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw JSONValueParser.Failure(offset: parser.index) }
        self = value
    }
}

/// A small strict JSON parser; used to convert `JSONEncoder` output without losing key order
/// or the distinction between booleans and numbers.
struct JSONValueParser {
    struct Failure: Error, CustomStringConvertible {
        var offset: Int
        var description: String { "invalid JSON at byte \(offset)" }
    }

    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func parseValue(depth: Int) throws -> ReplyValue {
        guard depth < 512 else { throw Failure(offset: index) }
        skipWhitespace()
        guard index < bytes.count else { throw Failure(offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var pairs: [(String, ReplyValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(pairs)
            }
            while true {
                skipWhitespace()
                let key = try parseString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                let value = try parseValue(depth: depth + 1)
                pairs.append((key, value))
                skipWhitespace()
                guard index < bytes.count else { throw Failure(offset: index) }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"))
                return .object(pairs)
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [ReplyValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw Failure(offset: index) }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "]"))
                return .array(items)
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            return try parseNumber()
        }
    }

    mutating func expect(_ byte: UInt8) throws {
        guard index < bytes.count, bytes[index] == byte else { throw Failure(offset: index) }
        index += 1
    }

    mutating func literal(_ word: String) throws {
        for b in word.utf8 { try expect(b) }
    }

    mutating func parseNumber() throws -> ReplyValue {
        let start = index
        var isInteger = true
        while index < bytes.count {
            let b = bytes[index]
            if (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") {
                index += 1
            } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                || b == UInt8(ascii: "+")
            {
                isInteger = false
                index += 1
            } else {
                break
            }
        }
        guard index > start, let text = String(validating: bytes[start..<index], as: UTF8.self) else {
            throw Failure(offset: start)
        }
        if isInteger, let i = Int64(text) { return .int(i) }
        guard let d = Double(text) else { throw Failure(offset: start) }
        return .double(d)
    }

    mutating func parseString() throws -> String {
        try expect(UInt8(ascii: "\""))
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flushRun(_ end: Int) throws {
            if end > runStart {
                guard let s = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                    throw Failure(offset: runStart)
                }
                scalars.append(contentsOf: s.unicodeScalars)
            }
        }
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                try flushRun(index)
                index += 1
                return String(scalars)
            }
            if b == UInt8(ascii: "\\") {
                try flushRun(index)
                index += 1
                guard index < bytes.count else { throw Failure(offset: index) }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        // Surrogate pair.
                        try expect(UInt8(ascii: "\\"))
                        try expect(UInt8(ascii: "u"))
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw Failure(offset: index) }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw Failure(offset: index) }
                    scalars.append(scalar)
                default:
                    throw Failure(offset: index - 1)
                }
                runStart = index
                continue
            }
            index += 1
        }
        throw Failure(offset: index)
    }

    mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count,
            let text = String(validating: bytes[index..<index + 4], as: UTF8.self),
            let v = UInt32(text, radix: 16)
        else { throw Failure(offset: index) }
        index += 4
        return v
    }
}
