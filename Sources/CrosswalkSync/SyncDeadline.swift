import Postgres

/// A sync's overall deadline (`sync-deadline`). Once it passes, a watchdog cancels the
/// statement the sync's connection is running (a wait on a row lock, a slow write), and
/// the sync checks it between documents: the run then fails, is recorded with what it
/// committed, and lets the sync lock go. A file read blocked in the kernel (a hung
/// network share) is not interrupted.
final class SyncDeadline: Sendable {
    private let limit: Duration?
    private let end: ContinuousClock.Instant?
    private let watchdog: Task<Void, Never>?

    init(_ limit: Duration?, startedAt start: ContinuousClock.Instant, connection: PostgresConnection) {
        self.limit = limit
        let end = limit.map { start + $0 }
        self.end = end
        watchdog = end.map { end in
            Task {
                guard (try? await Task.sleep(until: end, clock: .continuous)) != nil else { return }
                connection.cancelRunningStatement()
            }
        }
    }

    var hasPassed: Bool { end.map { ContinuousClock.now >= $0 } ?? false }

    var error: SyncError {
        .deadline("the sync passed its deadline of \(limit.map { "\($0)" } ?? "-") (sync-deadline) and stopped; the documents committed before are kept, the rest is read at the next sync")
    }

    /// Throws once the deadline has passed.
    func check() throws(SyncError) {
        if hasPassed { throw error }
    }

    /// The run is over: no statement of a later step may be cancelled.
    func stop() {
        watchdog?.cancel()
    }
}
