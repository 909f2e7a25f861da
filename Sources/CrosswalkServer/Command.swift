package import Logging

/// How a request arrived on the wire.
package enum Framing: String, Sendable, Hashable {
    /// `VERB arg "quoted arg"\r\n`
    case inline
    /// `*N\r\n$len\r\n…` (RESP array of bulk strings)
    case resp
}

/// The form replies take: JSON lines, RESP2, or RESP3 once the connection said `HELLO 3`.
package enum ReplyFormat: String, Sendable, Hashable {
    case json
    case resp
    case resp3

    /// Either RESP version: the Redis-shaped answers (HELP lines, INFO text) are the same.
    package var isRESP: Bool { self != .json }
}

/// One parsed request as a command handler sees it.
package struct Request: Sendable {
    /// The command name, upper-cased (`SDG`).
    package let command: String
    /// The arguments after the verb, exactly as sent (quotes and escapes resolved).
    package let arguments: [String]
    /// How the request was framed.
    package let framing: Framing
    /// How the reply will be written (framing, or the connection's `OUTPUT` setting).
    package let replyFormat: ReplyFormat
    /// The connection's session as it stood when the request was read, for an application
    /// command; nil for a connection command, which is handed the session itself.
    package let session: Session?
    /// The connection's logger; `logger` adds the command to its metadata.
    private var connectionLogger: Logger

    /// A logger carrying the connection id and command as metadata. Built when a handler
    /// logs, not per request: most requests never log, and metadata costs allocations.
    package var logger: Logger {
        get {
            var logger = connectionLogger
            logger[metadataKey: "command"] = "\(command)"
            return logger
        }
        set { connectionLogger = newValue }
    }

    package init(
        command: String,
        arguments: [String],
        framing: Framing = .inline,
        replyFormat: ReplyFormat = .json,
        session: Session? = nil,
        logger: Logger = Logger(label: "crosswalk.server")
    ) {
        self.command = command
        self.arguments = arguments
        self.framing = framing
        self.replyFormat = replyFormat
        self.session = session
        self.connectionLogger = logger
    }

    /// The value following a keyword argument, matched case-insensitively:
    /// for `SDG 3 FY 2024`, `option("FY")` is `"2024"`. `nil` if absent or last.
    package func option(_ keyword: String) -> String? {
        let key = keyword.uppercased()
        guard let i = arguments.firstIndex(where: { $0.uppercased() == key }), i + 1 < arguments.count else {
            return nil
        }
        return arguments[i + 1]
    }
}

/// An error a handler throws to produce a specific error reply.
///
/// Any other error thrown by a handler is logged at warning level and answered with
/// `ERR internal error` (its text is not sent to the client).
package struct CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The leading code word of the reply (`ERR`, `NOTFOUND`, …).
    package var code: String
    package var message: String
    /// When set, the reply is the standard wrong-arguments text built from the command's usage.
    package var isWrongArguments: Bool

    package init(code: String = "ERR", _ message: String) {
        self.code = code
        self.message = message
        self.isWrongArguments = false
    }

    /// `ERR wrong arguments for 'SDG': expected SDG <1-17> [FY n]`.
    package static let wrongArguments: CommandError = {
        var e = CommandError("wrong arguments")
        e.isWrongArguments = true
        return e
    }()

    /// `NOTFOUND <message>`.
    package static func notFound(_ message: String) -> CommandError { CommandError(code: "NOTFOUND", message) }

    /// `ERR <message>`.
    package static func invalid(_ message: String) -> CommandError { CommandError(code: "ERR", message) }

    package var description: String { "\(code) \(message)" }
}

/// What a connection command reads of its request. Not a `Request`: copying and destroying
/// one (its session snapshot, its logger) costs more than a pipelined PING's own work, so the
/// logger is built only when a connection command logs.
struct SessionCall: Sendable {
    /// The command name, upper-cased.
    let command: String
    /// The arguments after the verb, exactly as sent.
    let arguments: [String]
    /// How the reply will be written.
    let replyFormat: ReplyFormat

    /// The connection's logger with the command as metadata, as `Request.logger` has it.
    func logger(_ session: Session, _ server: ServerContext) -> Logger {
        var logger = session.logger(from: server.logger)
        logger[metadataKey: "command"] = "\(command)"
        return logger
    }
}

/// A connection command's reply, and what the connection does besides sending it.
struct SessionReply: Sendable {
    var value: ReplyValue
    /// The INFO error counter this reply counts under, when it is an error.
    var errorKind: String?
    /// Close the connection once the reply is written (QUIT, too many failed AUTHs).
    var closesConnection = false

    /// `errorKind` applies only when `value` is an error.
    init(_ value: ReplyValue, errorKind: String? = nil, closesConnection: Bool = false) {
        self.value = value
        self.errorKind = value.isError ? errorKind : nil
        self.closesConnection = closesConnection
    }
}

/// One entry of the command table. A class, so a lookup hands out one reference rather than
/// copying every field (a dozen retains per request).
package final class Command: Sendable {
    /// Who may run a command.
    package enum Access: Int, Sendable, Comparable {
        /// Always allowed, even before `AUTH` (only PING, AUTH, QUIT, HELP, HELLO by default).
        case `public`
        /// Needs `AUTH <password>` when a password is configured.
        case authenticated
        /// Needs `AUTH <admin-token>` when an admin token is configured; otherwise the same
        /// as `.authenticated`.
        case admin

        package static func < (lhs: Access, rhs: Access) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    package typealias Handler = @Sendable (Request) async throws -> ReplyValue

    /// How a command runs; the connection engine needs to know, the command decides.
    enum Work: Sendable {
        /// Reads or changes the connection's session: runs on the event loop, in request
        /// order, before the next request is read, so `AUTH` followed by a data command in
        /// the same packet sees the authentication.
        case session(@Sendable (inout Session, SessionCall, ServerContext) -> SessionReply)
        /// Computes an answer: runs off the event loop, one at a time per connection, with
        /// the session snapshot in `Request.session`.
        case answer(@Sendable (Request, ServerContext) async throws -> ReplyValue)
    }

    /// Upper-case name; matching is case-insensitive.
    package let name: String
    /// Other names for the same entry, for clients that intercept `name` (redis-cli runs
    /// `SYNC` as Redis replication and `HELP` itself). Upper-case, case-insensitive.
    package let aliases: [String]
    /// The expected form, shown by HELP and in wrong-argument errors: `SDG <1-17> [FY n]`.
    package let usage: String
    /// One sentence for HELP.
    package let summary: String
    package let access: Access
    /// The number of arguments after the verb that the command accepts.
    package let arity: ClosedRange<Int>
    /// Extra validation of the arguments; returning `false` gives the wrong-arguments error.
    package let validate: (@Sendable ([String]) -> Bool)?
    let work: Work

    /// An application command: `handler` computes the answer off the event loop.
    package convenience init(
        name: String,
        aliases: [String] = [],
        usage: String,
        summary: String,
        access: Access = .authenticated,
        arity: ClosedRange<Int> = 0...0,
        validate: (@Sendable ([String]) -> Bool)? = nil,
        handler: @escaping Handler
    ) {
        self.init(
            name: name, aliases: aliases, usage: usage, summary: summary, access: access, arity: arity,
            validate: validate, work: .answer { request, _ in try await handler(request) })
    }

    /// A built-in command with its own kind of work.
    init(
        name: String, aliases: [String] = [], usage: String, summary: String, access: Access,
        arity: ClosedRange<Int>, validate: (@Sendable ([String]) -> Bool)? = nil, work: Work
    ) {
        self.name = name.uppercased()
        self.aliases = aliases.map { $0.uppercased() }
        self.usage = usage
        self.summary = summary
        self.access = access
        self.arity = arity
        self.validate = validate
        self.work = work
    }

    /// `ERR wrong arguments for 'NAME': expected USAGE`.
    package var wrongArgumentsMessage: String {
        "ERR wrong arguments for '\(name)': expected \(usage)"
    }

    func accepts(_ arguments: [String]) -> Bool {
        arity.contains(arguments.count) && (validate?(arguments) ?? true)
    }
}

/// The command table: the server's built-in commands plus those the application registers.
package struct CommandRegistry: Sendable {
    private(set) var commands: [String: Command] = [:]
    private(set) var order: [String] = []

    /// A table holding only the built-in commands.
    package init() {
        for command in BuiltinCommands.all { insert(command) }
    }

    /// A table with the built-ins plus `commands`.
    package init(_ commands: [Command]) {
        self.init()
        for command in commands { register(command) }
    }

    /// Adds an application command. Names and aliases are unique; built-in names cannot be replaced.
    package mutating func register(_ command: Command) {
        for name in [command.name] + command.aliases {
            precondition(commands[name] == nil, "command \(name) is already registered")
            precondition(!name.isEmpty && !name.contains(" "), "invalid command name '\(name)'")
        }
        insert(command)
    }

    /// Convenience for `register(Command(…))`.
    package mutating func register(
        _ name: String,
        aliases: [String] = [],
        usage: String,
        summary: String,
        access: Command.Access = .authenticated,
        arity: ClosedRange<Int> = 0...0,
        validate: (@Sendable ([String]) -> Bool)? = nil,
        handler: @escaping Command.Handler
    ) {
        register(
            Command(
                name: name, aliases: aliases, usage: usage, summary: summary, access: access, arity: arity,
                validate: validate, handler: handler))
    }

    /// One entry under every name it has; listed once, under its own name.
    private mutating func insert(_ command: Command) {
        for name in [command.name] + command.aliases { commands[name] = command }
        order.append(command.name)
    }

    /// The command called `name` or aliased so (case-insensitive).
    package func command(named name: String) -> Command? {
        // Clients send names upper-case: try the name as sent before upper-casing a copy.
        commands[name] ?? commands[name.uppercased()]
    }

    /// All commands in registration order (built-ins first).
    package var all: [Command] { order.compactMap { commands[$0] } }
}
