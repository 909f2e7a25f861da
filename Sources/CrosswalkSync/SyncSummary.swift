/// What one sync run saw and did; recorded in `sync_runs` and printed by `crosswalk sync`.
public struct SyncSummary: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Every document applied or unchanged.
        case ok
        /// Some documents were rejected; the rest applied.
        case partial
        /// The run stopped (database lost, …); documents applied before stay applied.
        case failed
        /// `--dry-run`: what would change; nothing was written.
        case dryRun = "dry-run"
    }

    public var runId: Int64?
    public var status: Status = .ok
    public var documentsSeen = 0
    public var documentsUnchanged = 0
    public var documentsApplied = 0
    public var documentsRejected = 0
    public var documentsEnded = 0
    public var listingsAdded = 0
    public var listingsChanged = 0
    public var listingsEnded = 0
    public var durationMs = 0
    public var error: String?
    public var rejects: [Reject] = []

    public struct Reject: Codable, Sendable, Equatable {
        public var source: String
        public var line: Int?
        public var reason: String
    }

    public init() {}

    /// One line for logs and terminals.
    public var line: String {
        var text = "sync \(status.rawValue): \(documentsSeen) documents seen, \(documentsUnchanged) unchanged, \(documentsApplied) applied, \(documentsRejected) rejected, \(documentsEnded) ended; listings \(listingsAdded) added, \(listingsChanged) changed, \(listingsEnded) ended; \(durationMs) ms"
        if let error { text += "; error: \(error)" }
        return text
    }
}

public enum SyncError: Error, CustomStringConvertible, Sendable {
    /// A source folder is missing or unreadable.
    case source(String)
    /// Another process holds the sync lock past the wait limit.
    case busy(String)
    /// A source folder lost more of its documents than one sync may end.
    case vanished(String)

    public var description: String {
        switch self {
        case .source(let message), .busy(let message), .vanished(let message): message
        }
    }
}
