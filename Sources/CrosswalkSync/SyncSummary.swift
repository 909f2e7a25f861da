/// What one sync run saw and did; recorded in `sync_runs` and printed by `crosswalk sync`.
package struct SyncSummary: Codable, Sendable, Equatable {
    package enum Status: String, Codable, Sendable {
        /// Every document applied or unchanged.
        case ok
        /// Some documents were rejected; the rest applied.
        case partial
        /// The run stopped (database lost, …); documents applied before stay applied.
        case failed
        /// `--dry-run`: what would change; nothing was written.
        case dryRun = "dry-run"
    }

    package var runId: Int64?
    package var status: Status = .ok
    package var documentsSeen = 0
    package var documentsUnchanged = 0
    package var documentsApplied = 0
    package var documentsRejected = 0
    package var documentsEnded = 0
    package var listingsAdded = 0
    package var listingsChanged = 0
    package var listingsEnded = 0
    package var durationMs = 0
    package var error: String?
    package var rejects: [Reject] = []

    package struct Reject: Codable, Sendable, Equatable {
        package var source: String
        package var line: Int?
        package var reason: String
    }

    package init() {}

    /// One line for logs and terminals.
    package var line: String {
        if status == .dryRun {
            return "sync dry-run, nothing written: \(documentsSeen) documents seen, \(documentsUnchanged) unchanged, \(documentsApplied) would apply, \(documentsRejected) would be rejected, \(documentsEnded) would end; listings \(listingsAdded) would be added, \(listingsChanged) changed, \(listingsEnded) ended; \(durationMs) ms"
        }
        var text = "sync \(status.rawValue): \(documentsSeen) documents seen, \(documentsUnchanged) unchanged, \(documentsApplied) applied, \(documentsRejected) rejected, \(documentsEnded) ended; listings \(listingsAdded) added, \(listingsChanged) changed, \(listingsEnded) ended; \(durationMs) ms"
        if let error { text += "; error: \(error)" }
        return text
    }
}

package enum SyncError: Error, CustomStringConvertible, Sendable {
    /// A source folder is missing or unreadable.
    case source(String)
    /// Another process holds the sync lock past the wait limit.
    case busy(String)
    /// A source folder lost more of its documents than one sync may end.
    case vanished(String)
    /// The run passed its `sync-deadline`.
    case deadline(String)
    /// The database ran out of disk, memory or connections.
    case resources(String)

    package var description: String {
        switch self {
        case .source(let message), .busy(let message), .vanished(let message), .deadline(let message), .resources(let message): message
        }
    }
}
