/// The two RESP versions a connection can speak: RESP2 until it says `HELLO 3`.
package enum RESPVersion: Int, Sendable, Hashable {
    case v2 = 2
    case v3 = 3
}

/// Writing a reply as RESP2 or RESP3. The versions differ only where RESP2 lacks a type:
///
/// | case     | RESP2                         | RESP3                 |
/// |----------|-------------------------------|-----------------------|
/// | `null`   | `$-1`                         | `_`                   |
/// | `bool`   | `:1` / `:0`                   | `#t` / `#f`           |
/// | `double` | bulk string (`$4\r\n0.25`)    | double (`,0.25`)      |
/// | `object` | flat array `[k1, v1, …]`      | map (`%N`)            |
///
/// Everything else (integers, strings, arrays, statuses, errors) is written the same way.
extension ReplyValue {
    /// The RESP encoding of this value (RESP2 unless asked otherwise).
    package func respBytes(_ version: RESPVersion = .v2) -> [UInt8] {
        if case .encoded(let encoded) = self { return encoded.resp(version) }
        var out: [UInt8] = []
        appendRESP(to: &out, version)
        return out
    }

    func appendRESP(to out: inout [UInt8], _ version: RESPVersion) {
        switch self {
        case .encoded(let encoded):
            out += encoded.resp(version)
        case .null:
            out += version == .v3 ? Array("_\r\n".utf8) : Array("$-1\r\n".utf8)
        case .bool(let b):
            switch version {
            case .v2: out += Array((b ? ":1\r\n" : ":0\r\n").utf8)
            case .v3: out += Array((b ? "#t\r\n" : "#f\r\n").utf8)
            }
        case .int(let i):
            Self.appendLine(":", String(i), to: &out)
        case .double(let d):
            // One text for both versions, so a RESP2 client parses the string it gets with
            // the same float() a RESP3 client's library applies.
            switch version {
            case .v2: Self.appendBulk(Array(Self.doubleText(d).utf8), to: &out)
            case .v3: Self.appendLine(",", Self.doubleText(d), to: &out)
            }
        case .string(let s):
            Self.appendBulk(Array(s.utf8), to: &out)
        case .array(let items):
            Self.appendLine("*", String(items.count), to: &out)
            for item in items { item.appendRESP(to: &out, version) }
        case .object(let pairs):
            switch version {
            case .v2: Self.appendLine("*", String(pairs.count * 2), to: &out)
            case .v3: Self.appendLine("%", String(pairs.count), to: &out)
            }
            for (key, value) in pairs {
                Self.appendBulk(Array(key.utf8), to: &out)
                value.appendRESP(to: &out, version)
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

    /// `0.25`, `24467.0`, `1e-05`, `inf`, `-inf`, `nan`: what RESP3 allows and `strtod` reads.
    static func doubleText(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return String(d)
    }

    /// `<type><text>\r\n`.
    private static func appendLine(_ type: Unicode.Scalar, _ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: type))
        out += Array(text.utf8)
        out += crlf
    }

    static func appendBulk(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendLine("$", String(bytes.count), to: &out)
        out += bytes
        out += crlf
    }

    /// Simple strings and errors may not contain CR or LF: replace them with spaces.
    static func singleLine(_ s: String) -> [UInt8] {
        s.utf8.map { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0 }
    }
}

private let crlf: [UInt8] = [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
