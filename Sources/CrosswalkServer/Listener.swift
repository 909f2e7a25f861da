import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// One TCP listener's lifecycle, shared by `LineServer` and `MetricsEndpoint`: bind, admit
/// connections while running, and on shutdown stop accepting, ask each open connection to
/// finish (`ChannelShouldQuiesceEvent`), close what is left after the grace period, then
/// report stopped. What a connection does is the owner's `initializeConnection`.
final class Listener: Sendable {
    struct Settings: Sendable {
        var host: String
        /// 0 picks a free port (see `start()`).
        var port: Int
        var backlog: Int32
        var shutdownGracePeriod: Duration
        /// Names the listener in its log messages (`metrics endpoint stopped`); nil for plain ones.
        var name: String?
        /// Added to the `listening` log line.
        var listeningMetadata: Logger.Metadata = [:]
    }

    /// Sets up an admitted connection's pipeline.
    typealias ConnectionInitializer = @Sendable (Channel) -> EventLoopFuture<Void>

    private enum Phase {
        case idle
        case starting
        case running(Channel)
        case stopping
        case stopped
    }

    /// Phase and open connections share one lock, so a connection is either refused or seen by the drain.
    private struct State {
        var phase = Phase.idle
        var connections: [ObjectIdentifier: Channel] = [:]
        var boundPort: Int?
    }

    let settings: Settings
    private let group: any EventLoopGroup
    private let logger: Logger
    private let initializeConnection: ConnectionInitializer
    private let state = NIOLockedValueBox(State())
    private let stopped: EventLoopPromise<Void>

    init(
        settings: Settings, group: any EventLoopGroup, logger: Logger,
        initializeConnection: @escaping ConnectionInitializer
    ) {
        self.settings = settings
        self.group = group
        self.logger = logger
        self.initializeConnection = initializeConnection
        self.stopped = group.any().makePromise(of: Void.self)
    }

    deinit {
        // Never started (or failed to bind): nobody else completes it. A no-op if already done.
        stopped.succeed(())
    }

    /// The bound port once started.
    var port: Int? { state.withLockedValue { $0.boundPort } }

    /// Binds and starts accepting; returns the bound port.
    func start() async throws -> Int {
        let proceed: Bool = state.withLockedValue { state in
            guard case .idle = state.phase else { return false }
            state.phase = .starting
            return true
        }
        guard proceed else { throw ServerError.alreadyStarted }

        let state = self.state
        let initializeConnection = self.initializeConnection
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: settings.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // So a client that half-closes after its request (nc, shell scripts) still gets the answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                let key = ObjectIdentifier(channel)
                let admitted: Bool = state.withLockedValue { state in
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
                    state.withLockedValue { _ = $0.connections.removeValue(forKey: key) }
                }
                return initializeConnection(channel)
            }

        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: settings.host, port: settings.port).get()
        } catch {
            state.withLockedValue { $0.phase = .idle }
            throw error
        }
        let port = channel.localAddress?.port ?? settings.port
        let abandon: Bool = state.withLockedValue { state in
            guard case .starting = state.phase else { return true }  // shutdown() came while binding
            state.phase = .running(channel)
            state.boundPort = port
            return false
        }
        if abandon {
            try? await channel.close()
            throw ServerError.shutDown
        }
        logger.info(
            message("listening"),
            metadata: ["host": "\(settings.host)", "port": .stringConvertible(port)].merging(settings.listeningMetadata) { $1 })
        return port
    }

    /// Graceful shutdown: stop accepting, let connections finish (up to the grace period),
    /// close the rest and release the port, then return. Idempotent.
    func shutdown() async {
        beginShutdown(grace: settings.shutdownGracePeriod)
        try? await stopped.futureResult.get()
    }

    /// Service entry point: binds, serves until graceful shutdown (or cancellation, which
    /// allows no grace), then stops as `shutdown()` does.
    func run() async throws {
        _ = try await start()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await self.stopped.futureResult.get()
            } onCancel: {
                self.beginShutdown(grace: .zero)
            }
        } onGracefulShutdown: {
            self.beginShutdown(grace: self.settings.shutdownGracePeriod)
        }
    }

    private func beginShutdown(grace: Duration) {
        enum Action {
            case nothing
            case completeNow
            case drain(listener: Channel, connections: [Channel])
        }
        let action: Action = state.withLockedValue { state in
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
        logger.info(message("shutting down"))
        try? await listener.close()
        let timeout = TimeAmount(grace)
        await withTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask {
                    // Each handler decides what finishing means: replies in flight, a response.
                    connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
                    let deadline = connection.eventLoop.scheduleTask(in: timeout) { connection.close(promise: nil) }
                    try? await connection.closeFuture.get()
                    deadline.cancel()
                }
            }
        }
        state.withLockedValue { $0.phase = .stopped }
        logger.info(message("stopped"))
        stopped.succeed(())
    }

    private func message(_ text: String) -> Logger.Message {
        "\(settings.name.map { "\($0) " } ?? "")\(text)"
    }
}

/// Errors from starting a `LineServer` or a `MetricsEndpoint`.
package enum ServerError: Error, Sendable {
    case alreadyStarted
    case shutDown
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
