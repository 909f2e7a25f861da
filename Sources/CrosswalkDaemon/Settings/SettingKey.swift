import Foundation

/// Every setting Crosswalk reads. Each has one name used everywhere: `--port` on the
/// command line, `CROSSWALK_PORT` in the environment, `port = …` in the configuration file.
package enum SettingKey: String, CaseIterable, Sendable {
    case config
    case database
    case dataDir = "data-dir"
    case databaseConnections = "database-connections"
    case source
    case include
    case bind
    case port
    case syncInterval = "sync-interval"
    case password
    case adminToken = "admin-token"
    case maxConnections = "max-connections"
    case idleTimeout = "idle-timeout"
    case logFormat = "log-format"
    case logLevel = "log-level"
    case metricsPort = "metrics-port"
    case httpPort = "http-port"
    case lockTimeout = "lock-timeout"
    case maxEnd = "max-end"
    case syncDeadline = "sync-deadline"

    package var flag: String { "--\(rawValue)" }

    package var environmentName: String {
        "CROSSWALK_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// Used when no flag, environment variable or file line sets the key.
    package var defaultValue: String? {
        switch self {
        case .dataDir: ".crosswalk"
        case .databaseConnections: "8"
        case .include: "*.txt"
        case .bind: "127.0.0.1"
        case .port: "7017"
        case .syncInterval: "15m"
        case .maxConnections: "1024"
        case .idleTimeout: "300s"
        case .logFormat: "logfmt"
        case .logLevel: "info"
        case .metricsPort: "0"
        case .httpPort: "0"
        case .lockTimeout: "30"
        case .maxEnd: "50%"
        case .syncDeadline: "6h"
        case .config, .database, .source, .password, .adminToken: nil
        }
    }

    /// Keys that may be given more than once (flags and file lines add up).
    package var repeats: Bool { self == .source }

    /// Values never written to logs or replies.
    package var isSecret: Bool { self == .password || self == .adminToken || self == .database }

    init?(environmentName: String) {
        guard let key = Self.allCases.first(where: { $0.environmentName == environmentName }) else { return nil }
        self = key
    }
}
