import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

package struct TestTimeout: Error, CustomStringConvertible {
    package var what: String
    package var description: String { "timed out waiting for \(what)" }
    package init(what: String) { self.what = what }
}

/// A plain TCP client over a real socket. Received bytes accumulate in a locked buffer; the
/// read helpers poll it until what they wait for is there (the deadline only avoids hanging).
package final class TestClient: Sendable {
    private struct Received {
        var bytes: [UInt8] = []
        var closed = false
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let box: NIOLockedValueBox<Received>
        init(box: NIOLockedValueBox<Received>) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            box.withLockedValue { $0.bytes += bytes }
        }

        func channelInactive(context: ChannelHandlerContext) {
            box.withLockedValue { $0.closed = true }
            context.fireChannelInactive()
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case ChannelEvent.inputClosed = event {
                box.withLockedValue { $0.closed = true }
            }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }

    package let channel: Channel
    private let box: NIOLockedValueBox<Received>
    package let timeout: Duration

    private init(channel: Channel, box: NIOLockedValueBox<Received>, timeout: Duration) {
        self.channel = channel
        self.box = box
        self.timeout = timeout
    }

    /// - Parameter localHost: the address to connect from (another loopback address, such as
    ///   127.0.0.2, plays a second client machine); the system's choice when nil.
    package static func connect(port: Int, timeout: Duration = .seconds(15), from localHost: String? = nil) async throws -> TestClient {
        let box = NIOLockedValueBox(Received())
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let localHost { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localHost, port: 0)) }
        let channel = try await bootstrap
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(box: box))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return TestClient(channel: channel, box: box, timeout: timeout)
    }

    package func send(_ text: String) async throws {
        try await send(bytes: Array(text.utf8))
    }

    package func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
    }

    /// Half-closes: no more requests from this side.
    package func shutdownOutput() async throws {
        try await channel.close(mode: .output)
    }

    package func close() async {
        try? await channel.close()
    }

    /// Waits until `take` can cut something from the front of the received bytes.
    private func wait<T: Sendable>(_ what: String, _ take: @Sendable @escaping (inout Received) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = box.withLockedValue({ take(&$0) }) { return value }
            if ContinuousClock.now > deadline { throw TestTimeout(what: what) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The next line (without its CRLF / LF).
    package func readLine() async throws -> String {
        try await wait("a line") { r in
            guard let nl = r.bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            var line = Array(r.bytes[..<nl])
            r.bytes.removeSubrange(...nl)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            return String(decoding: line, as: UTF8.self)
        }
    }

    /// Exactly `count` bytes.
    package func read(count: Int) async throws -> [UInt8] {
        try await wait("\(count) bytes") { r in
            guard r.bytes.count >= count else { return nil }
            let out = Array(r.bytes[..<count])
            r.bytes.removeSubrange(..<count)
            return out
        }
    }

    /// Reads as many bytes as `expected` has and returns them as a string (for byte-exact RESP checks).
    package func read(matching expected: String) async throws -> String {
        String(decoding: try await read(count: expected.utf8.count), as: UTF8.self)
    }

    /// Waits until the server closes the connection; returns what arrived before that.
    @discardableResult
    package func readUntilClosed() async throws -> String {
        try await wait("the connection to close") { r in
            guard r.closed else { return nil }
            let out = String(decoding: r.bytes, as: UTF8.self)
            r.bytes.removeAll()
            return out
        }
    }

    /// Whether the server has closed the connection (now).
    package var isClosed: Bool { box.withLockedValue { $0.closed } }

    /// Bytes received but not yet read.
    package var pending: [UInt8] { box.withLockedValue { $0.bytes } }
}

/// Encodes a request as RESP.
package func resp(_ args: String...) -> String {
    var out = "*\(args.count)\r\n"
    for a in args { out += "$\(a.utf8.count)\r\n\(a)\r\n" }
    return out
}

