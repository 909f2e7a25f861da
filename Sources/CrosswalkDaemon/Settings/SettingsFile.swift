import CrosswalkModel
import Foundation

/// A configuration file: one `key = value` per line; `#` at the start of a line or after a
/// space starts a comment; values may be double-quoted (`\"` and `\\` escape).
/// Keys are checked here, so a typo is reported with its line before anything starts.
package struct SettingsFile: Sendable {
    package struct Entry: Sendable {
        package var key: SettingKey
        package var value: String
        package var line: Int
    }

    package let path: String
    package private(set) var entries: [Entry] = []

    package init(path: String) throws {
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

    package init(path: String, text: String) throws {
        self.path = path
        let lines: [KeyValueText.Line]
        do {
            lines = try KeyValueText.parse(text, file: path)
        } catch {
            throw SettingsError(error.description)
        }
        var seen: [SettingKey: Int] = [:]
        for line in lines {
            let where_ = "\(path):\(line.number)"
            guard let key = SettingKey(rawValue: line.key) else {
                throw SettingsError("\(where_): unknown setting '\(line.key)'; known: \(Self.knownKeys)")
            }
            guard key != .config else {
                throw SettingsError("\(where_): 'config' names this file; set it with --config or CROSSWALK_CONFIG")
            }
            if let first = seen[key], !key.repeats {
                throw SettingsError("\(where_): \(line.key) is already set on line \(first)")
            }
            seen[key] = seen[key] ?? line.number
            entries.append(Entry(key: key, value: line.value, line: line.number))
        }
    }

    static var knownKeys: String {
        SettingKey.allCases.filter { $0 != .config }.map(\.rawValue).joined(separator: ", ")
    }
}

/// A setting that cannot be used, named with where it came from.
package struct SettingsError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
