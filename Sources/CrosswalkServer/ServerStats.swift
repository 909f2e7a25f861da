import NIOConcurrencyHelpers

/// Counters shown by INFO, shared by all connections.
package final class ServerStats: Sendable {
    /// A point-in-time copy of the counters.
    package struct Snapshot: Sendable, Equatable {
        package var connectionsCurrent = 0
        package var connectionsTotal = 0
        package var connectionsRejected = 0
        /// Requests served, by command name (built-ins included; unknown verbs are not kept).
        package var commands: [String: Int] = [:]
        package var commandsTotal = 0
        /// Error replies sent, by kind: `protocol`, `unknown_command`, `wrong_arguments`,
        /// `noauth`, `noperm`, `auth_failed`, `auth_throttled`, `command`, `internal`.
        package var errors: [String: Int] = [:]
        package var errorsTotal = 0
    }

    private let state = NIOLockedValueBox(Snapshot())
    private let started = ContinuousClock.now

    package init() {}

    package var snapshot: Snapshot { state.withLockedValue { $0 } }

    /// Seconds since the server value was created.
    package var uptime: Duration { ContinuousClock.now - started }

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

    /// Counts `count` requests served by the command `name`; connections add a run of one
    /// command at once, so a pipelined batch takes the lock once, not once per request.
    func commandServed(_ name: String, count: Int = 1) {
        state.withLockedValue { s in
            s.commands[name, default: 0] += count
            s.commandsTotal += count
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
package struct InfoSection: Sendable {
    /// Lower-case section name (`store`, `sync`, …).
    package var name: String
    package var fields: [(String, ReplyValue)]

    package init(name: String, fields: [(String, ReplyValue)]) {
        self.name = name
        self.fields = fields
    }
}

/// Returns the application's extra INFO sections; called for every INFO request.
package typealias InfoProvider = @Sendable () async -> [InfoSection]
