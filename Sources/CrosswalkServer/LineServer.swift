package import Logging
package import NIOCore
import NIOPosix
import ServiceLifecycle

/// The Crosswalk line-protocol server: inline requests answered with JSON lines, RESP
/// requests answered with RESP2 (RESP3 after `HELLO 3`), over one TCP port.
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
package final class LineServer: Service, Sendable {
    package let configuration: ServerConfiguration
    /// Counters shown by INFO.
    package let stats: ServerStats
    private let context: ServerContext
    private let listener: Listener

    /// - Parameters:
    ///   - configuration: address, limits and secrets.
    ///   - commands: the command table (built-ins plus the application's commands).
    ///   - info: extra INFO sections, called on every INFO request.
    ///   - logger: connection accepted/closed at debug, errors at warning. Secrets are never logged.
    ///   - eventLoopGroup: defaults to the process-wide NIO singleton.
    package init(
        configuration: ServerConfiguration = ServerConfiguration(),
        commands: CommandRegistry = CommandRegistry(),
        info: InfoProvider? = nil,
        logger: Logger = Logger(label: "crosswalk.server"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        let stats = ServerStats()
        let context = ServerContext(
            configuration: configuration, registry: commands, stats: stats, logger: logger, infoProvider: info)
        self.configuration = configuration
        self.stats = stats
        self.context = context
        self.listener = Listener(
            settings: .init(
                host: configuration.host, port: configuration.port, backlog: 256,
                shutdownGracePeriod: configuration.shutdownGracePeriod,
                listeningMetadata: ["auth": .stringConvertible(configuration.password != nil)]),
            group: eventLoopGroup, logger: logger
        ) { channel in
            Self.initialize(channel, context: context)
        }
    }

    /// The bound port once started.
    package var port: Int? { listener.port }

    /// Binds and starts accepting connections; returns the bound port (useful with port 0).
    @discardableResult
    package func start() async throws -> Int {
        let port = try await listener.start()
        context.boundPort = port
        return port
    }

    /// Graceful shutdown: stop accepting, let each connection finish the replies in flight
    /// (up to `shutdownGracePeriod`), close the connections, then return. Idempotent.
    package func shutdown() async {
        await listener.shutdown()
    }

    /// Service entry point: binds, serves until graceful shutdown (or cancellation), then
    /// stops as `shutdown()` does and returns.
    package func run() async throws {
        try await listener.run()
    }

    /// An admitted connection: refused with one error line beyond `maxConnections`, else
    /// served by a `ConnectionHandler` behind the idle timer.
    private static func initialize(_ channel: Channel, context: ServerContext) -> EventLoopFuture<Void> {
        let configuration = context.configuration
        let stats = context.stats
        guard stats.admitConnection(limit: configuration.maxConnections) else {
            context.logger.warning("connection refused: too many connections")
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    RejectConnectionHandler(message: "-ERR max number of clients reached\r\n"))
            }
        }
        channel.closeFuture.whenComplete { _ in stats.connectionClosed() }
        return channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            if let idleTimeout = configuration.idleTimeout {
                try sync.addHandler(IdleStateHandler(allTimeout: TimeAmount(idleTimeout)))
            }
            try sync.addHandler(ConnectionHandler(server: context, id: context.nextConnectionID()))
        }
    }
}

/// Answers a refused connection with one error line and closes it.
final class RejectConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let message: String
    private var done = false

    init(message: String) {
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
        let buffer = context.channel.allocator.buffer(string: message)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
