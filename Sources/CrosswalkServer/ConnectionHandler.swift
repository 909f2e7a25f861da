import Logging
import NIOCore

/// The per-connection protocol engine: buffers input, parses requests, checks access, runs
/// each command's work from its table entry, and writes replies strictly in request order.
/// What the commands do, the session included, lives in the command table and `Session`.
///
/// Backpressure: while `maxPendingReplies` replies are unanswered, the socket is not
/// writable, or more reply bytes than allowed wait to be sent (`maxQueuedReplyBytes` here,
/// `maxTotalQueuedReplyBytes` over all connections), no more requests are parsed or run and
/// no more bytes are read. A client that does not read its replies is simply not read from.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Slot {
        var reply: ByteBuffer?
        var closeAfter: Bool
        /// Requests whose replies `reply` holds: one, or a gathered run (`gathered`).
        var requests = 1
    }

    private struct Job {
        var seq: Int
        var request: Request
        var wrongArgumentsMessage: String
        var work: @Sendable (Request, ServerContext) async throws -> ReplyValue
    }

    private let server: ServerContext
    private let parser: RequestParser
    private let id: UInt64
    private var logger: Logger

    // Input
    private var buffer: ByteBuffer?
    private var inputClosed = false
    private var stopParsing = false
    private var readHeld = false
    /// When the request now being received was first seen incomplete. A request must be
    /// finished within the idle timeout, so a client trickling a byte at a time (never idle)
    /// cannot hold its connection forever.
    private var partialSince: NIODeadline?

    /// Set when the handler joins the pipeline and the remote address is known.
    private var session: Session

    // Replies in request order; `slots[0]` has sequence number `firstSeq`.
    private var slots = CircularBuffer<Slot>(initialCapacity: 16)
    /// Replies that were ready when their request was read and come after every slot, encoded
    /// straight into one buffer: a pipelined run of connection commands costs one buffer and
    /// one write, not one of each per reply. Sealed into a slot when a slot must follow it.
    private var gathered = GatheredReplies()
    /// Requests whose replies are not yet handed to the channel (in `slots` or `gathered`).
    private var unwritten = 0
    private var firstSeq = 0
    private var jobs = CircularBuffer<Job>()
    private var runningTask: Task<Void, Never>?
    private var draining = false
    private var closed = false
    private var pumping = false
    /// Bytes of replies that are ready but not yet written to the socket (in `slots` or in
    /// the channel's outbound buffer); also counted in `server.queuedReplyBytes`.
    private var queuedBytes = 0
    /// Bytes in `queuedBytes` not yet added to `server.queuedReplyBytes`: added once per round
    /// of parsing (`shareQueued`), not per reply, since every event loop updates that total.
    private var unsharedBytes = 0
    /// The command last looked up (`lookUp`), and the verb it was sent as.
    private var lastVerb = ""
    private var lastCommand: Command?
    /// Requests served and not yet added to the shared counters: a run of one command,
    /// added when another command comes or before replies are written (`reportServed`).
    private var unreportedCommand: Command?
    private var unreportedCount = 0

    init(server: ServerContext, id: UInt64) {
        self.server = server
        self.id = id
        self.parser = RequestParser(
            maxRequestBytes: server.configuration.maxRequestBytes,
            maxArguments: server.configuration.maxArguments)
        let session = Session(connectionID: id, configuration: server.configuration)
        self.session = session
        self.logger = session.logger(from: server.logger)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        let remoteAddress = context.channel.remoteAddress.map { "\($0)" }
        session = Session(
            connectionID: id, remoteAddress: remoteAddress, remoteHost: context.channel.remoteAddress?.ipAddress,
            configuration: server.configuration)
        logger = session.logger(from: server.logger)
    }

    func channelActive(context: ChannelHandlerContext) {
        logger.debug("connection accepted")
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        reportServed()
        closed = true
        runningTask?.cancel()
        runningTask = nil
        jobs.removeAll()
        dropSlots()
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
            if unwritten == 0, runningTask == nil, !closed {
                logger.debug("closing idle connection")
                closed = true
                context.close(promise: nil)
            }
        case is ChannelShouldQuiesceEvent:
            // Graceful shutdown: stop reading, finish the replies in flight, then close.
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
        !stopParsing && !closed && !inputClosed && unwritten < server.configuration.maxPendingReplies
            && context.channel.isWritable && hasReplyRoom
    }

    /// Whether queued reply bytes leave room for more work. A connection with nothing queued
    /// always has room, so one large reply still goes out and no connection waits on others:
    /// one held by the total has bytes of its own queued, and their write wakes it.
    private var hasReplyRoom: Bool {
        let configuration = server.configuration
        return queuedBytes == 0
            || (queuedBytes < configuration.maxQueuedReplyBytes
                && server.queuedReplyBytes.current < configuration.maxTotalQueuedReplyBytes)
    }

    private func enqueued(_ bytes: Int) {
        queuedBytes += bytes
        unsharedBytes += bytes
    }

    private func shareQueued() {
        guard unsharedBytes > 0 else { return }
        server.queuedReplyBytes.add(unsharedBytes)
        unsharedBytes = 0
    }

    /// `bytes` were written; they were shared, as everything is before it is written.
    private func sent(_ bytes: Int) {
        queuedBytes -= bytes
        server.queuedReplyBytes.remove(bytes)
    }

    /// Forgets every pending reply; those ready but never written stop counting as queued.
    private func dropSlots() {
        shareQueued()
        for slot in slots { if let reply = slot.reply { sent(reply.readableBytes) } }
        slots.removeAll()
        if let (replies, _) = gathered.take() { sent(replies.readableBytes) }
        unwritten = 0
    }

    /// Moves the gathered replies into a slot, so a slot can follow them.
    private func sealGathering() {
        guard let (replies, requests) = gathered.take() else { return }
        slots.append(Slot(reply: replies, closeAfter: false, requests: requests))
    }

    /// Parse what can be parsed, write what is ready, repeat until nothing moves; then resume
    /// reading if it was held, or close if the connection is finished.
    private func pump(context: ChannelHandlerContext) {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while !closed {
            let parsed = parseRequests(context: context)
            reportServed()  // counted before their replies leave
            shareQueued()
            let wrote = writeReadyReplies(context: context)
            if !parsed && !wrote { break }
        }
        guard !closed else { return }
        startNextJob(context: context)  // one held for room
        if unwritten == 0 && (draining || inputClosed) {
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
        // Parsed from a local copy taken out of `buffer` (nothing run while parsing reads it):
        // the stored optional would otherwise be copied, a retain and a release, per request.
        guard var input = buffer else { return false }
        buffer = nil
        var keepInput = true
        defer {
            if keepInput { buffer = input }
            compactBuffer()
        }
        var progress = false
        // Writability changes only when something is written, and nothing is while parsing.
        let writable = context.channel.isWritable
        while !stopParsing, !closed, unwritten < server.configuration.maxPendingReplies,
            writable, hasReplyRoom, input.readableBytes > 0
        {
            let outcome = parser.parse(input, atEOF: inputClosed)
            if case .needMore = outcome {} else { partialSince = nil }
            switch outcome {
            case .needMore:
                if partialSince == nil { partialSince = .now() }
                return progress
            case .empty(let consumed):
                input.moveReaderIndex(forwardBy: consumed)
            case .request(let framing, let verb, let arguments, let consumed):
                input.moveReaderIndex(forwardBy: consumed)
                dispatch(framing: framing, verb: verb, arguments: arguments, context: context)
            case .error(let framing, let message, let fatal, let consumed):
                server.stats.error("protocol")
                if fatal {
                    logger.warning("protocol error, closing connection", metadata: ["error": "\(message)"])
                    keepInput = false
                    stopParsing = true
                } else {
                    input.moveReaderIndex(forwardBy: consumed)
                }
                appendReply(.error(message), framing: framing, closeAfter: fatal, context: context)
            }
            progress = true
        }
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

    /// Writes replies from the head of the queue while they are ready, then flushes once.
    /// Small replies are gathered into one buffer (up to `gatherLimit`), so a pipelined
    /// batch leaves in one write instead of one per reply. The batch's bytes stop counting
    /// as queued when its last write completes (writes complete in order), which also
    /// resumes work held for room.
    private func writeReadyReplies(context: ChannelHandlerContext) -> Bool {
        shareQueued()
        var batch = 0
        var pending: ByteBuffer?
        func add(_ reply: inout ByteBuffer) {
            batch += reply.readableBytes
            if var gathered = pending, gathered.readableBytes + reply.readableBytes <= Self.gatherLimit {
                gathered.writeBuffer(&reply)
                pending = gathered
            } else {
                if let previous = pending { context.write(wrapOutboundOut(previous), promise: nil) }
                pending = reply
            }
        }
        while let head = slots.first, var reply = head.reply {
            slots.removeFirst()
            firstSeq += 1
            unwritten -= head.requests
            if head.closeAfter {
                if let pending { writeBatch(pending, bytes: batch, context: context) }
                stopParsing = true
                closed = true
                jobs.removeAll()
                dropSlots()
                buffer = nil
                context.writeAndFlush(wrapOutboundOut(reply)).assumeIsolated().whenComplete { _ in
                    self.sent(reply.readableBytes)
                    context.close(promise: nil)
                }
                return true
            }
            add(&reply)
        }
        if slots.isEmpty, var (replies, requests) = gathered.take() {
            unwritten -= requests
            add(&replies)
        }
        guard let pending else { return false }
        writeBatch(pending, bytes: batch, context: context)
        return true
    }

    /// Replies gathered into one write at most; larger ones are written as they are, not copied.
    private static let gatherLimit = 64 * 1024

    private func writeBatch(_ last: ByteBuffer, bytes: Int, context: ChannelHandlerContext) {
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(last), promise: done)
        done.futureResult.assumeIsolated().whenComplete { _ in
            self.sent(bytes)
            if !self.closed { self.pump(context: context) }
        }
    }

    /// A reply in a buffer of its own; a cached answer's RESP bytes are shared, not copied.
    private func encode(_ value: ReplyValue, framing: Framing, format: ReplyFormat, context: ChannelHandlerContext)
        -> ByteBuffer
    {
        if case .encoded(let encoded) = value, format.isRESP { return encoded.resp(format == .resp3 ? .v3 : .v2) }
        var out = context.channel.allocator.buffer(capacity: 64)
        Self.encode(value, framing: framing, format: format, into: &out)
        return out
    }

    private static func encode(_ value: ReplyValue, framing: Framing, format: ReplyFormat, into out: inout ByteBuffer) {
        switch (format, framing) {
        case (.resp, _):
            value.writeRESP(to: &out, .v2)
        case (.resp3, _):
            value.writeRESP(to: &out, .v3)
        case (.json, .inline):
            out.writeString(value.jsonReplyLine())
            out.writeStaticString("\r\n")
        case (.json, .resp):
            // A RESP client that asked for JSON gets each JSON reply as a bulk string.
            ReplyValue.string(value.jsonReplyLine()).writeRESP(to: &out, .v2)
        }
    }

    /// Appends a reply that is ready now, in the form the session asks for at this point (so
    /// `OUTPUT`'s own reply already takes the new form). It joins the gathered replies unless
    /// it closes the connection or is a cached answer (written as it is, without a copy).
    private func appendReply(
        _ value: ReplyValue, framing: Framing, closeAfter: Bool = false, context: ChannelHandlerContext
    ) {
        if closeAfter { stopParsing = true }
        // From the plain `replies` value: `session.replyFormat(for:)` here would copy the session.
        let format = session.replies.format(for: framing)
        unwritten += 1
        var isCached = false
        if case .encoded = value { isCached = true }
        if !isCached && !closeAfter {
            // Encoded in place: the buffer is neither copied nor retained per reply.
            let added = gathered.append(allocator: context.channel.allocator) {
                Self.encode(value, framing: framing, format: format, into: &$0)
            }
            enqueued(added)
            if gathered.byteCount >= Self.gatherLimit { sealGathering() }
            return
        }
        sealGathering()
        let bytes = encode(value, framing: framing, format: format, context: context)
        enqueued(bytes.readableBytes)
        slots.append(Slot(reply: bytes, closeAfter: closeAfter))
    }

    private func fail(_ kind: String, _ message: String, framing: Framing, context: ChannelHandlerContext) {
        server.stats.error(kind)
        appendReply(.error(message), framing: framing, context: context)
    }

    /// Decides what to do with one request, in request order.
    private func dispatch(framing: Framing, verb: String, arguments: [String], context: ChannelHandlerContext) {
        guard let command = lookUp(verb) else {
            // Before AUTH nothing about the command table is told, not even what is unknown.
            if !session.isAuthenticated {
                fail("noauth", "NOAUTH Authentication required.", framing: framing, context: context)
                return
            }
            fail("unknown_command", "ERR unknown command '\(Self.clip(verb))'", framing: framing, context: context)
            return
        }
        // Access: authentication first, then admin.
        if command.access > .public && !session.isAuthenticated {
            fail("noauth", "NOAUTH Authentication required.", framing: framing, context: context)
            return
        }
        if command.access == .admin && server.configuration.adminToken != nil && !session.isAdmin {
            fail(
                "noperm", "NOPERM this command needs admin access: AUTH <admin-token> first",
                framing: framing, context: context)
            return
        }
        switch command.work {
        case .session(let run):
            guard command.accepts(arguments) else {
                fail("wrong_arguments", command.wrongArgumentsMessage, framing: framing, context: context)
                return
            }
            countServed(command)
            // A connection command is handed the session itself, not a snapshot.
            let call = SessionCall(
                command: command.name, arguments: arguments, replyFormat: session.replies.format(for: framing))
            let reply = run(&session, call, server)
            if let kind = reply.errorKind { server.stats.error(kind) }
            appendReply(reply.value, framing: framing, closeAfter: reply.closesConnection, context: context)
        case .answer(let whole):
            // An application command's answer can be taken in parts (`ReplyPage`).
            let page: ReplyPage?
            let rest: [String]
            do {
                (page, rest) = try ReplyPage.take(from: arguments)
            } catch {
                fail("wrong_arguments", error.description, framing: framing, context: context)
                return
            }
            guard command.accepts(rest) else {
                fail("wrong_arguments", command.wrongArgumentsMessage, framing: framing, context: context)
                return
            }
            countServed(command)
            let request = Request(
                command: command.name, arguments: rest, framing: framing,
                replyFormat: session.replies.format(for: framing), session: session, logger: logger)
            let work = page.map { page in
                { @Sendable (request: Request, server: ServerContext) async throws -> ReplyValue in
                    try page.apply(to: try await whole(request, server), command: request.command)
                }
            } ?? whole
            reportServed()  // so INFO counts what came before it, itself included
            sealGathering()
            let seq = firstSeq + slots.count
            slots.append(Slot(reply: nil, closeAfter: false))
            unwritten += 1
            jobs.append(Job(seq: seq, request: request, wrongArgumentsMessage: command.wrongArgumentsMessage, work: work))
            startNextJob(context: context)
        }
    }

    /// The command for `verb`; the last one found is kept with the verb as sent, so a
    /// pipelined run of one command neither hashes its name nor copies a pair each time.
    private func lookUp(_ verb: String) -> Command? {
        if let command = lastCommand, verb == lastVerb { return command }
        guard let command = server.registry.command(named: verb) else { return nil }
        lastVerb = verb
        lastCommand = command
        return command
    }

    /// Counted by identity: a run of one command compares one pointer per request.
    private func countServed(_ command: Command) {
        if command !== unreportedCommand {
            reportServed()
            unreportedCommand = command
        }
        unreportedCount += 1
    }

    /// Adds the run of served requests to the server's counters: one lock per run, not per request.
    private func reportServed() {
        guard let command = unreportedCommand, unreportedCount > 0 else { return }
        server.stats.commandServed(command.name, count: unreportedCount)
        unreportedCount = 0
    }

    /// Runs queued commands one at a time, off the event loop, while replies leave room.
    private func startNextJob(context: ChannelHandlerContext) {
        guard runningTask == nil, !closed, hasReplyRoom, let job = jobs.popFirst() else { return }
        let promise = context.eventLoop.makePromise(of: ReplyValue.self)
        let work = job.work
        let request = job.request
        let server = self.server
        runningTask = promise.completeWithTask { try await work(request, server) }
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
                let reply = self.encode(value, framing: request.framing, format: request.replyFormat, context: context)
                self.enqueued(reply.readableBytes)
                self.slots[self.slots.index(self.slots.startIndex, offsetBy: index)].reply = reply
            }
            self.startNextJob(context: context)
            self.pump(context: context)
        }
    }

    private static func clip(_ s: String) -> String {
        s.count > 64 ? String(s.prefix(64)) + "…" : s
    }
}
