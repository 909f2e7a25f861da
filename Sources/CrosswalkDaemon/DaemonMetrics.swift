import CrosswalkSync
import CrosswalkAnalytics
import CrosswalkServer
import Foundation
import Logging

/// The metrics page: the protocol server's counters, then the store and the syncs. The
/// same facts INFO shows, in Prometheus text format.
enum DaemonMetrics {
    static func page(stats: ServerStats, analytics: Analytics, scheduler: SyncScheduler, logger: Logger) async -> String {
        var page = PrometheusText()
        do {
            try page.addServerMetrics(stats)
            try await addStore(to: &page, analytics: analytics)
            try await addSyncs(to: &page, scheduler: scheduler)
        } catch {
            // Names are fixed here, so this is a programming error; serve what was built.
            logger.error("metrics page incomplete", metadata: ["error": "\(error)"])
        }
        return page.render()
    }

    private static func addStore(to page: inout PrometheusText, analytics: Analytics) async throws {
        guard let counts = try? await analytics.counts() else {
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

    private static func addSyncs(to page: inout PrometheusText, scheduler: SyncScheduler) async throws {
        try page.addFamily(
            "crosswalk_syncs_total", type: .counter, help: "Syncs run by this daemon, by outcome.",
            samples: await scheduler.syncsByOutcome.map { .init(labels: ["outcome": $0.key], value: Double($0.value)) })
        if let finished = await scheduler.lastFinished {
            try page.addGauge(
                "crosswalk_last_sync_end_timestamp_seconds", help: "When this daemon's last sync ended (Unix time).",
                value: finished.timeIntervalSince1970)
        }
        guard let last = await scheduler.lastSummary else { return }
        try page.addGauge(
            "crosswalk_last_sync_success", help: "1 when the last completed sync applied every document (ok).",
            value: last.status == .ok ? 1 : 0)
        try page.addGauge(
            "crosswalk_last_sync_duration_seconds", help: "Duration of the last completed sync.",
            value: Double(last.durationMs) / 1000)
        try page.addFamily(
            "crosswalk_last_sync_documents", type: .gauge, help: "Documents in the last completed sync, by outcome.",
            samples: [
                ("seen", last.documentsSeen), ("unchanged", last.documentsUnchanged), ("applied", last.documentsApplied),
                ("rejected", last.documentsRejected), ("ended", last.documentsEnded),
            ].map { .init(labels: ["outcome": $0.0], value: Double($0.1)) })
    }
}
