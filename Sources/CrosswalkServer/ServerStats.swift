import NIOConcurrencyHelpers

/// Counters shown by INFO, shared by all connections.
public final class ServerStats: Sendable {
    /// A point-in-time copy of the counters.
    public struct Snapshot: Sendable, Equatable {
        public var connectionsCurrent = 0
        public var connectionsTotal = 0
        public var connectionsRejected = 0
        /// Requests served, by command name (built-ins included; unknown verbs are not kept).
        public var commands: [String: Int] = [:]
        public var commandsTotal = 0
        /// Error replies sent, by kind: `protocol`, `unknown_command`, `wrong_arguments`,
        /// `noauth`, `noperm`, `auth_failed`, `command`, `internal`.
        public var errors: [String: Int] = [:]
        public var errorsTotal = 0
    }

    private let state = NIOLockedValueBox(Snapshot())
    private let started = ContinuousClock.now

    public init() {}

    public var snapshot: Snapshot { state.withLockedValue { $0 } }

    /// Seconds since the server value was created.
    public var uptime: Duration { ContinuousClock.now - started }

    /// Counts a new connection unless `limit` are already open. Returns whether it was admitted.
    func admitConnection(limit: Int) -> Bool {
        state.withLockedValue { s in
            if s.connectionsCurrent >= limit {
                s.connectionsRejected += 1
                return false
            }
            s.connectionsCurrent += 1
            s.connectionsTotal += 1
            return true
        }
    }

    func connectionClosed() {
        state.withLockedValue { $0.connectionsCurrent -= 1 }
    }

    func commandServed(_ name: String) {
        state.withLockedValue { s in
            s.commands[name, default: 0] += 1
            s.commandsTotal += 1
        }
    }

    func error(_ kind: String) {
        state.withLockedValue { s in
            s.errors[kind, default: 0] += 1
            s.errorsTotal += 1
        }
    }
}

/// One section of INFO output, supplied by the embedding application.
public struct InfoSection: Sendable {
    /// Lower-case section name (`store`, `sync`, …).
    public var name: String
    public var fields: [(String, ReplyValue)]

    public init(name: String, fields: [(String, ReplyValue)]) {
        self.name = name
        self.fields = fields
    }
}

/// Returns the application's extra INFO sections; called for every INFO request.
public typealias InfoProvider = @Sendable () async -> [InfoSection]
