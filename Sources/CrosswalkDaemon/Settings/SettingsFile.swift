import Foundation

/// A configuration file: one `key = value` per line; `#` at the start of a line or after a
/// space starts a comment; values may be double-quoted (`\"` and `\\` escape).
/// Keys are checked here, so a typo is reported with its line before anything starts.
public struct SettingsFile: Sendable {
    public struct Entry: Sendable {
        public var key: SettingKey
        public var value: String
        public var line: Int
    }

    public let path: String
    public private(set) var entries: [Entry] = []

    public init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SettingsError("cannot read configuration file \(path): \((error as NSError).localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettingsError("\(path): configuration file is not UTF-8 text")
        }
        try self.init(path: path, text: text)
    }

    public init(path: String, text: String) throws {
        self.path = path
        var seen: [SettingKey: Int] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let where_ = "\(path):\(line)"
            let content = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if content.isEmpty || content.hasPrefix("#") { continue }
            guard let equals = content.firstIndex(of: "=") else {
                throw SettingsError("\(where_): expected 'key = value', found '\(content.prefix(60))'")
            }
            let name = content[..<equals].trimmingCharacters(in: .whitespaces)
            guard let key = SettingKey(rawValue: name) else {
                throw SettingsError("\(where_): unknown setting '\(name)'; known: \(Self.knownKeys)")
            }
            guard key != .config else {
                throw SettingsError("\(where_): 'config' names this file; set it with --config or CROSSWALK_CONFIG")
            }
            if let first = seen[key], !key.repeats {
                throw SettingsError("\(where_): \(name) is already set on line \(first)")
            }
            seen[key] = seen[key] ?? line
            let value = try Self.value(content[content.index(after: equals)...], at: where_)
            entries.append(Entry(key: key, value: value, line: line))
        }
    }

    static var knownKeys: String {
        SettingKey.allCases.filter { $0 != .config }.map(\.rawValue).joined(separator: ", ")
    }

    /// The text after `=`: quoted (with escapes), or bare up to a `#` comment.
    private static func value(_ text: Substring, at where_: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("\"") else {
            // A comment starts at a `#` after a space, so `a#b` stays a value.
            let comment = trimmed.ranges(of: /\s#/).first?.lowerBound ?? trimmed.endIndex
            return trimmed[..<comment].trimmingCharacters(in: .whitespaces)
        }
        var value = ""
        var i = trimmed.index(after: trimmed.startIndex)
        while i < trimmed.endIndex {
            let c = trimmed[i]
            i = trimmed.index(after: i)
            if c == "\\" {
                guard i < trimmed.endIndex, trimmed[i] == "\"" || trimmed[i] == "\\" else {
                    throw SettingsError("\(where_): only \\\" and \\\\ may be escaped in a quoted value")
                }
                value.append(trimmed[i])
                i = trimmed.index(after: i)
            } else if c == "\"" {
                let rest = trimmed[i...].trimmingCharacters(in: .whitespaces)
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw SettingsError("\(where_): unexpected text after the closing quote: '\(rest.prefix(40))'")
                }
                return value
            } else {
                value.append(c)
            }
        }
        throw SettingsError("\(where_): the quoted value has no closing quote")
    }
}

/// A setting that cannot be used, named with where it came from.
public struct SettingsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
