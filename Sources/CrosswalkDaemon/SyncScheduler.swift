package import CrosswalkSync
package import Foundation
package import Logging
import ServiceLifecycle

/// Runs the daemon's syncs: once at start, then every `interval`, and on demand
/// (`SYNC`). Requests that arrive while a sync runs share its result instead of
/// queueing another. A sync in progress at shutdown is allowed to finish.
package actor SyncScheduler: Service {
    private let engine: SyncEngine
    private let options: SyncEngine.Options
    private let interval: Duration?
    private let logger: Logger
    private var running: Task<SyncSummary, Error>?
    package private(set) var lastSummary: SyncSummary?
    package private(set) var lastError: String?
    /// When the last sync (in this process) ended, whatever its outcome.
    package private(set) var lastFinished: Date?
    /// Syncs run by this process, by status (`ok`, `partial`, `failed`, `dry-run`) or `error`
    /// when the run could not even be recorded.
    package private(set) var syncsByOutcome: [String: Int] = [:]

    /// - Parameter interval: nil or zero: sync only at start and on demand.
    package init(engine: SyncEngine, options: SyncEngine.Options, interval: Duration?, logger: Logger) {
        self.engine = engine
        self.options = options
        self.interval = interval.flatMap { $0 > .zero ? $0 : nil }
        self.logger = logger
    }

    package var hasSources: Bool { !options.sources.isEmpty }

    /// Runs a sync now, or joins the one already running in this process.
    package func syncNow(trigger: String) async throws -> SyncSummary {
        if let running { return try await running.value }
        var options = self.options
        options.trigger = trigger
        let engine = self.engine
        let task = Task { try await engine.run(options) }
        running = task
        defer {
            running = nil
            lastFinished = Date()
        }
        do {
            let summary = try await task.value
            lastSummary = summary
            lastError = nil
            syncsByOutcome[summary.status.rawValue, default: 0] += 1
            return summary
        } catch {
            lastError = "\(error)"
            syncsByOutcome["error", default: 0] += 1
            throw error
        }
    }

    /// A service runs until shutdown: with nothing scheduled it just waits for it.
    package func run() async throws {
        guard hasSources else {
            logger.info("no --source folders: scheduled syncs are off")
            try? await gracefulShutdown()
            return
        }
        await scheduledSync(trigger: "start")
        guard let interval else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            await scheduledSync(trigger: "interval")
        }
    }

    /// A scheduled sync never stops the daemon: a failure is logged and retried next time.
    private func scheduledSync(trigger: String) async {
        do {
            _ = try await syncNow(trigger: trigger)
        } catch {
            logger.error("scheduled sync failed", metadata: ["trigger": "\(trigger)", "error": "\(error)"])
        }
    }
}
