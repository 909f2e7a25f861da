/// Re-indents JSON text without parsing its values, so numbers keep exactly the
/// digits the database wrote (`1315.667` stays `1315.667`) and keys keep their order.
package enum JSONPretty {
    package static func format(_ json: String, indent: String = "  ") -> String {
        let scalars = Array(json.unicodeScalars)
        // UTF-8 bytes, not a String captured by a nested function: appending to a captured
        // string copied it on every line break (minutes for a multi-megabyte COMPARE answer).
        var out: [UInt8] = []
        out.reserveCapacity(json.utf8.count * 2)
        let indentBytes = Array(indent.utf8)
        var depth = 0
        var inString = false
        var escaped = false
        var index = 0

        func newline(_ out: inout [UInt8]) {
            out.append(UInt8(ascii: "\n"))
            for _ in 0..<depth { out.append(contentsOf: indentBytes) }
        }
        func append(_ scalar: Unicode.Scalar, _ out: inout [UInt8]) {
            UTF8.encode(scalar) { out.append($0) }
        }
        func nextSignificant(after position: Int) -> Unicode.Scalar? {
            var i = position + 1
            while i < scalars.count, scalars[i].properties.isWhitespace { i += 1 }
            return i < scalars.count ? scalars[i] : nil
        }

        while index < scalars.count {
            let scalar = scalars[index]
            defer { index += 1 }
            if inString {
                append(scalar, &out)
                if escaped {
                    escaped = false
                } else if scalar == "\\" {
                    escaped = true
                } else if scalar == "\"" {
                    inString = false
                }
                continue
            }
            switch scalar {
            case "\"":
                inString = true
                append(scalar, &out)
            case "{", "[":
                append(scalar, &out)
                let closing: Unicode.Scalar = scalar == "{" ? "}" : "]"
                if nextSignificant(after: index) == closing {
                    // An empty container stays on one line: `[]`, `{}`.
                    while scalars[index + 1] != closing { index += 1 }
                    index += 1
                    append(closing, &out)
                } else {
                    depth += 1
                    newline(&out)
                }
            case "}", "]":
                depth -= 1
                newline(&out)
                append(scalar, &out)
            case ",":
                append(scalar, &out)
                newline(&out)
            case ":":
                out.append(contentsOf: ": ".utf8)
            case " ", "\t", "\n", "\r":
                break
            default:
                append(scalar, &out)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
