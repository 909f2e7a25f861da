/// Re-indents JSON text without parsing its values, so numbers keep exactly the
/// digits the database wrote (`1315.667` stays `1315.667`) and keys keep their order.
package enum JSONPretty {
    package static func format(_ json: String, indent: String = "  ") -> String {
        let scalars = Array(json.unicodeScalars)
        var out = String.UnicodeScalarView()
        var depth = 0
        var inString = false
        var escaped = false
        var index = 0

        // Scalar by scalar: `UnicodeScalarView.append(contentsOf:)` copies the whole text
        // each time (quadratic: 3 s of CPU for an 800 KB report).
        let indentScalars = Array(indent.unicodeScalars)
        func newline(_ out: inout String.UnicodeScalarView) {
            out.append("\n")
            for _ in 0..<depth {
                for scalar in indentScalars { out.append(scalar) }
            }
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
                out.append(scalar)
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
                out.append(scalar)
            case "{", "[":
                out.append(scalar)
                let closing: Unicode.Scalar = scalar == "{" ? "}" : "]"
                if nextSignificant(after: index) == closing {
                    // An empty container stays on one line: `[]`, `{}`.
                    while scalars[index + 1] != closing { index += 1 }
                    index += 1
                    out.append(closing)
                } else {
                    depth += 1
                    newline(&out)
                }
            case "}", "]":
                depth -= 1
                newline(&out)
                out.append(scalar)
            case ",":
                out.append(scalar)
                newline(&out)
            case ":":
                out.append(":")
                out.append(" ")
            case " ", "\t", "\n", "\r":
                break
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }
}
