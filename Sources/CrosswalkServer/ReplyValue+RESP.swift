import NIOCore

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
        Array(respBuffer(version).readableBytesView)
    }

    /// The RESP encoding in a buffer, as a connection writes it. An `encoded` reply's bytes
    /// are shared, not copied: a cached megabyte answer costs no copy per request.
    func respBuffer(_ version: RESPVersion, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        if case .encoded(let encoded) = self { return encoded.resp(version) }
        var out = allocator.buffer(capacity: 64)
        writeRESP(to: &out, version)
        return out
    }

    /// Appends the encoding to `out`, with no intermediate arrays.
    func writeRESP(to out: inout ByteBuffer, _ version: RESPVersion) {
        switch self {
        case .encoded(let encoded):
            var bytes = encoded.resp(version)
            out.writeBuffer(&bytes)
        case .null:
            out.writeStaticString(version == .v3 ? "_\r\n" : "$-1\r\n")
        case .bool(let b):
            switch version {
            case .v2: out.writeStaticString(b ? ":1\r\n" : ":0\r\n")
            case .v3: out.writeStaticString(b ? "#t\r\n" : "#f\r\n")
            }
        case .int(let i):
            Self.writeLine(":", String(i), to: &out)
        case .double(let d):
            // One text for both versions, so a RESP2 client parses the string it gets with
            // the same float() a RESP3 client's library applies.
            switch version {
            case .v2: Self.writeBulk(Self.doubleText(d), to: &out)
            case .v3: Self.writeLine(",", Self.doubleText(d), to: &out)
            }
        case .string(let s):
            Self.writeBulk(s, to: &out)
        case .array(let items):
            Self.writeLine("*", String(items.count), to: &out)
            for item in items { item.writeRESP(to: &out, version) }
        case .object(let pairs):
            switch version {
            case .v2: Self.writeLine("*", String(pairs.count * 2), to: &out)
            case .v3: Self.writeLine("%", String(pairs.count), to: &out)
            }
            for (key, value) in pairs {
                Self.writeBulk(key, to: &out)
                value.writeRESP(to: &out, version)
            }
        case .status(let s):
            Self.writeSingleLine("+", s, to: &out)
        case .error(let s):
            Self.writeSingleLine("-", s, to: &out)
        }
    }

    /// `0.25`, `24467.0`, `1e-05`, `inf`, `-inf`, `nan`: what RESP3 allows and `strtod` reads.
    static func doubleText(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return String(d)
    }

    /// `<type><text>\r\n`.
    private static func writeLine(_ type: Unicode.Scalar, _ text: String, to out: inout ByteBuffer) {
        var text = text
        text.withUTF8 { writeLine(UInt8(ascii: type), $0, to: &out) }
    }

    /// `<type><text>\r\n` in one write: most replies are a few bytes (`+PONG`, `:1`), where
    /// one capacity check instead of three is most of the cost.
    private static func writeLine(_ type: UInt8, _ text: UnsafeBufferPointer<UInt8>, to out: inout ByteBuffer) {
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: text.count + 3) { line in
            line[0] = type
            UnsafeMutableRawBufferPointer(rebasing: line[1...]).copyMemory(from: UnsafeRawBufferPointer(text))
            line[text.count + 1] = UInt8(ascii: "\r")
            line[text.count + 2] = UInt8(ascii: "\n")
            return text.count + 3
        }
    }

    private static func writeBulk(_ s: String, to out: inout ByteBuffer) {
        writeLine("$", String(s.utf8.count), to: &out)
        out.writeString(s)
        out.writeStaticString("\r\n")
    }

    /// Simple strings and errors may not contain CR or LF: they are written as spaces.
    private static func writeSingleLine(_ type: Unicode.Scalar, _ s: String, to out: inout ByteBuffer) {
        var s = s
        s.withUTF8 { text in
            guard text.contains(where: { $0 == 0x0D || $0 == 0x0A }) else {
                writeLine(UInt8(ascii: type), text, to: &out)
                return
            }
            out.writeInteger(UInt8(ascii: type))
            for b in text { out.writeInteger(b == 0x0D || b == 0x0A ? UInt8(ascii: " ") : b) }
            out.writeStaticString("\r\n")
        }
    }
}
