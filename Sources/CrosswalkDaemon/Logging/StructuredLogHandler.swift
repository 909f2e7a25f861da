import Foundation
import CrosswalkServer
package import Logging

/// How log lines are written: `logfmt` (`key=value` pairs, for people and grep) or `json`
/// (one object per line, for log shippers).
package enum LogFormat: String, CaseIterable, Sendable {
    case logfmt
    case json
}

/// A swift-log handler writing one structured line per event: time (UTC), level, logger
/// label, message, then the metadata sorted by key. Values under keys that name secrets
/// are replaced, as a last line of defence: nothing should log them in the first place.
package struct StructuredLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: LogFormat
    private let write: @Sendable (String) -> Void

    /// - Parameter write: receives each finished line, newline included (stderr by default).
    package init(
        label: String, format: LogFormat, level: Logger.Level,
        write: @escaping @Sendable (String) -> Void = StructuredLogHandler.standardError
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.write = write
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var fields: [(String, Logger.MetadataValue)] = [
            ("time", .string(Self.timestamp())), ("level", .string(event.level.rawValue)), ("logger", .string(label)),
            ("msg", .string("\(event.message)")),
        ]
        for key in merged.keys.sorted() {
            fields.append((key, Self.isSecret(key) ? .string("[redacted]") : merged[key]!))
        }
        write(format == .json ? Self.json(fields) : Self.logfmt(fields.map { ($0.0, Self.flatten($0.1)) }))
    }

    @Sendable package static func standardError(_ line: String) {
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "token", "secret"].contains { lowered.contains($0) }
    }

    static func flatten(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let items): "[" + items.map(flatten).joined(separator: ", ") + "]"
        case .dictionary(let entries): "{" + entries.keys.sorted().map { "\($0): \(flatten(entries[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    /// `key=value`, quoting values that hold spaces, quotes, `=` or control characters.
    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0 != "\\" }
            return plain ? "\(key)=\(value)" : "\(key)=\(quoted(value))"
        }.joined(separator: " ") + "\n"
    }

    /// One JSON object; metadata keeps its type for collectors: integers, floating-point
    /// numbers and booleans given as `.stringConvertible` are JSON numbers and booleans,
    /// `.array` a JSON list, `.dictionary` an object; everything else a string.
    static func json(_ fields: [(String, Logger.MetadataValue)]) -> String {
        "{" + fields.map { "\(quoted($0.0)):\(jsonValue($0.1))" }.joined(separator: ",") + "}\n"
    }

    static func jsonValue(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return quoted(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let flag as Bool: return flag ? "true" : "false"
            case let number as any BinaryInteger: return "\(number)"
            case let number as Double where number.isFinite: return "\(number)"
            default: return quoted(convertible.description)
            }
        case .array(let items): return "[" + items.map(jsonValue).joined(separator: ",") + "]"
        case .dictionary(let entries):
            return "{" + entries.keys.sorted().map { "\(quoted($0)):\(jsonValue(entries[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (the protocol's own writer); logfmt readers accept the same escapes.
    static func quoted(_ text: String) -> String {
        ReplyValue.string(text).jsonText()
    }

    static func timestamp() -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())
    }
}
