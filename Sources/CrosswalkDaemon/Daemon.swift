import CrosswalkAnalytics
package import CrosswalkServer
package import CrosswalkSync
package import Logging
package import Postgres
package import ServiceLifecycle
package import CrosswalkWeb

/// `crosswalk serve`, assembled: the line server with the data commands, the sync
/// scheduler, and INFO sections about the store. The caller owns the pool (already
/// migrated) and runs `services` in a ServiceGroup, or `start()` for tests.
package final class Daemon: Sendable {
    package struct Configuration: Sendable {
        package var server = ServerConfiguration()
        package var sync: SyncEngine.Options
        /// nil or zero: sync at start and on demand only.
        package var syncInterval: Duration? = .seconds(15 * 60)
        /// Port of the Prometheus metrics endpoint on the server's address; nil: none.
        package var metricsPort: Int?
        /// Port of the web pages and `/api` on the server's address; nil: none.
        package var httpPort: Int?

        package init(sources: [String]) {
            self.sync = SyncEngine.Options(sources: sources)
        }
    }

    package let server: LineServer
    package let scheduler: SyncScheduler
    /// Prometheus text at /metrics, when `metricsPort` is set.
    package let metrics: MetricsEndpoint?
    /// The pages and `/api`, when `httpPort` is set.
    package let web: WebServer?
    package var services: [any Service] { [scheduler, server] + (metrics.map { [$0] } ?? []) + (web.map { [$0] } ?? []) }

    package init(configuration: Configuration, pool: PostgresPool, logger: Logger) {
        let analytics = Analytics(pool: pool)
        var options = configuration.sync
        options.trigger = "serve"
        let scheduler = SyncScheduler(
            engine: SyncEngine(pool: pool, logger: logger), options: options,
            interval: configuration.syncInterval, logger: logger)
        var commands = CommandRegistry()
        let watch = DatabaseWatch(logger: logger)
        let answers = DataCommands.register(into: &commands, analytics: analytics, scheduler: scheduler, pool: pool, watch: watch)
        self.scheduler = scheduler
        let server = LineServer(
            configuration: configuration.server, commands: commands,
            info: { await Self.infoSections(analytics: analytics, scheduler: scheduler) }, logger: logger)
        self.server = server
        let metricsPage: @Sendable () async -> String = {
            await DaemonMetrics.page(stats: server.stats, analytics: analytics, scheduler: scheduler, watch: watch, logger: logger)
        }
        self.web = configuration.httpPort.map { port in
            WebServer(
                host: configuration.server.host, port: port, answers: WebAnswers(answers: answers, logger: logger),
                password: configuration.server.password.map { password in WebPassword { constantTimeEquals(password, $0) } },
                metrics: metricsPage, logger: logger)
        }
        self.metrics = configuration.metricsPort.map { port in
            MetricsEndpoint(host: configuration.server.host, port: port, logger: logger, provider: metricsPage)
        }
    }

    /// For tests: serve (and the metrics endpoint and web, if any) without the schedule;
    /// returns the protocol's bound port (the others are `metrics?.port`, `web?.boundPort()`).
    package func start() async throws -> Int {
        let port = try await server.start()
        try await metrics?.start()
        _ = try await web?.start()
        return port
    }

    package func shutdown() async {
        await web?.shutdown()
        await metrics?.shutdown()
        await server.shutdown()
    }

    /// The store's counts, the last sync, and whether the database answers.
    static func infoSections(analytics: Analytics, scheduler: SyncScheduler) async -> [InfoSection] {
        var store: [(String, ReplyValue)] = []
        do {
            let counts = try await analytics.counts()
            store.append(("database_reachable", .bool(true)))
            store.append(("documents", .int(counts.documents)))
            store.append(("programs", .int(counts.programs)))
            store.append(("listings", .int(counts.listings)))
            store.append(("policies", .int(counts.policies)))
            store.append(("latest_fiscal_year", counts.latestFiscalYear.map { .integer($0) } ?? .null))
        } catch {
            store.append(("database_reachable", .bool(false)))
            store.append(("database_error", .string("\(error)")))
        }
        var sync: [(String, ReplyValue)] = [("sync_sources", .int(Int64(await scheduler.hasSources ? 1 : 0)))]
        // The database's last sync, whoever ran it (a timer's `crosswalk sync` too); the
        // daemon's own last sync only while the database cannot say.
        if let last = try? await analytics.lastSync() {
            sync.append(("last_sync_status", .string(last.status)))
            sync.append(("last_sync_run", .int(last.id)))
            sync.append(("last_sync_trigger", .string(last.trigger)))
            sync.append(("last_sync_finished_at", .double(last.finishedAtEpoch)))
            sync.append(("last_sync_summary", .string(last.line)))
            if let error = last.error { sync.append(("last_sync_run_error", .string(error))) }
        } else if let last = await scheduler.lastSummary {
            sync.append(("last_sync_status", .string(last.status.rawValue)))
            sync.append(("last_sync_run", last.runId.map { .int($0) } ?? .null))
            sync.append(("last_sync_summary", .string(last.line)))
        }
        if let error = await scheduler.lastError {
            sync.append(("last_sync_error", .string(error)))
        }
        return [InfoSection(name: "store", fields: store), InfoSection(name: "sync", fields: sync)]
    }
}
