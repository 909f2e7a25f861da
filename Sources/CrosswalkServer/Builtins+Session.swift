import Logging

/// The connection commands: each reads or changes the `Session` and says how to reply.
/// Run in request order on the event loop, so a later request sees their effect.
extension BuiltinCommands {
    @Sendable static func ping(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply {
        SessionReply(request.arguments.first.map { .string($0) } ?? .status("PONG"))
    }

    @Sendable static func quit(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply {
        SessionReply(.ok, closesConnection: true)
    }

    /// `AUTH [user] <token>`: the user name Redis clients send is ignored.
    @Sendable static func auth(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply {
        if let refused = throttled(&session, request, server) { return refused }
        let outcome = session.authenticate(token: request.arguments[request.arguments.count - 1], configuration: server.configuration)
        recordAttempt(outcome, session: session, server: server)
        return authReply(outcome, session: session, request: request, server: server)
    }

    /// The reply when the client's address is locked out of AUTH for now (`AuthThrottle`); the
    /// token is not compared, and the attempt counts toward the connection's limit.
    private static func throttled(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply? {
        guard case .refused(let seconds) = server.authThrottle.admit(session.remoteHost) else { return nil }
        session.countRefusedAttempt()
        request.logger(session, server).warning("authentication refused: too many failures from this address", metadata: ["retry_after_s": "\(seconds)"])
        return SessionReply(
            .error("ERR too many failed AUTH attempts from this address; try again in \(seconds) s"),
            errorKind: "auth_throttled",
            closesConnection: session.hasTooManyAuthFailures(limit: server.configuration.maxAuthFailures))
    }

    private static func recordAttempt(_ outcome: Session.AuthOutcome, session: Session, server: ServerContext) {
        switch outcome {
        case .authenticated, .authenticatedAsAdmin: server.authThrottle.record(session.remoteHost, succeeded: true)
        case .wrongToken: server.authThrottle.record(session.remoteHost, succeeded: false)
        case .nothingConfigured: break
        }
    }

    /// The reply to an authentication attempt, from AUTH or from HELLO's AUTH option (which
    /// counts toward the same failure limit). Tokens are never logged.
    static func authReply(
        _ outcome: Session.AuthOutcome, session: Session, request: SessionCall, server: ServerContext
    ) -> SessionReply {
        switch outcome {
        case .authenticatedAsAdmin:
            request.logger(session, server).debug("authenticated as admin")
            return SessionReply(.ok)
        case .authenticated:
            request.logger(session, server).debug("authenticated")
            return SessionReply(.ok)
        case .nothingConfigured:
            return SessionReply(.error("ERR AUTH called without any password configured"), errorKind: "command")
        case .wrongToken:
            request.logger(session, server).warning("authentication failed", metadata: ["failures": .stringConvertible(session.authFailures)])
            return SessionReply(
                .error("WRONGPASS invalid password"), errorKind: "auth_failed",
                closesConnection: session.hasTooManyAuthFailures(limit: server.configuration.maxAuthFailures))
        }
    }

    /// `OUTPUT` shows the mode; `OUTPUT <mode>` changes it, and the OK already takes the new form.
    @Sendable static func output(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply {
        guard let mode = request.arguments.first else { return SessionReply(.status(session.outputMode.rawValue)) }
        session.setOutput(mode)
        return SessionReply(.ok)
    }

    @Sendable static func hello(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply {
        let authenticates = request.arguments.dropFirst().contains { $0.uppercased() == "AUTH" }
        if authenticates, let refused = throttled(&session, request, server) { return refused }
        let outcome = session.hello(request.arguments, configuration: server.configuration)
        switch outcome {
        case .authFailed(let auth), .agreed(auth: .some(let auth)): recordAttempt(auth, session: session, server: server)
        default: break
        }
        switch outcome {
        case .unsupportedVersion:
            return SessionReply(
                .error("NOPROTO unsupported protocol version; RESP2 (HELLO 2) and RESP3 (HELLO 3) are spoken"),
                errorKind: "command")
        case .authFailed(let outcome):
            return authReply(outcome, session: session, request: request, server: server)
        case .malformed:
            return wrongArguments(request, server)
        case .notAuthenticated:
            return SessionReply(.error("NOAUTH HELLO must be called with the client already authenticated"), errorKind: "noauth")
        case .agreed(let auth):
            if let auth { _ = authReply(auth, session: session, request: request, server: server) }  // logs it
            return SessionReply(
                .object([
                    ("server", .string(server.configuration.serverName)),
                    ("version", .string(server.configuration.serverVersion)),
                    ("proto", .int(Int64(session.protocolVersion))),
                    ("id", .int(Int64(session.connectionID))),
                    ("mode", .string("standalone")),
                    ("role", .string("master")),
                    ("modules", .array([])),
                ]))
        }
    }

    @Sendable static func client(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply {
        let arguments = request.arguments
        switch arguments[0].uppercased() {
        case "SETNAME":
            guard arguments.count == 2, !arguments[1].contains(" ") else { return wrongArguments(request, server) }
            session.setClientName(arguments[1])
            return SessionReply(.ok)
        case "GETNAME":
            return SessionReply(session.clientName.map { .string($0) } ?? .null)
        case "ID":
            return SessionReply(.int(Int64(session.connectionID)))
        case "INFO", "LIST":
            let id = session.connectionID
            return SessionReply(
                .string("id=\(id) addr=\(session.remoteAddress ?? "?") name=\(session.clientName ?? "") db=0\n"))
        default:
            // SETINFO, TRACKING, NO-EVICT, …: accepted and ignored.
            return SessionReply(.ok)
        }
    }

    @Sendable static func select(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply {
        request.arguments[0] == "0"
            ? SessionReply(.ok) : SessionReply(.error("ERR DB index is out of range"), errorKind: "command")
    }

    /// The standard wrong-arguments reply for options only the command itself can judge.
    private static func wrongArguments(_ request: SessionCall, _ server: ServerContext) -> SessionReply {
        let message = server.registry.command(named: request.command)?.wrongArgumentsMessage ?? "ERR wrong arguments"
        return SessionReply(.error(message), errorKind: "wrong_arguments")
    }
}
