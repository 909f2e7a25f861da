package import Logging

/// Logs the loss of the database once and its return once, however many requests,
/// health checks and metrics scrapes meet it in between: one line a collector can alert
/// on, with the detail (host, port, database, user; never the password) that public
/// replies leave out.
package actor DatabaseWatch {
    /// HEALTH's reply while the database is down: served before AUTH, so it names nothing.
    package static let publicReply = "database unavailable"

    private let logger: Logger
    private var isLost = false

    package init(logger: Logger) {
        self.logger = logger
    }

    /// A request met a database that does not answer.
    package func failed(_ error: any Error) {
        guard !isLost else { return }
        isLost = true
        logger.error("database unavailable", metadata: ["error": "\(error)"])
    }

    /// A request was answered: the database is back if it was lost.
    package func answered() {
        guard isLost else { return }
        isLost = false
        logger.notice("database available again")
    }
}
