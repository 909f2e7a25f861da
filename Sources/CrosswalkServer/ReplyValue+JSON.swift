/// Writing a reply as one JSON line.
extension ReplyValue {
    /// The one-line JSON form of a whole reply: `{"ok":true,…}` or `{"ok":false,"error":"…"}`.
    /// No trailing newline.
    package func jsonReplyLine() -> String {
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
    package func jsonText() -> String {
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
