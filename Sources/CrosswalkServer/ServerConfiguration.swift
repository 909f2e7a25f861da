/// Settings for a `LineServer`.
package struct ServerConfiguration: Sendable {
    /// The address to bind. Loopback unless told otherwise.
    package var host: String
    /// The port to bind; 0 picks a free port (see `LineServer.start()`).
    package var port: Int
    /// When set, connections must `AUTH <password>` before anything but PING, AUTH, QUIT,
    /// HELP and HELLO is served.
    package var password: String?
    /// When set, commands with `.admin` access need `AUTH <adminToken>` on the connection.
    /// The admin token also satisfies `password`. When unset, `.admin` commands are treated
    /// like `.authenticated` ones.
    package var adminToken: String?
    /// The longest inline request line, and the most bytes in one RESP request's arguments.
    package var maxRequestBytes: Int
    /// The most arguments (verb included) in one request.
    package var maxArguments: Int
    /// Connections beyond this get `-ERR max number of clients reached` and are closed.
    package var maxConnections: Int
    /// A connection with no traffic and nothing in flight for this long is closed; `nil` never.
    package var idleTimeout: Duration?
    /// Stop reading from a connection while this many replies are pending.
    package var maxPendingReplies: Int
    /// Stop taking work on a connection while this many bytes of its replies wait to be
    /// sent (one reply is always allowed, however large, so a big answer still goes out).
    package var maxQueuedReplyBytes: Int
    /// The same bound over all connections together.
    package var maxTotalQueuedReplyBytes: Int
    /// After this many failed `AUTH` attempts a connection is closed.
    package var maxAuthFailures: Int
    /// Failed `AUTH` attempts per client address and in total (see `AuthThrottle`).
    package var authThrottle: AuthThrottle.Settings
    /// How long a graceful shutdown waits for in-flight replies before closing connections.
    package var shutdownGracePeriod: Duration
    /// Shown by INFO and HELLO.
    package var serverName: String
    package var serverVersion: String

    package init(
        host: String = "127.0.0.1",
        port: Int = 7017,
        password: String? = nil,
        adminToken: String? = nil,
        maxRequestBytes: Int = 64 * 1024,
        maxArguments: Int = 1024,
        maxConnections: Int = 1024,
        idleTimeout: Duration? = .seconds(300),
        maxPendingReplies: Int = 1024,
        maxQueuedReplyBytes: Int = 4 << 20,
        maxTotalQueuedReplyBytes: Int = 128 << 20,
        maxAuthFailures: Int = 10,
        authThrottle: AuthThrottle.Settings = AuthThrottle.Settings(),
        shutdownGracePeriod: Duration = .seconds(10),
        serverName: String = "crosswalk",
        serverVersion: String = "0.1.0"
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.adminToken = adminToken
        self.maxRequestBytes = maxRequestBytes
        self.maxArguments = maxArguments
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.maxPendingReplies = maxPendingReplies
        self.maxQueuedReplyBytes = maxQueuedReplyBytes
        self.maxTotalQueuedReplyBytes = maxTotalQueuedReplyBytes
        self.maxAuthFailures = maxAuthFailures
        self.authThrottle = authThrottle
        self.shutdownGracePeriod = shutdownGracePeriod
        self.serverName = serverName
        self.serverVersion = serverVersion
    }

    /// Whether connections start unauthenticated.
    var requiresAuth: Bool { password != nil }
}

/// Compares two secrets in time that depends only on their lengths: every byte of the longer
/// one is visited, and a length mismatch does not return early.
@inline(never)
package func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    let n = max(x.count, y.count)
    var diff = UInt8(truncatingIfNeeded: x.count ^ y.count) | UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<n {
        let p = x.isEmpty ? 0 : x[i % x.count]
        let q = y.isEmpty ? 0 : y[i % y.count]
        diff |= p ^ q
    }
    return diff == 0
}
