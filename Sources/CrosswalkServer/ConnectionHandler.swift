import Logging
import NIOConcurrencyHelpers
import NIOCore

/// State shared by all connections of one server.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let registry: CommandRegistry
    let stats: ServerStats
    let logger: Logger
    let infoProvider: InfoProvider?
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

/// Sent down each connection's pipeline when the server shuts down gracefully: stop reading,
/// finish the replies in flight, then close.
struct DrainConnectionEvent: Sendable {}

/// The per-connection protocol engine: buffers input, parses requests, checks access, runs
/// commands one at a time, and writes replies strictly in request order.
///
/// Backpressure: while `maxPendingReplies` replies are unanswered, or the socket is not
/// writable, no more requests are parsed and no more bytes are read.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum OutputMode: String {
        case auto, json, resp
    }

    private struct Slot {
        var reply: ByteBuffer?
        var closeAfter: Bool
    }

    private struct Job {
        var seq: Int
        var request: Request
        var wrongArgumentsMessage: String
        var handler: Command.Handler
    }

    private let server: ServerContext
    private let parser: RequestParser
    private let id: UInt64
    private var logger: Logger
    private var remoteAddress: String?

    // Input
    private var buffer: ByteBuffer?
    private var inputClosed = false
    private var stopParsing = false
    private var readHeld = false
    /// When the request now being received was first seen incomplete. A request must be
    /// finished within the idle timeout, so a client trickling a byte at a time (never idle)
    /// cannot hold its connection forever.
    private var partialSince: NIODeadline?

    // Session
    private var authenticated: Bool
    private var admin = false
    private var outputMode = OutputMode.auto
    private var clientName: String?
    private var authFailures = 0

    // Replies in request order; `slots[0]` has sequence number `firstSeq`.
    private var slots = CircularBuffer<Slot>(initialCapacity: 16)
    private var firstSeq = 0
    private var jobs = CircularBuffer<Job>()
    private var runningTask: Task<Void, Never>?
    private var draining = false
    private var closed = false
    private var pumping = false

    init(server: ServerContext, id: UInt64) {
        self.server = server
        self.id = id
        self.parser = RequestParser(
            maxRequestBytes: server.configuration.maxRequestBytes,
            maxArguments: server.configuration.maxArguments)
        self.authenticated = !server.configuration.requiresAuth
        var logger = server.logger
        logger[metadataKey: "connection"] = "\(id)"
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        remoteAddress = context.channel.remoteAddress.map { "\($0)" }
        if let remoteAddress { logger[metadataKey: "remote"] = "\(remoteAddress)" }
    }

    func channelActive(context: ChannelHandlerContext) {
        logger.debug("connection accepted")
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        runningTask?.cancel()
        runningTask = nil
        jobs.removeAll()
        slots.removeAll()
        buffer = nil
        logger.debug("connection closed")
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !stopParsing, !closed else { return }
        if buffer == nil {
            buffer = incoming
        } else {
            buffer!.writeBuffer(&incoming)
        }
        pump(context: context)
        closeIfRequestOverdue(context: context)
    }

    private func closeIfRequestOverdue(context: ChannelHandlerContext) {
        guard let since = partialSince, let limit = server.configuration.idleTimeout, !closed,
            NIODeadline.now() - since > TimeAmount(limit)
        else { return }
        logger.debug("closing connection: request not completed within the idle timeout")
        server.stats.error("protocol")
        closed = true
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if canRead(context) {
            context.read()
        } else {
            readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump(context: context)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ChannelEvent.inputClosed:
            inputClosed = true
            pump(context: context)
        case IdleStateHandler.IdleStateEvent.all:
            if slots.isEmpty, runningTask == nil, !closed {
                logger.debug("closing idle connection")
                closed = true
                context.close(promise: nil)
            }
        case is DrainConnectionEvent:
            draining = true
            stopParsing = true
            buffer = nil
            pump(context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is IOError {
            // Resets and broken pipes: the client went away; not the server's problem.
            logger.debug("connection error", metadata: ["error": "\(error)"])
        } else {
            logger.warning("connection error", metadata: ["error": "\(error)"])
        }
        closed = true
        context.close(promise: nil)
    }

    // MARK: The engine

    private func canRead(_ context: ChannelHandlerContext) -> Bool {
        !stopParsing && !closed && !inputClosed && slots.count < server.configuration.maxPendingReplies
            && context.channel.isWritable
    }

    /// Parse what can be parsed, write what is ready, repeat until nothing moves; then resume
    /// reading if it was held, or close if the connection is finished.
    private func pump(context: ChannelHandlerContext) {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while !closed {
            let parsed = parseRequests(context: context)
            let wrote = writeReadyReplies(context: context)
            if !parsed && !wrote { break }
        }
        guard !closed else { return }
        if slots.isEmpty && (draining || inputClosed) {
            closed = true
            context.close(promise: nil)
            return
        }
        if readHeld && canRead(context) {
            readHeld = false
            context.read()
        }
    }

    private func parseRequests(context: ChannelHandlerContext) -> Bool {
        var progress = false
        while !stopParsing, !closed, slots.count < server.configuration.maxPendingReplies,
            context.channel.isWritable, var input = buffer, input.readableBytes > 0
        {
            let outcome = parser.parse(input, atEOF: inputClosed)
            if case .needMore = outcome {} else { partialSince = nil }
            switch outcome {
            case .needMore:
                if partialSince == nil { partialSince = .now() }
                compactBuffer()
                return progress
            case .empty(let consumed):
                input.moveReaderIndex(forwardBy: consumed)
                buffer = input
            case .request(let framing, let args, let consumed):
                input.moveReaderIndex(forwardBy: consumed)
                buffer = input
                dispatch(framing: framing, args: args, context: context)
            case .error(let framing, let message, let fatal, let consumed):
                server.stats.error("protocol")
                if fatal {
                    logger.warning("protocol error, closing connection", metadata: ["error": "\(message)"])
                    buffer = nil
                    stopParsing = true
                } else {
                    input.moveReaderIndex(forwardBy: consumed)
                    buffer = input
                }
                appendReply(.error(message), framing: framing, closeAfter: fatal, context: context)
            }
            progress = true
        }
        compactBuffer()
        return progress
    }

    private func compactBuffer() {
        guard var input = buffer else { return }
        if input.readableBytes == 0 {
            buffer = nil
        } else if input.readerIndex > 16 * 1024 {
            input.discardReadBytes()
            buffer = input
        }
    }

    /// Writes replies from the head of the queue while they are ready.
    private func writeReadyReplies(context: ChannelHandlerContext) -> Bool {
        var wrote = false
        while let head = slots.first, let reply = head.reply {
            slots.removeFirst()
            firstSeq += 1
            if head.closeAfter {
                stopParsing = true
                closed = true
                jobs.removeAll()
                slots.removeAll()
                buffer = nil
                context.writeAndFlush(wrapOutboundOut(reply)).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
                return true
            }
            context.write(wrapOutboundOut(reply), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
        return wrote
    }

    private func format(for framing: Framing) -> ReplyFormat {
        switch outputMode {
        case .auto: return framing == .resp ? .resp : .json
        case .json: return .json
        case .resp: return .resp
        }
    }

    private func encode(_ value: ReplyValue, framing: Framing, format: ReplyFormat, context: ChannelHandlerContext)
        -> ByteBuffer
    {
        switch (format, framing) {
        case (.resp, _):
            return context.channel.allocator.buffer(bytes: value.respBytes())
        case (.json, .inline):
            var out = context.channel.allocator.buffer(capacity: 64)
            out.writeString(value.jsonReplyLine())
            out.writeStaticString("\r\n")
            return out
        case (.json, .resp):
            // A RESP client that asked for JSON gets each JSON reply as a bulk string.
            return context.channel.allocator.buffer(bytes: ReplyValue.string(value.jsonReplyLine()).respBytes())
        }
    }

    /// Appends a reply that is ready now.
    private func appendReply(
        _ value: ReplyValue, framing: Framing, format: ReplyFormat? = nil, closeAfter: Bool = false,
        context: ChannelHandlerContext
    ) {
        if closeAfter { stopParsing = true }
        let bytes = encode(value, framing: framing, format: format ?? self.format(for: framing), context: context)
        slots.append(Slot(reply: bytes, closeAfter: closeAfter))
    }

    private func fail(_ kind: String, _ message: String, framing: Framing, context: ChannelHandlerContext) {
        server.stats.error(kind)
        appendReply(.error(message), framing: framing, context: context)
    }

    private var connectionInfo: ConnectionInfo {
        ConnectionInfo(
            id: id, remoteAddress: remoteAddress, name: clientName, isAuthenticated: authenticated, isAdmin: admin)
    }

    /// Decides what to do with one request, in request order.
    private func dispatch(framing: Framing, args: [String], context: ChannelHandlerContext) {
        let verb = args[0].uppercased()
        let arguments = Array(args.dropFirst())
        let configuration = server.configuration

        guard let command = server.registry.command(named: verb) else {
            fail("unknown_command", "ERR unknown command '\(Self.clip(args[0]))'", framing: framing, context: context)
            return
        }
        // Access: authentication first, then admin.
        if command.access > .public && !authenticated {
            fail("noauth", "NOAUTH Authentication required.", framing: framing, context: context)
            return
        }
        if command.access == .admin && configuration.adminToken != nil && !admin {
            fail(
                "noperm", "NOPERM this command needs admin access: AUTH <admin-token> first",
                framing: framing, context: context)
            return
        }
        guard command.accepts(arguments) else {
            fail("wrong_arguments", command.wrongArgumentsMessage, framing: framing, context: context)
            return
        }
        server.stats.commandServed(command.name)

        if BuiltinCommands.names.contains(command.name) {
            runBuiltin(command, arguments: arguments, framing: framing, context: context)
            return
        }
        enqueue(command: command, arguments: arguments, framing: framing, handler: command.handler, context: context)
    }

    private func enqueue(
        command: Command, arguments: [String], framing: Framing, handler: @escaping Command.Handler,
        context: ChannelHandlerContext
    ) {
        let format = self.format(for: framing)
        var requestLogger = logger
        requestLogger[metadataKey: "command"] = "\(command.name)"
        let request = Request(
            command: command.name, arguments: arguments, framing: framing, replyFormat: format,
            connection: connectionInfo, logger: requestLogger)
        let seq = firstSeq + slots.count
        slots.append(Slot(reply: nil, closeAfter: false))
        jobs.append(
            Job(seq: seq, request: request, wrongArgumentsMessage: command.wrongArgumentsMessage, handler: handler))
        startNextJob(context: context)
    }

    /// Runs queued commands one at a time, off the event loop.
    private func startNextJob(context: ChannelHandlerContext) {
        guard runningTask == nil, !closed, let job = jobs.popFirst() else { return }
        let promise = context.eventLoop.makePromise(of: ReplyValue.self)
        let handler = job.handler
        let request = job.request
        runningTask = promise.completeWithTask { try await handler(request) }
        promise.futureResult.assumeIsolated().whenComplete { result in
            self.runningTask = nil
            guard !self.closed else { return }
            let value: ReplyValue
            switch result {
            case .success(let v):
                value = v
                if v.isError { self.server.stats.error("command") }
            case .failure(let error as CommandError):
                if error.isWrongArguments {
                    self.server.stats.error("wrong_arguments")
                    value = .error(job.wrongArgumentsMessage)
                } else {
                    self.server.stats.error("command")
                    value = .error(error.description)
                }
            case .failure(is CancellationError):
                self.server.stats.error("command")
                value = .error("ERR command cancelled")
            case .failure(let error):
                self.server.stats.error("internal")
                job.request.logger.warning("command failed", metadata: ["error": "\(error)"])
                value = .error("ERR internal error")
            }
            let index = job.seq - self.firstSeq
            if index >= 0, index < self.slots.count {
                self.slots[self.slots.index(self.slots.startIndex, offsetBy: index)].reply = self.encode(
                    value, framing: request.framing, format: request.replyFormat, context: context)
            }
            self.startNextJob(context: context)
            self.pump(context: context)
        }
    }

    // MARK: Built-in commands

    private func runBuiltin(_ command: Command, arguments: [String], framing: Framing, context: ChannelHandlerContext)
    {
        let configuration = server.configuration
        switch command.name {
        case "PING":
            appendReply(arguments.first.map { .string($0) } ?? .status("PONG"), framing: framing, context: context)

        case "QUIT":
            appendReply(.ok, framing: framing, closeAfter: true, context: context)

        case "HELP":
            let reply = BuiltinCommands.help(arguments, registry: server.registry, format: format(for: framing))
            if reply.isError { server.stats.error("unknown_command") }
            appendReply(reply, framing: framing, context: context)

        case "AUTH":
            let reply = authenticate(token: arguments[arguments.count - 1])
            appendReply(
                reply, framing: framing, closeAfter: reply.isError && authFailures >= configuration.maxAuthFailures,
                context: context)

        case "OUTPUT":
            guard let mode = arguments.first else {
                appendReply(.status(outputMode.rawValue), framing: framing, context: context)
                return
            }
            outputMode = OutputMode(rawValue: mode.lowercased()) ?? .auto
            // The reply already takes the new form.
            appendReply(.ok, framing: framing, context: context)

        case "HELLO":
            // HELLO's AUTH counts toward the same failure limit as AUTH.
            let failuresBefore = authFailures
            let reply = hello(arguments)
            let tooMany = authFailures > failuresBefore && authFailures >= configuration.maxAuthFailures
            appendReply(reply, framing: framing, closeAfter: tooMany, context: context)

        case "SELECT":
            if arguments[0] == "0" {
                appendReply(.ok, framing: framing, context: context)
            } else {
                fail("command", "ERR DB index is out of range", framing: framing, context: context)
            }

        case "CLIENT":
            appendReply(client(arguments, command: command), framing: framing, context: context)

        case "COMMAND":
            let reply = BuiltinCommands.command(arguments, registry: server.registry)
            if reply.isError { server.stats.error("command") }
            appendReply(reply, framing: framing, context: context)

        case "INFO":
            let server = self.server
            let section = arguments.first
            enqueue(
                command: command, arguments: arguments, framing: framing,
                handler: { request in
                    let extra = await server.infoProvider?() ?? []
                    return BuiltinCommands.info(
                        section: section, stats: server.stats, configuration: server.configuration,
                        boundPort: server.boundPort, extra: extra, format: request.replyFormat)
                }, context: context)

        default:
            fail("internal", "ERR \(command.name) is not implemented", framing: framing, context: context)
        }
    }

    /// Checks a token against the password and the admin token. Both comparisons always run,
    /// in constant time; tokens are never logged.
    private func authenticate(token: String) -> ReplyValue {
        let configuration = server.configuration
        guard configuration.password != nil || configuration.adminToken != nil else {
            server.stats.error("command")
            return .error("ERR AUTH called without any password configured")
        }
        let isAdminToken = configuration.adminToken.map { constantTimeEquals($0, token) } ?? false
        let isPassword = configuration.password.map { constantTimeEquals($0, token) } ?? false
        if isAdminToken {
            authenticated = true
            admin = true
            logger.debug("authenticated as admin")
            return .ok
        }
        if isPassword {
            authenticated = true
            logger.debug("authenticated")
            return .ok
        }
        authFailures += 1
        server.stats.error("auth_failed")
        logger.warning("authentication failed", metadata: ["failures": "\(authFailures)"])
        return .error("WRONGPASS invalid password")
    }

    private func hello(_ arguments: [String]) -> ReplyValue {
        if let version = arguments.first {
            guard version == "2" else {
                server.stats.error("command")
                return .error("NOPROTO unsupported protocol version; only RESP2 (HELLO 2) is spoken")
            }
        }
        var i = 1
        while i < arguments.count {
            switch arguments[i].uppercased() {
            case "AUTH" where i + 2 < arguments.count:
                let reply = authenticate(token: arguments[i + 2])
                if reply.isError { return reply }
                i += 3
            case "SETNAME" where i + 1 < arguments.count:
                clientName = arguments[i + 1]
                i += 2
            default:
                server.stats.error("wrong_arguments")
                return .error(server.registry.command(named: "HELLO")!.wrongArgumentsMessage)
            }
        }
        if server.configuration.requiresAuth && !authenticated {
            server.stats.error("noauth")
            return .error("NOAUTH HELLO must be called with the client already authenticated")
        }
        return .object([
            ("server", .string(server.configuration.serverName)),
            ("version", .string(server.configuration.serverVersion)),
            ("proto", .int(2)),
            ("id", .int(Int64(id))),
            ("mode", .string("standalone")),
            ("role", .string("master")),
            ("modules", .array([])),
        ])
    }

    private func client(_ arguments: [String], command: Command) -> ReplyValue {
        switch arguments[0].uppercased() {
        case "SETNAME":
            guard arguments.count == 2, !arguments[1].contains(" ") else {
                server.stats.error("wrong_arguments")
                return .error(command.wrongArgumentsMessage)
            }
            clientName = arguments[1].isEmpty ? nil : arguments[1]
            return .ok
        case "GETNAME":
            return clientName.map { .string($0) } ?? .null
        case "ID":
            return .int(Int64(id))
        case "INFO", "LIST":
            let line = "id=\(id) addr=\(remoteAddress ?? "?") name=\(clientName ?? "") db=0\n"
            return .string(line)
        default:
            // SETINFO, TRACKING, NO-EVICT, …: accepted and ignored.
            return .ok
        }
    }

    private static func clip(_ s: String) -> String {
        s.count > 64 ? String(s.prefix(64)) + "…" : s
    }
}
