import Logging

/// What one connection has said about itself: who it is, whether it authenticated, and how
/// it wants replies. Connection commands (AUTH, HELLO, OUTPUT, CLIENT SETNAME) change it in
/// request order; data commands see a snapshot taken when their request was read.
///
/// A plain value with no I/O, so every state change is tested without a socket.
package struct Session: Sendable, Equatable {
    /// `OUTPUT json|resp|auto`.
    package enum OutputMode: String, Sendable {
        /// Follow each request's framing.
        case auto
        case json
        case resp
    }

    /// What an authentication attempt did.
    package enum AuthOutcome: Sendable, Equatable {
        case authenticated
        case authenticatedAsAdmin
        /// The token matched neither secret; `authFailures` went up by one.
        case wrongToken
        /// Neither a password nor an admin token is configured.
        case nothingConfigured
    }

    package let connectionID: UInt64
    package let remoteAddress: String?
    /// The client's IP address without its port: what failed AUTH attempts are counted by.
    package let remoteHost: String?
    package private(set) var isAuthenticated: Bool
    package private(set) var isAdmin = false
    /// Set by `CLIENT SETNAME` or `HELLO … SETNAME`.
    package private(set) var clientName: String?
    /// What OUTPUT and HELLO chose.
    package private(set) var replies = Replies()
    package var outputMode: OutputMode { replies.outputMode }
    /// The RESP version agreed by HELLO: 2 until `HELLO 3`.
    package var respVersion: RESPVersion { replies.respVersion }
    /// `respVersion` as the number HELLO shows (`proto`).
    package var protocolVersion: Int { respVersion.rawValue }
    package private(set) var authFailures = 0

    /// What `HELLO` did.
    package enum HelloOutcome: Sendable, Equatable {
        /// The protocol is agreed (and switched); `auth` says what its AUTH option did, if it had one.
        case agreed(auth: AuthOutcome?)
        /// A version other than 2 or 3 was asked for.
        case unsupportedVersion
        /// `HELLO … AUTH` failed; nothing after it was applied.
        case authFailed(AuthOutcome)
        /// An option that is not `AUTH <user> <token>` or `SETNAME <name>`.
        case malformed
        /// The connection is still not authenticated though a password is configured.
        case notAuthenticated
    }

    /// A new connection: authenticated from the start only when no password is configured.
    package init(
        connectionID: UInt64, remoteAddress: String? = nil, remoteHost: String? = nil, configuration: ServerConfiguration
    ) {
        self.connectionID = connectionID
        self.remoteAddress = remoteAddress
        self.remoteHost = remoteHost
        self.isAuthenticated = !configuration.requiresAuth
    }

    /// How replies are written, as OUTPUT and HELLO chose: a plain value apart from the
    /// session's strings, so the connection reads it for every request without copying them.
    package struct Replies: Sendable, Equatable {
        package var outputMode = OutputMode.auto
        package var respVersion = RESPVersion.v2

        /// How a reply to a request with this framing is written; RESP replies use the version
        /// HELLO agreed, inline requests after `OUTPUT resp` included.
        package func format(for framing: Framing) -> ReplyFormat {
            let resp: ReplyFormat = respVersion == .v3 ? .resp3 : .resp
            switch outputMode {
            case .auto: return framing == .resp ? resp : .json
            case .json: return .json
            case .resp: return resp
            }
        }
    }

    /// How a reply to a request with this framing is written (`Replies.format(for:)`).
    package func replyFormat(for framing: Framing) -> ReplyFormat {
        replies.format(for: framing)
    }

    /// `base` with this connection's id and address as metadata: the connection's logger.
    func logger(from base: Logger) -> Logger {
        var logger = base
        logger[metadataKey: "connection"] = "\(connectionID)"
        if let remoteAddress { logger[metadataKey: "remote"] = "\(remoteAddress)" }
        return logger
    }

    /// Whether the connection has used up its authentication attempts and must be closed.
    package func hasTooManyAuthFailures(limit: Int) -> Bool {
        authFailures >= limit
    }

    /// Checks a token against the password and the admin token. Both comparisons always run,
    /// in constant time, so timing does not tell which secret came close.
    package mutating func authenticate(token: String, configuration: ServerConfiguration) -> AuthOutcome {
        guard configuration.password != nil || configuration.adminToken != nil else { return .nothingConfigured }
        let isAdminToken = configuration.adminToken.map { constantTimeEquals($0, token) } ?? false
        let isPassword = configuration.password.map { constantTimeEquals($0, token) } ?? false
        if isAdminToken {
            isAuthenticated = true
            isAdmin = true
            return .authenticatedAsAdmin
        }
        if isPassword {
            isAuthenticated = true
            return .authenticated
        }
        authFailures += 1
        return .wrongToken
    }

    /// An attempt refused before its token was compared (the address is locked out) still
    /// counts toward the connection's limit.
    package mutating func countRefusedAttempt() {
        authFailures += 1
    }

    /// `OUTPUT <mode>`; an unknown mode falls back to `auto` (the command validates first).
    package mutating func setOutput(_ mode: String) {
        replies.outputMode = OutputMode(rawValue: mode.lowercased()) ?? .auto
    }

    /// `CLIENT SETNAME`: an empty name clears it.
    package mutating func setClientName(_ name: String) {
        clientName = name.isEmpty ? nil : name
    }

    /// `HELLO [2|3 [AUTH <user> <token>] [SETNAME <name>]]`: options apply left to right and
    /// stop at the first that fails, as Redis does; the version switches only when all
    /// succeeded. Without a version the protocol stays as it is.
    package mutating func hello(_ arguments: [String], configuration: ServerConfiguration) -> HelloOutcome {
        var version = respVersion
        if let asked = arguments.first {
            guard let agreed = Int(asked).flatMap(RESPVersion.init(rawValue:)) else { return .unsupportedVersion }
            version = agreed
        }
        var auth: AuthOutcome?
        var i = 1
        while i < arguments.count {
            switch arguments[i].uppercased() {
            case "AUTH" where i + 2 < arguments.count:
                let outcome = authenticate(token: arguments[i + 2], configuration: configuration)
                if outcome == .wrongToken || outcome == .nothingConfigured { return .authFailed(outcome) }
                auth = outcome
                i += 3
            case "SETNAME" where i + 1 < arguments.count:
                // Kept as given, an empty name included (CLIENT SETNAME clears on empty).
                clientName = arguments[i + 1]
                i += 2
            default:
                return .malformed
            }
        }
        // Bare `HELLO` (what clients send to learn the server) is public; a version switch
        // before AUTH is not, as in Redis.
        if configuration.requiresAuth && !isAuthenticated && !arguments.isEmpty { return .notAuthenticated }
        replies.respVersion = version
        return .agreed(auth: auth)
    }
}
