import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The Crosswalk line-protocol server: inline requests answered with JSON lines, RESP
/// requests answered with RESP2, over one TCP port.
///
/// Run it under a `ServiceGroup` (`run()` returns after a graceful shutdown), or directly:
///
/// ```swift
/// var commands = CommandRegistry()
/// commands.register("ECHO", usage: "ECHO <text>", summary: "Echo the text.", arity: 1...1) { request in
///     .string(request.arguments[0])
/// }
/// let server = LineServer(configuration: .init(port: 0), commands: commands)
/// let port = try await server.start()
/// …
/// await server.shutdown()
/// ```
public final class LineServer: Service, Sendable {
    private enum State {
        case idle
        case starting
        case running(Channel)
        case stopping
        case stopped
    }

    public let configuration: ServerConfiguration
    /// Counters shown by INFO.
    public let stats: ServerStats
    private let context: ServerContext
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State.idle)
    private let connections = NIOLockedValueBox([ObjectIdentifier: Channel]())
    private let stopped: EventLoopPromise<Void>

    /// - Parameters:
    ///   - configuration: address, limits and secrets.
    ///   - commands: the command table (built-ins plus the application's commands).
    ///   - info: extra INFO sections, called on every INFO request.
    ///   - logger: connection accepted/closed at debug, errors at warning. Secrets are never logged.
    ///   - eventLoopGroup: defaults to the process-wide NIO singleton.
    public init(
        configuration: ServerConfiguration = ServerConfiguration(),
        commands: CommandRegistry = CommandRegistry(),
        info: InfoProvider? = nil,
        logger: Logger = Logger(label: "crosswalk.server"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.stats = ServerStats()
        self.logger = logger
        self.group = eventLoopGroup
        self.context = ServerContext(
            configuration: configuration, registry: commands, stats: stats, logger: logger, infoProvider: info)
        self.stopped = eventLoopGroup.any().makePromise(of: Void.self)
    }

    deinit {
        // Never started (or failed to bind): nobody will complete it otherwise. A no-op if done.
        stopped.succeed(())
    }

    /// The bound port once started.
    public var port: Int? { context.boundPort }

    /// Binds and starts accepting connections; returns the bound port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        let proceed: Bool = state.withLockedValue { state in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
        guard proceed else { throw ServerError.alreadyStarted }

        let context = self.context
        let configuration = self.configuration
        let stats = self.stats
        let connections = self.connections
        let logger = self.logger
        let idleTimeout = configuration.idleTimeout.map(TimeAmount.init)

        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [weak self] channel in
                let accepting = self?.isAccepting ?? false
                guard accepting, stats.admitConnection(limit: configuration.maxConnections) else {
                    if accepting {
                        logger.warning("connection refused: too many connections")
                    }
                    let message = accepting ? "-ERR max number of clients reached\r\n" : nil
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RejectConnectionHandler(message: message))
                    }
                }
                let key = ObjectIdentifier(channel)
                connections.withLockedValue { $0[key] = channel }
                channel.closeFuture.whenComplete { _ in
                    connections.withLockedValue { _ = $0.removeValue(forKey: key) }
                    stats.connectionClosed()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let idleTimeout {
                        try sync.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    }
                    try sync.addHandler(ConnectionHandler(server: context, id: context.nextConnectionID()))
                }
            }

        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            state.withLockedValue { $0 = .idle }
            throw error
        }
        let port = channel.localAddress?.port ?? configuration.port
        context.boundPort = port
        let abandon: Bool = state.withLockedValue { state in
            if case .starting = state {
                state = .running(channel)
                return false
            }
            return true  // shutdown() was called while binding
        }
        if abandon {
            try? await channel.close()
            throw ServerError.shutDown
        }
        logger.info(
            "listening", metadata: ["host": "\(configuration.host)", "port": "\(port)", "auth": "\(configuration.password != nil)"])
        return port
    }

    private var isAccepting: Bool {
        state.withLockedValue { state in
            if case .running = state { return true }
            if case .starting = state { return true }
            return false
        }
    }

    /// Graceful shutdown: stop accepting, let each connection finish the replies in flight
    /// (up to `shutdownGracePeriod`), close the connections, then return. Idempotent.
    public func shutdown() async {
        beginShutdown(grace: configuration.shutdownGracePeriod)
        try? await stopped.futureResult.get()
    }

    /// Service entry point: binds, serves until graceful shutdown (or cancellation), then
    /// stops as `shutdown()` does and returns.
    public func run() async throws {
        try await start()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await self.stopped.futureResult.get()
            } onCancel: {
                self.beginShutdown(grace: .zero)
            }
        } onGracefulShutdown: {
            self.beginShutdown(grace: self.configuration.shutdownGracePeriod)
        }
    }

    private func beginShutdown(grace: Duration) {
        enum Action { case none, completeNow, close(Channel) }
        let action: Action = state.withLockedValue { state in
            switch state {
            case .idle, .starting:
                state = .stopped
                return .completeNow
            case .running(let channel):
                state = .stopping
                return .close(channel)
            case .stopping, .stopped:
                return .none
            }
        }
        switch action {
        case .none:
            return
        case .completeNow:
            stopped.succeed(())
        case .close(let channel):
            Task { await self.drain(serverChannel: channel, grace: grace) }
        }
    }

    private func drain(serverChannel: Channel, grace: Duration) async {
        logger.info("shutting down")
        try? await serverChannel.close()
        // Connections accepted just before the close run their initializer after it; the
        // initializer refuses them (state is .stopping), so this snapshot is complete.
        let open = connections.withLockedValue { Array($0.values) }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let timeout = TimeAmount(grace)
        await withTaskGroup(of: Void.self) { group in
            for channel in open {
                group.addTask {
                    let deadline = channel.eventLoop.scheduleTask(in: timeout) {
                        channel.close(promise: nil)
                    }
                    try? await channel.closeFuture.get()
                    deadline.cancel()
                }
            }
        }
        state.withLockedValue { $0 = .stopped }
        logger.info("stopped")
        stopped.succeed(())
    }
}

/// Errors from starting a `LineServer` or a `MetricsEndpoint`.
public enum ServerError: Error, Sendable {
    case alreadyStarted
    case shutDown
}

/// Answers a refused connection with one error line (if any) and closes it.
final class RejectConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let message: String?
    private var done = false

    init(message: String?) {
        self.message = message
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { reject(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        reject(context: context)
    }

    private func reject(context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        guard let message else {
            context.close(promise: nil)
            return
        }
        let buffer = context.channel.allocator.buffer(string: message)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
