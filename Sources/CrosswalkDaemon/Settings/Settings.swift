import Foundation

/// The settings in force, each taken from the first place that sets it: command-line flags,
/// then `CROSSWALK_…` environment variables, then the configuration file, then the default.
/// Every value remembers where it came from, so an error can name the flag, variable or
/// file line to fix.
package struct Settings: Sendable {
    /// Where a value was set.
    package enum Origin: Sendable, Equatable, CustomStringConvertible {
        case flag(String)
        case environment(String)
        case file(path: String, line: Int)
        case defaultValue

        package var description: String {
            switch self {
            case .flag(let flag): flag
            case .environment(let name): name
            case .file(let path, let line): "\(path):\(line)"
            case .defaultValue: "default"
            }
        }
    }

    package struct Value: Sendable, Equatable {
        package var text: String
        package var origin: Origin
    }

    private var values: [SettingKey: [Value]] = [:]
    /// Values a higher layer overrode (a file's `port` under `--port`): still checked by the
    /// typed getters, so a bad line is reported now, not when the flag is dropped.
    private var overridden: [SettingKey: [Value]] = [:]

    /// - Parameters:
    ///   - flags: values given on the command line, by key (several for repeating keys).
    ///   - environment: the process environment; unknown `CROSSWALK_…` names are errors.
    ///   - file: the configuration file, if one is in use.
    package init(flags: [SettingKey: [String]], environment: [String: String], file: SettingsFile?) throws {
        // An empty secret is unset in every layer: `admin-token =` must not turn on an admin
        // token that an empty AUTH would match.
        for (key, texts) in flags where !texts.isEmpty && !(key.isSecret && texts.allSatisfy(\.isEmpty)) {
            values[key] = texts.map { Value(text: $0, origin: .flag(key.flag)) }
        }
        for (name, text) in environment where name.hasPrefix("CROSSWALK_") {
            guard let key = SettingKey(environmentName: name) else {
                throw SettingsError("\(name): unknown setting in the environment; known: \(Self.environmentNames)")
            }
            // An empty variable counts as unset, as with libpq's PG… variables.
            guard !text.isEmpty else { continue }
            let parts = key.repeats ? text.split(separator: ":").map(String.init) : [text]
            let list = parts.map { Value(text: $0, origin: .environment(name)) }
            if values[key] == nil { values[key] = list } else { overridden[key, default: []] += list }
        }
        if let file {
            var fromFile: [SettingKey: [Value]] = [:]
            for entry in file.entries where !(entry.key.isSecret && entry.value.isEmpty) {
                fromFile[entry.key, default: []].append(Value(text: entry.value, origin: .file(path: file.path, line: entry.line)))
            }
            for (key, list) in fromFile {
                if values[key] == nil { values[key] = list } else { overridden[key, default: []] += list }
            }
        }
        for key in SettingKey.allCases where values[key] == nil {
            if let text = key.defaultValue { values[key] = [Value(text: text, origin: .defaultValue)] }
        }
    }

    /// Reads the configuration file named by `--config` or CROSSWALK_CONFIG, if any, and layers.
    package static func load(flags: [SettingKey: [String]], environment: [String: String]) throws -> Settings {
        let configPath = flags[.config]?.last ?? environment[SettingKey.config.environmentName].flatMap { $0.isEmpty ? nil : $0 }
        let file = try configPath.map { try SettingsFile(path: $0) }
        return try Settings(flags: flags, environment: environment, file: file)
    }

    static var environmentNames: String {
        SettingKey.allCases.map(\.environmentName).joined(separator: ", ")
    }

    // MARK: Typed values

    package func value(_ key: SettingKey) -> Value? { values[key]?.last }

    package func text(_ key: SettingKey) -> String? { value(key)?.text }

    package func texts(_ key: SettingKey) -> [String] { values[key]?.map(\.text) ?? [] }

    package func allValues(_ key: SettingKey) -> [Value] { values[key] ?? [] }

    package func origin(_ key: SettingKey) -> Origin? { value(key)?.origin }

    /// The value in force read by `parse`, after every value of `key` given in a lower layer
    /// parsed too: the first that does not is the error, named by where it was set.
    private func checked<T>(_ key: SettingKey, _ expectation: String, _ parse: (String) -> T?) throws -> T? {
        guard let value = value(key) else { return nil }
        for candidate in [value] + (overridden[key] ?? []) where parse(candidate.text) == nil {
            throw invalid(candidate, key, expectation)
        }
        return parse(value.text)
    }

    package func integer(_ key: SettingKey, in range: ClosedRange<Int>) throws -> Int {
        let expectation = "takes a whole number from \(range.lowerBound) to \(range.upperBound)"
        guard let number = try checked(key, expectation, { Int($0).flatMap { range.contains($0) ? $0 : nil } }) else {
            throw missing(key)
        }
        return number
    }

    /// A share written as a percentage, `0%`…`100%`, as 0…1.
    package func share(_ key: SettingKey) throws -> Double {
        let percent = try checked(key, "takes a percentage from 0% to 100%") { text in
            text.hasSuffix("%") ? Int(text.dropLast()).flatMap { (0...100).contains($0) ? $0 : nil } : nil
        }
        guard let percent else { throw missing(key) }
        return Double(percent) / 100
    }

    /// `30s`, `15m`, `1h`, `2d`; a bare number is seconds; `0` is off (nil).
    package func duration(_ key: SettingKey) throws -> Duration? {
        guard let seconds = try checked(key, "takes a duration such as 30s, 15m or 1h", Self.seconds) else { return nil }
        return seconds == 0 ? nil : .seconds(seconds)
    }

    package func choice(_ key: SettingKey, from choices: [String]) throws -> String {
        let expectation = "takes one of \(choices.joined(separator: ", "))"
        guard let lowered = try checked(key, expectation, { choices.contains($0.lowercased()) ? $0.lowercased() : nil }) else {
            throw missing(key)
        }
        return lowered
    }

    static func seconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(text)
        var scale: Int64 = 1
        if let last = text.last, let unit = units[last] {
            scale = unit
            digits = digits.dropLast()
        }
        guard let number = Int64(digits), number >= 0, number <= Int64.max / scale else { return nil }
        return number * scale
    }

    /// `ORIGIN: key takes …, not 'TEXT'` — the text is left out for secrets.
    package func invalid(_ value: Value, _ key: SettingKey, _ expectation: String) -> SettingsError {
        let shown = key.isSecret ? "" : ", not '\(value.text)'"
        return SettingsError("\(value.origin): \(key.rawValue) \(expectation)\(shown)")
    }

    func missing(_ key: SettingKey) -> SettingsError {
        SettingsError("\(key.rawValue) is not set: give \(key.flag), \(key.environmentName) or '\(key.rawValue) =' in the configuration file")
    }
}
