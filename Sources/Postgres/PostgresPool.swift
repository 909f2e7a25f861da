import NIOPosix

/// A bounded pool of connections. Callers beyond the bound wait (up to
/// `acquireTimeout`) instead of failing; a connection found broken is closed and
/// replaced, never handed out again.
package final class PostgresPool: Sendable {
    package let conninfo: String
    package let maxConnections: Int
    private let state: PoolState
    private let threadPool: NIOThreadPool

    /// The pool runs libpq's blocking calls on a thread pool of its own, one thread
    /// per connection, so a statement waiting on a lock never starves another.
    package init(conninfo: String, maxConnections: Int = 8, acquireTimeout: Duration = .seconds(30)) {
        self.conninfo = conninfo
        self.maxConnections = max(1, maxConnections)
        let threadPool = NIOThreadPool(numberOfThreads: max(1, maxConnections))
        threadPool.start()
        self.threadPool = threadPool
        self.state = PoolState(
            conninfo: conninfo, maxConnections: max(1, maxConnections),
            acquireTimeout: acquireTimeout, threadPool: threadPool
        )
    }

    /// Lends a connection to `body` and takes it back afterwards, whatever happens.
    @discardableResult
    package func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await state.acquire()
        do {
            let value = try await body(connection)
            await state.release(connection)
            return value
        } catch {
            await state.release(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction on a pooled connection.
    @discardableResult
    package func transaction<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in try await connection.transaction(body) }
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    package func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    /// Open connections, in use or idle (for INFO and tests).
    package func openConnections() async -> Int { await state.openCount }

    /// Closes idle connections and refuses new work; waiting callers get an error.
    package func shutdown() async {
        await state.shutdown()
        try? await threadPool.shutdownGracefully()
    }
}

actor PoolState {
    private let conninfo: String
    private let maxConnections: Int
    private let acquireTimeout: Duration
    private let threadPool: NIOThreadPool
    private var idle: [PostgresConnection] = []
    private(set) var openCount = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<PostgresConnection, Error>)] = []
    private var nextWaiterID = 0
    private var isShutDown = false

    init(conninfo: String, maxConnections: Int, acquireTimeout: Duration, threadPool: NIOThreadPool) {
        self.conninfo = conninfo
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.threadPool = threadPool
    }

    func acquire() async throws -> PostgresConnection {
        guard !isShutDown else { throw PostgresError(kind: .shutdown, message: "connection pool is shut down") }
        while let connection = idle.popLast() {
            if connection.isReusable() { return connection }
            discard(connection)
        }
        if openCount < maxConnections {
            return try await open()
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let timeout = acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(waiter: id)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            waiters.append((id, continuation))
        }
    }

    func release(_ connection: PostgresConnection) {
        guard !isShutDown else { discard(connection); return }
        guard connection.isReusable() else {
            discard(connection)
            replaceForWaiter()
            return
        }
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    func shutdown() {
        isShutDown = true
        idle.forEach { discard($0) }
        idle.removeAll()
        let pending = waiters
        waiters.removeAll()
        for waiter in pending {
            waiter.continuation.resume(throwing: PostgresError(kind: .shutdown, message: "connection pool is shut down"))
        }
    }

    private func open() async throws -> PostgresConnection {
        openCount += 1
        do {
            return try await PostgresConnection.connect(conninfo, threadPool: threadPool)
        } catch {
            openCount -= 1
            throw error
        }
    }

    private func discard(_ connection: PostgresConnection) {
        connection.close()
        openCount -= 1
    }

    /// A broken connection freed a slot: open a fresh one for whoever waits.
    private func replaceForWaiter() {
        guard !waiters.isEmpty else { return }
        let waiter = waiters.removeFirst()
        Task {
            do {
                waiter.continuation.resume(returning: try await open())
            } catch {
                waiter.continuation.resume(throwing: error)
            }
        }
    }

    private func expire(waiter id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: PostgresError(
            kind: .poolExhausted,
            message: "no database connection free after waiting \(acquireTimeout) (pool of \(maxConnections))"
        ))
    }
}
