import Foundation

/// The last finished sync of the database (`crosswalk_last_sync()`), whoever ran it: a
/// daemon, `crosswalk sync` from a timer, or the SYNC command. INFO and the
/// `crosswalk_last_sync_*` metrics read it, so they show what the timer's syncs did too.
package struct LastSync: Decodable, Sendable, Equatable {
    package var id: Int64
    /// ok, partial, failed or abandoned.
    package var status: String
    /// Who ran it: `cli` (`crosswalk sync`), `serve` (a daemon's schedule), `command` (SYNC).
    package var trigger: String
    /// Unix time it finished (its start, for an abandoned run that recorded no end).
    package var finishedAtEpoch: Double
    package var durationMs: Int?
    package var documentsSeen: Int
    package var documentsUnchanged: Int
    package var documentsApplied: Int
    package var documentsRejected: Int
    package var documentsEnded: Int
    package var error: String?

    /// One line for INFO, in the words of `crosswalk sync`'s own summary.
    package var line: String {
        var text = "sync \(status) (run \(id), \(trigger)): \(documentsSeen) documents seen, \(documentsUnchanged) unchanged, \(documentsApplied) applied, \(documentsRejected) rejected, \(documentsEnded) ended"
        if let durationMs { text += "; \(durationMs) ms" }
        if let error { text += "; error: \(error)" }
        return text
    }

    enum CodingKeys: String, CodingKey {
        case id, status, trigger, error
        case finishedAtEpoch = "finished_at_epoch"
        case durationMs = "duration_ms"
        case documentsSeen = "documents_seen"
        case documentsUnchanged = "documents_unchanged"
        case documentsApplied = "documents_applied"
        case documentsRejected = "documents_rejected"
        case documentsEnded = "documents_ended"
    }
}
