import ArgumentParser
import CrosswalkDaemon
import Foundation

/// Option groups hold only what was typed: every value is optional, so the layered
/// `Settings` can tell a flag from a default (flags > environment > file > default).
protocol SettingFlags {
    var flags: [SettingKey: [String]] { get }
}

/// The settings for a command made of these option groups, plus its own `extra` flags.
func loadSettings(_ groups: any SettingFlags..., extra: [SettingKey: String?] = [:]) throws -> Settings {
    var flags: [SettingKey: [String]] = [:]
    for group in groups { flags.merge(group.flags) { $1 } }
    flags.merge(given(extra.map { ($0.key, $0.value) })) { $1 }
    return try Settings.load(flags: flags, environment: ProcessInfo.processInfo.environment)
}

private func given(_ pairs: [(SettingKey, String?)]) -> [SettingKey: [String]] {
    var flags: [SettingKey: [String]] = [:]
    for (key, value) in pairs { if let value { flags[key] = [value] } }
    return flags
}

/// `--config` and logging: every command that reads settings.
struct CommonOptions: ParsableArguments, SettingFlags {
    @Option(name: .long, help: ArgumentHelp("Configuration file of `key = value` lines (default: $CROSSWALK_CONFIG).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Log lines as logfmt or json (default: logfmt).", valueName: "format"))
    var logFormat: String?

    @Option(name: .long, help: ArgumentHelp("Least severe level logged: trace, debug, info, notice, warning, error, critical (default: info).", valueName: "level"))
    var logLevel: String?

    var flags: [SettingKey: [String]] { given([(.config, config), (.logFormat, logFormat), (.logLevel, logLevel)]) }
}

/// Where the database is; see `DatabaseTarget`.
struct DatabaseOptions: ParsableArguments, SettingFlags {
    @Option(name: .long, help: ArgumentHelp("libpq connection string or postgresql:// URI (default: the embedded cluster).", valueName: "conninfo"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp("Folder of the embedded PostgreSQL cluster, used when no database is given (default: .crosswalk).", valueName: "dir"))
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("Maximum database connections (default: 8).", valueName: "n"))
    var databaseConnections: String?

    var flags: [SettingKey: [String]] {
        given([(.database, database), (.dataDir, dataDir), (.databaseConnections, databaseConnections)])
    }
}

/// The folders a sync reads, shared by `sync` and `serve`.
struct SourceOptions: ParsableArguments, SettingFlags {
    @Option(name: .long, help: ArgumentHelp("Folder of published documents (recursive; repeatable).", valueName: "dir"))
    var source: [String] = []

    @Option(name: .long, help: ArgumentHelp("File-name pattern of the documents in the source folders (default: *.txt).", valueName: "pattern"))
    var include: String?

    @Option(name: .long, help: ArgumentHelp("Most of a source folder's documents one sync may end: more gone at once (an unmounted share?) fails the sync and changes nothing; 100% ends whatever is gone (default: 50%).", valueName: "percent"))
    var maxEnd: String?

    @Option(name: .long, help: ArgumentHelp("Longest one sync may run: past it the sync stops, keeps what it committed, is recorded failed and lets the lock go: 30m, 6h; 0 no limit (default: 6h).", valueName: "duration"))
    var syncDeadline: String?

    var flags: [SettingKey: [String]] {
        var flags = given([(.include, include), (.maxEnd, maxEnd), (.syncDeadline, syncDeadline)])
        if !source.isEmpty { flags[.source] = source }
        return flags
    }
}

/// The daemon's listener, schedule and access settings.
struct ServerOptions: ParsableArguments, SettingFlags {
    @Option(name: .long, help: ArgumentHelp("Address to listen on (default: 127.0.0.1, loopback only).", valueName: "address"))
    var bind: String?

    @Option(name: .long, help: ArgumentHelp("Port to listen on (default: 7017).", valueName: "port"))
    var port: String?

    @Option(name: .long, help: ArgumentHelp("Time between syncs: 30s, 15m, 1h; 0 syncs only at start and on SYNC (default: 15m).", valueName: "duration"))
    var syncInterval: String?

    @Option(name: [.customLong("password"), .customLong("requirepass")], help: ArgumentHelp("Require AUTH with this password. Visible to other users in ps: prefer $CROSSWALK_PASSWORD.", valueName: "password"))
    var password: String?

    @Option(name: .long, help: ArgumentHelp("Token that SYNC requires. Visible in ps: prefer $CROSSWALK_ADMIN_TOKEN.", valueName: "token"))
    var adminToken: String?

    @Option(name: .long, help: ArgumentHelp("Most simultaneous client connections (default: 1024).", valueName: "n"))
    var maxConnections: String?

    @Option(name: .long, help: ArgumentHelp("Close a client idle this long: 300s, 5m; 0 never (default: 300s).", valueName: "duration"))
    var idleTimeout: String?

    @Option(name: .long, help: ArgumentHelp("Serve Prometheus metrics at http://BIND:PORT/metrics; 0 off (default: 0).", valueName: "port"))
    var metricsPort: String?

    @Option(name: .long, help: ArgumentHelp("Serve the web pages and JSON at http://BIND:PORT/ (and /api/…); 0 off (default: 0).", valueName: "port"))
    var httpPort: String?

    var flags: [SettingKey: [String]] {
        given([
            (.bind, bind), (.port, port), (.syncInterval, syncInterval), (.password, password),
            (.adminToken, adminToken), (.maxConnections, maxConnections), (.idleTimeout, idleTimeout),
            (.metricsPort, metricsPort), (.httpPort, httpPort),
        ])
    }
}
