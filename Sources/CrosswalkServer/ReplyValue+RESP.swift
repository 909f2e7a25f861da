/// Writing a reply as RESP2.
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
