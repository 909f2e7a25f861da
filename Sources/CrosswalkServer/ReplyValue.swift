import NIOCore

/// A reply to one request, independent of how it goes over the wire.
///
/// The same value serialises to both framings:
///
/// | case        | JSON (inline requests)                    | RESP2 (RESP requests)             | RESP3 (after `HELLO 3`) |
/// |-------------|-------------------------------------------|-----------------------------------|-------------------------|
/// | `null`      | `null`                                    | `$-1`                             | `_`                     |
/// | `bool`      | `true` / `false`                          | `:1` / `:0`                       | `#t` / `#f`             |
/// | `int`       | number                                    | `:n`                              | `:n`                    |
/// | `double`    | number (`null` for NaN / infinity)        | bulk string (`$4\r\n0.25`)        | double (`,0.25`)        |
/// | `string`    | string                                    | bulk string                       | bulk string             |
/// | `array`     | array                                     | array                             | array                   |
/// | `object`    | object, keys in the given order           | flat array `[k1, v1, k2, v2, …]`  | map (`%N`)              |
/// | `status`    | string                                    | simple string (`+OK`)             | simple string           |
/// | `error`     | `{"ok":false,"error":…}` at the top level | error (`-ERR …`)                  | error                   |
///
/// At the top level of a JSON reply an object is merged into `{"ok":true,…}`; any other
/// value goes under the key `"result"`.
///
/// `error` carries the full error text including its leading code word, e.g.
/// `"ERR unknown command 'FOO'"` or `"NOAUTH Authentication required."`.
package enum ReplyValue: Sendable {
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
    package static let ok: ReplyValue = .status("OK")

    /// An `int` from any integer type (clamped to the `Int64` range).
    package static func integer<T: BinaryInteger>(_ value: T) -> ReplyValue {
        .int(Int64(clamping: value))
    }

    /// An `error` built from a code word and a message: `error(code: "ERR", "bad")` → `ERR bad`.
    package static func error(code: String, _ message: String) -> ReplyValue {
        .error("\(code) \(message)")
    }

    /// Whether this is an `.error` value.
    package var isError: Bool {
        if case .error = self { return true }
        return false
    }

    /// The value for `key` if this is an object.
    package subscript(key: String) -> ReplyValue? {
        if case .encoded(let encoded) = self { return encoded.value[key] }
        guard case .object(let pairs) = self else { return nil }
        return pairs.first(where: { $0.0 == key })?.1
    }
}

/// A reply with its JSON line and RESP bytes computed up front: a cached answer
/// costs no serialisation per request, and its RESP bytes are written without a copy.
package final class EncodedReply: Sendable {
    package let value: ReplyValue
    let jsonLine: String
    let resp2: ByteBuffer
    let resp3: ByteBuffer

    package init(_ value: ReplyValue) {
        self.value = value
        self.jsonLine = value.jsonReplyLine()
        self.resp2 = value.respBuffer(.v2)
        self.resp3 = value.respBuffer(.v3)
    }

    func resp(_ version: RESPVersion) -> ByteBuffer {
        version == .v3 ? resp3 : resp2
    }

    /// Bytes held by all encodings.
    package var size: Int { jsonLine.utf8.count + resp2.readableBytes + resp3.readableBytes }
}

// MARK: - Equatable (tuples are not Equatable on their own)

extension ReplyValue: Equatable {
    package static func == (lhs: ReplyValue, rhs: ReplyValue) -> Bool {
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
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int64) { self = .int(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(floatLiteral value: Double) { self = .double(value) }
    package init(arrayLiteral elements: ReplyValue...) { self = .array(elements) }
    /// Dictionary literals keep their written order.
    package init(dictionaryLiteral elements: (String, ReplyValue)...) { self = .object(elements) }
    package init(nilLiteral: ()) { self = .null }
}
