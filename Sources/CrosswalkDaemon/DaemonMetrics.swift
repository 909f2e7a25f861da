import CrosswalkSync
import CrosswalkAnalytics
import CrosswalkServer
import Foundation
import Logging

/// The metrics page: the protocol server's counters, then the store and the syncs. The
/// same facts INFO shows, in Prometheus text format.
enum DaemonMetrics {
    static func page(stats: ServerStats, analytics: Analytics, scheduler: SyncScheduler, watch: DatabaseWatch, logger: Logger) async -> String {
        var page = PrometheusText()
        do {
            try page.addServerMetrics(stats)
            try await addStore(to: &page, analytics: analytics, watch: watch)
            try await addSyncs(to: &page, analytics: analytics, scheduler: scheduler)
        } catch {
            // Names are fixed here, so this is a programming error; serve what was built.
            logger.error("metrics page incomplete", metadata: ["error": "\(error)"])
        }
        return page.render()
    }

    private static func addStore(to page: inout PrometheusText, analytics: Analytics, watch: DatabaseWatch) async throws {
        let counts: StoreCounts
        do {
            counts = try await analytics.counts()
            await watch.answered()
        } catch {
            await watch.failed(error)
            try page.addGauge("crosswalk_database_up", help: "1 when the database answered this scrape.", value: 0)
            return
        }
        try page.addGauge("crosswalk_database_up", help: "1 when the database answered this scrape.", value: 1)
        let gauges = [
            ("documents", counts.documents), ("programs", counts.programs), ("listings", counts.listings),
            ("policies", counts.policies),
        ]
        for (key, value) in gauges {
            try page.addGauge("crosswalk_store_\(key)", help: "Current \(key) in the store.", value: Double(value))
        }
    }

    /// `crosswalk_syncs_total` counts this daemon's own syncs; the `crosswalk_last_sync_*`
    /// gauges describe the database's last sync, whoever ran it (a timer's `crosswalk sync`
    /// too), and the daemon's own last sync only while the database cannot say.
    private static func addSyncs(to page: inout PrometheusText, analytics: Analytics, scheduler: SyncScheduler) async throws {
        try page.addFamily(
            "crosswalk_syncs_total", type: .counter, help: "Syncs run by this daemon, by outcome.",
            samples: await scheduler.syncsByOutcome.map { .init(labels: ["outcome": $0.key], value: Double($0.value)) })
        let last: (ok: Bool, end: Double?, durationMs: Int?, documents: [(String, Int)])
        if let run = try? await analytics.lastSync() {
            last = (run.status == "ok", run.finishedAtEpoch, run.durationMs, [
                ("seen", run.documentsSeen), ("unchanged", run.documentsUnchanged), ("applied", run.documentsApplied),
                ("rejected", run.documentsRejected), ("ended", run.documentsEnded),
            ])
        } else if let own = await scheduler.lastSummary {
            last = (own.status == .ok, await scheduler.lastFinished?.timeIntervalSince1970, own.durationMs, [
                ("seen", own.documentsSeen), ("unchanged", own.documentsUnchanged), ("applied", own.documentsApplied),
                ("rejected", own.documentsRejected), ("ended", own.documentsEnded),
            ])
        } else {
            return
        }
        if let end = last.end {
            try page.addGauge(
                "crosswalk_last_sync_end_timestamp_seconds", help: "When the database's last sync ended (Unix time), whoever ran it.",
                value: end)
        }
        try page.addGauge(
            "crosswalk_last_sync_success", help: "1 when the database's last completed sync applied every document (ok).",
            value: last.ok ? 1 : 0)
        if let durationMs = last.durationMs {
            try page.addGauge(
                "crosswalk_last_sync_duration_seconds", help: "Duration of the database's last completed sync.",
                value: Double(durationMs) / 1000)
        }
        try page.addFamily(
            "crosswalk_last_sync_documents", type: .gauge, help: "Documents in the database's last completed sync, by outcome.",
            samples: last.documents.map { .init(labels: ["outcome": $0.0], value: Double($0.1)) })
    }
}
