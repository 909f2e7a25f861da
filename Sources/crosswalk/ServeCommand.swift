import ArgumentParser
import CrosswalkDaemon
import CrosswalkServer
import CrosswalkSync
import Logging
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: sync the sources at start and on an interval, answer the line protocol.",
        discussion: """
            Every option can also come from the environment (CROSSWALK_PORT, …) or a configuration file \
            (--config); flags win over the environment, the environment over the file. Without a database \
            it runs an embedded PostgreSQL cluster under --data-dir.
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var sources: SourceOptions
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await reportingErrors {
            let settings = try loadSettings(common, database, sources, server)
            let configuration = try Daemon.Configuration(settings: settings)
            let target = try DatabaseTarget(settings: settings)
            try settings.checkPortsAreFree()
            let logger = try bootstrapLogging(settings, label: "crosswalk")
            for key in [SettingKey.password, .adminToken, .database] where settings.origin(key) == .flag(key.flag) {
                logger.warning("\(key.flag) was given on the command line, where other local users can read it; prefer \(key.environmentName) or the configuration file")
            }
            try await target.withMigratedPool { pool in
                logger.info("starting", metadata: [
                    "database": "\(target.description)", "bind": "\(configuration.server.host):\(configuration.server.port)",
                    "sources": .array(configuration.sync.sources.map { .string($0) }),
                    "sync_interval": "\(configuration.syncInterval.map { "\($0)" } ?? "off")",
                    "auth": "\(configuration.server.password == nil ? "off" : "on")",
                    "admin_auth": "\(configuration.server.adminToken == nil ? "off" : "on")",
                    "metrics_port": configuration.metricsPort.map { .stringConvertible($0) } ?? "off",
                    "http_port": configuration.httpPort.map { .stringConvertible($0) } ?? "off",
                ])
                let daemon = Daemon(configuration: configuration, pool: pool, logger: logger)
                let group = ServiceGroup(
                    services: daemon.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                try await group.run()
            }
        }
    }
}
