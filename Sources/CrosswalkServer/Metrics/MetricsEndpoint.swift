package import Logging
package import NIOCore
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
package final class MetricsEndpoint: Service, Sendable {
    /// The content type of the text exposition format the page is written in.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The address to bind.
    package let host: String
    private let listener: Listener

    /// - Parameters:
    ///   - host: the address to bind; loopback unless told otherwise.
    ///   - port: the port to bind; 0 picks a free one (see `start()`).
    ///   - idleTimeout: how long a connection may take to send a whole request, counted from
    ///     the accept or the previous response (so a trickled request is cut off too).
    ///   - shutdownGracePeriod: how long a graceful shutdown lets scrapes in flight finish.
    ///   - logger: listening and stopping at info.
    ///   - eventLoopGroup: defaults to the process-wide NIO singleton.
    ///   - provider: the exposition text, called once per `GET /metrics`.
    package init(
        host: String = "127.0.0.1",
        port: Int,
        idleTimeout: Duration = .seconds(30),
        shutdownGracePeriod: Duration = .seconds(5),
        logger: Logger = Logger(label: "crosswalk.metrics"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        provider: @escaping @Sendable () async -> String
    ) {
        self.host = host
        let idleTimeout = TimeAmount(idleTimeout)
        self.listener = Listener(
            settings: .init(
                host: host, port: port, backlog: 64, shutdownGracePeriod: shutdownGracePeriod, name: "metrics endpoint"),
            group: eventLoopGroup, logger: logger
        ) { channel in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                // NIO's decoder limits header size (80 KiB); its error handler answers 400 and closes.
                // Its pipelining handler also answers the drain: an idle connection closes at once,
                // a busy one after its response.
                try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                try sync.addHandler(MetricsHTTPHandler(provider: provider, idleTimeout: idleTimeout))
            }
        }
    }

    /// The bound port once started.
    package var port: Int? { listener.port }

    /// Binds and starts serving; returns the bound port (useful with port 0).
    @discardableResult
    package func start() async throws -> Int {
        try await listener.start()
    }

    /// Graceful shutdown: stop accepting, let scrapes in flight finish (up to the grace period),
    /// close every connection and release the port, then return. Idempotent.
    package func shutdown() async {
        await listener.shutdown()
    }

    /// Service entry point: binds, serves until graceful shutdown (or cancellation), then stops as `shutdown()` does.
    package func run() async throws {
        try await listener.run()
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
