import Logging
import NIOConcurrencyHelpers

/// State shared by all connections of one server, and what command implementations may
/// read of it (the table, the configuration, the counters, the INFO sections).
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let registry: CommandRegistry
    let stats: ServerStats
    let logger: Logger
    let infoProvider: InfoProvider?
    /// Reply bytes waiting to be sent, over all connections.
    let queuedReplyBytes: QueuedReplyBytes
    /// Failed AUTH attempts by client address.
    let authThrottle: AuthThrottle
    private let ids = NIOLockedValueBox<UInt64>(0)
    private let port = NIOLockedValueBox<Int?>(nil)

    init(
        configuration: ServerConfiguration, registry: CommandRegistry, stats: ServerStats, logger: Logger,
        infoProvider: InfoProvider?
    ) {
        self.configuration = configuration
        self.registry = registry
        self.stats = stats
        self.logger = logger
        self.infoProvider = infoProvider
        self.authThrottle = AuthThrottle(settings: configuration.authThrottle)
        self.queuedReplyBytes = QueuedReplyBytes(logger: logger)
    }

    func nextConnectionID() -> UInt64 {
        ids.withLockedValue {
            $0 += 1
            return $0
        }
    }

    var boundPort: Int? {
        get { port.withLockedValue { $0 } }
        set { port.withLockedValue { $0 = newValue } }
    }
}
