/// The `key = value` text of Crosswalk's small files (settings, `source.conf`): one pair
/// per line; `#` at the start of a line or after a space starts a comment; a value may
/// be double-quoted, with `\"` and `\\` as its only escapes. Each file type checks its
/// own keys; this reads the lines and says where a line is malformed.
package enum KeyValueText {
    package struct Line: Sendable, Equatable {
        package var key: String
        package var value: String
        /// 1-based.
        package var number: Int
        /// The value was written in double quotes (a layout reads `"ID"` as a header text,
        /// not a column letter).
        package var quoted: Bool
    }

    /// The pairs of `text`, in order; `file` names the file in errors (`file:line: …`).
    package static func parse(_ text: String, file: String) throws(KeyValueError) -> [Line] {
        var lines: [Line] = []
        // `isNewline`, not "\n": in Swift "\r\n" is one Character, so a file saved with
        // Windows line ends would otherwise be one line.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let content = trimmed(raw)
            if content.isEmpty || content.hasPrefix("#") { continue }
            guard let equals = content.firstIndex(of: "=") else {
                // The line is not repeated: it may hold a secret typed without its `=`.
                throw KeyValueError(file: file, line: number, "expected 'key = value'; this line has no '='")
            }
            let key = trimmed(content[..<equals])
            let rest = content[content.index(after: equals)...]
            let value = try value(rest, file: file, line: number)
            lines.append(Line(key: String(key), value: value, number: number, quoted: trimmed(rest).hasPrefix("\"")))
        }
        return lines
    }

    /// The text after `=`: quoted (with escapes), or bare up to a `#` comment.
    private static func value(_ text: Substring, file: String, line: Int) throws(KeyValueError) -> String {
        let text = trimmed(text)
        guard text.hasPrefix("\"") else {
            // A comment starts at a `#` after a space, so `a#b` stays a value.
            let comment = text.indices.first { i in
                text[i] == "#" && i > text.startIndex && text[text.index(before: i)].isWhitespace
            } ?? text.endIndex
            return String(trimmed(text[..<comment]))
        }
        var value = ""
        var i = text.index(after: text.startIndex)
        while i < text.endIndex {
            let c = text[i]
            i = text.index(after: i)
            if c == "\\" {
                guard i < text.endIndex, text[i] == "\"" || text[i] == "\\" else {
                    throw KeyValueError(file: file, line: line, "only \\\" and \\\\ may be escaped in a quoted value")
                }
                value.append(text[i])
                i = text.index(after: i)
            } else if c == "\"" {
                let rest = trimmed(text[i...])
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw KeyValueError(file: file, line: line, "unexpected text after the closing quote: '\(rest.prefix(40))'")
                }
                return value
            } else {
                value.append(c)
            }
        }
        throw KeyValueError(file: file, line: line, "the quoted value has no closing quote")
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }
}

/// A malformed line of a `key = value` file; `description` is `file:line: reason`.
package struct KeyValueError: Error, CustomStringConvertible, Sendable {
    package let file: String
    package let line: Int
    package let reason: String

    package init(file: String, line: Int, _ reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    package var description: String { "\(file):\(line): \(reason)" }
}
