import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A small HTTP/1.1 server for Prometheus: `GET /metrics` answers with the provider's text.
///
/// Any other path is 404, any other method 405, and a request NIO cannot parse gets 400 and
/// the connection closed. Connections are kept alive between scrapes; one that does not
/// finish its next request within `idleTimeout` is closed. Run it under a `ServiceGroup`,
/// or call `start()` and `shutdown()`:
///
/// ```swift
/// let endpoint = MetricsEndpoint(port: 9464) {
///     var text = PrometheusText()
///     try? text.addServerMetrics(server.stats)
///     return text.render()
/// }
/// let port = try await endpoint.start()
/// ```
public final class MetricsEndpoint: Service, Sendable {
    /// The content type of the text exposition format the page is written in.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private enum Phase {
        case idle
        case starting
        case running(Channel)
        case stopping
        case stopped
    }

    /// Phase and open connections share one lock so a connection is either refused or seen by the drain.
    private struct Lifecycle {
        var phase = Phase.idle
        var connections: [ObjectIdentifier: Channel] = [:]
        var boundPort: Int?
    }

    /// The address to bind.
    public let host: String
    private let requestedPort: Int
    private let idleTimeout: Duration
    private let shutdownGracePeriod: Duration
    private let provider: @Sendable () async -> String
    private let logger: Logger
    private let group: any EventLoopGroup
    private let lifecycle = NIOLockedValueBox(Lifecycle())
    private let stopped: EventLoopPromise<Void>

    /// - Parameters:
    ///   - host: the address to bind; loopback unless told otherwise.
    ///   - port: the port to bind; 0 picks a free one (see `start()`).
    ///   - idleTimeout: how long a connection may take to send a whole request, counted from
    ///     the accept or the previous response (so a trickled request is cut off too).
    ///   - shutdownGracePeriod: how long a graceful shutdown lets scrapes in flight finish.
    ///   - logger: listening and stopping at info.
    ///   - eventLoopGroup: defaults to the process-wide NIO singleton.
    ///   - provider: the exposition text, called once per `GET /metrics`.
    public init(
        host: String = "127.0.0.1",
        port: Int,
        idleTimeout: Duration = .seconds(30),
        shutdownGracePeriod: Duration = .seconds(5),
        logger: Logger = Logger(label: "crosswalk.metrics"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        provider: @escaping @Sendable () async -> String
    ) {
        self.host = host
        self.requestedPort = port
        self.idleTimeout = idleTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
        self.provider = provider
        self.logger = logger
        self.group = eventLoopGroup
        self.stopped = eventLoopGroup.any().makePromise(of: Void.self)
    }

    deinit {
        // Never started (or failed to bind): nobody else completes it. A no-op if already done.
        stopped.succeed(())
    }

    /// The bound port once started.
    public var port: Int? { lifecycle.withLockedValue { $0.boundPort } }

    /// Binds and starts serving; returns the bound port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        let proceed: Bool = lifecycle.withLockedValue { state in
            guard case .idle = state.phase else { return false }
            state.phase = .starting
            return true
        }
        guard proceed else { throw ServerError.alreadyStarted }

        let lifecycle = self.lifecycle
        let provider = self.provider
        let idleTimeout = TimeAmount(self.idleTimeout)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // So a client that half-closes after its request (nc, shell scripts) still gets the answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                let key = ObjectIdentifier(channel)
                let admitted: Bool = lifecycle.withLockedValue { state in
                    switch state.phase {
                    case .starting, .running:
                        state.connections[key] = channel
                        return true
                    case .idle, .stopping, .stopped:
                        return false
                    }
                }
                // A failed initializer makes NIO close the accepted socket.
                guard admitted else { return channel.eventLoop.makeFailedFuture(ServerError.shutDown) }
                channel.closeFuture.whenComplete { _ in
                    lifecycle.withLockedValue { _ = $0.connections.removeValue(forKey: key) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // NIO's decoder limits header size (80 KiB); its error handler answers 400 and closes.
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try sync.addHandler(MetricsHTTPHandler(provider: provider, idleTimeout: idleTimeout))
                }
            }

        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: host, port: requestedPort).get()
        } catch {
            lifecycle.withLockedValue { $0.phase = .idle }
            throw error
        }
        let port = channel.localAddress?.port ?? requestedPort
        let abandon: Bool = lifecycle.withLockedValue { state in
            guard case .starting = state.phase else { return true }  // shutdown() came while binding
            state.phase = .running(channel)
            state.boundPort = port
            return false
        }
        if abandon {
            try? await channel.close()
            throw ServerError.shutDown
        }
        logger.info("metrics endpoint listening", metadata: ["host": "\(host)", "port": "\(port)"])
        return port
    }

    /// Graceful shutdown: stop accepting, let scrapes in flight finish (up to the grace period),
    /// close every connection and release the port, then return. Idempotent.
    public func shutdown() async {
        beginShutdown(grace: shutdownGracePeriod)
        try? await stopped.futureResult.get()
    }

    /// Service entry point: binds, serves until graceful shutdown (or cancellation), then stops as `shutdown()` does.
    public func run() async throws {
        try await start()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await self.stopped.futureResult.get()
            } onCancel: {
                self.beginShutdown(grace: .zero)
            }
        } onGracefulShutdown: {
            self.beginShutdown(grace: self.shutdownGracePeriod)
        }
    }

    private func beginShutdown(grace: Duration) {
        enum Action {
            case nothing
            case completeNow
            case drain(listener: Channel, connections: [Channel])
        }
        let action: Action = lifecycle.withLockedValue { state in
            switch state.phase {
            case .idle, .starting:
                state.phase = .stopped
                return .completeNow
            case .running(let listener):
                state.phase = .stopping
                return .drain(listener: listener, connections: Array(state.connections.values))
            case .stopping, .stopped:
                return .nothing
            }
        }
        switch action {
        case .nothing:
            return
        case .completeNow:
            stopped.succeed(())
        case .drain(let listener, let connections):
            Task { await self.drain(listener: listener, connections: connections, grace: grace) }
        }
    }

    private func drain(listener: Channel, connections: [Channel], grace: Duration) async {
        try? await listener.close()
        let timeout = TimeAmount(grace)
        await withTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask {
                    // NIO's pipelining handler closes an idle connection now, a busy one after its response.
                    connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
                    let deadline = connection.eventLoop.scheduleTask(in: timeout) { connection.close(promise: nil) }
                    try? await connection.closeFuture.get()
                    deadline.cancel()
                }
            }
        }
        lifecycle.withLockedValue { $0.phase = .stopped }
        logger.info("metrics endpoint stopped")
        stopped.succeed(())
    }
}

/// Answers one connection's requests, in order (NIO's pipelining handler queues the rest).
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Scrapes have no body; anything bigger than this is not a scrape and is cut off.
    static let maxBodyBytes = 64 * 1024

    private let provider: @Sendable () async -> String
    private let idleTimeout: TimeAmount
    private var request: HTTPRequestHead?
    private var bodyBytes = 0
    /// Between a request's end and its response's end; the idle timer is off meanwhile.
    private var responding = false
    /// Set when the client half-closed: answer what was asked, then close.
    private var closeAfterResponse = false
    private var idleTimer: Scheduled<Void>?

    init(provider: @escaping @Sendable () async -> String, idleTimeout: TimeAmount) {
        self.provider = provider
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armIdleTimer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
            bodyBytes = 0
        case .body(let chunk):
            bodyBytes += chunk.readableBytes
            if bodyBytes > Self.maxBodyBytes { context.close(promise: nil) }
        case .end:
            guard let head = request else { return }
            request = nil
            responding = true
            idleTimer?.cancel()
            idleTimer = nil
            respond(to: head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            closeAfterResponse = true
            if !responding { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Parse errors were already answered with 400 by NIO's error handler; nothing to keep open for.
        context.close(promise: nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET else {
            send(
                .methodNotAllowed, body: "method not allowed\n", extraHeaders: [("allow", "GET")], to: head,
                context: context)
            return
        }
        // Prometheus may add query parameters from its scrape config; they select nothing here.
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path == "/metrics" else {
            send(.notFound, body: "not found\n", to: head, context: context)
            return
        }
        let text = context.eventLoop.makePromise(of: String.self)
        text.completeWithTask { [provider] in await provider() }
        text.futureResult.assumeIsolated().whenSuccess { body in
            self.send(.ok, body: body, contentType: MetricsEndpoint.contentType, to: head, context: context)
        }
    }

    private func send(
        _ status: HTTPResponseStatus, body: String, contentType: String = "text/plain; charset=utf-8",
        extraHeaders: [(String, String)] = [], to request: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        guard context.channel.isActive else { return }
        let keepAlive = request.isKeepAlive && !closeAfterResponse
        var headers = HTTPHeaders([("content-type", contentType), ("content-length", "\(body.utf8.count)")])
        headers.add(contentsOf: extraHeaders)
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if request.version == .http1_0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        // A HEAD response announces the length but carries no body.
        if request.method != .HEAD {
            let bytes = context.channel.allocator.buffer(string: body)
            context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        }

        // Re-arm before writing the end: that write can hand us the next pipelined request at once.
        responding = false
        if keepAlive { armIdleTimer(context: context) }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    private func armIdleTimer(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        let channel = context.channel
        idleTimer = context.eventLoop.scheduleTask(in: idleTimeout) { channel.close(promise: nil) }
    }
}
