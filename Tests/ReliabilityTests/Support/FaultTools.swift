import Dispatch
import Foundation
import CrosswalkSync
import Postgres

/// Runs blocking work (pg_ctl through LocalCluster) on a thread of its own, so the
/// daemon under test keeps the cooperative threads.
func offThread<T: Sendable>(_ body: @Sendable @escaping () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// A PostgreSQL cluster of the test's own, which it may stop and start: created in a
/// temporary folder with the databases `crosswalk`, `reference` and `fresh`, destroyed
/// afterwards.
func withPrivateCluster(_ body: (LocalCluster, LocalCluster.Endpoint) async throws -> Void) async throws {
    let folder = try temporaryFolder("faults")
    let cluster = LocalCluster(directory: folder.appendingPathComponent("pg"), durable: false)
    defer {
        try? cluster.destroy()
        try? FileManager.default.removeItem(at: folder)
    }
    let endpoint = try await offThread { try cluster.start() }
    let admin = PostgresPool(conninfo: endpoint.conninfo, maxConnections: 1)
    try await admin.query("CREATE DATABASE crosswalk")
    try await admin.query("CREATE DATABASE reference")
    try await admin.query("CREATE DATABASE fresh")
    await admin.shutdown()
    try await body(cluster, endpoint)
}

/// Documents made from the bundled sample, one per office: each office's programs have
/// a department of their own (so no two documents list the same program), and a
/// revision changes one program's settled amount (AI・RPA 110,676 → 111,111).
enum OfficeDocuments {
    static func write(count: Int, to folder: URL, revised: Bool = false) throws {
        let sample = try String(contentsOf: repositoryRoot.appendingPathComponent("Samples/digital_R5.txt"), encoding: .utf8)
        for office in 1...count {
            var text = sample.replacingOccurrences(of: "デジタル市役所推進室）", with: "第\(office)推進室）")
                .replacingOccurrences(of: "DX推進課", with: "第\(office)課").replacingOccurrences(of: "DX推 進課", with: "第\(office)課")
            if revised { text = text.replacingOccurrences(of: "\t110,676\t", with: "\t111,111\t") }
            try Data(text.utf8).write(to: folder.appendingPathComponent(name(office)))
        }
    }

    /// Sorted as the sync reads them.
    static func name(_ office: Int) -> String { String(format: "office%02d.txt", office) }
}

/// Twelve office documents synced once in groups of three, then revised, with another
/// session holding document 8's row: the next run of `engine` with `options` commits two
/// groups (six documents) and waits at the third until `holder` ends.
func revisedSyncHeldAtDocument8(pool: PostgresPool, conninfo: String, folder: URL) async throws
    -> (engine: SyncEngine, options: SyncEngine.Options, holder: RowLockHolder)
{
    try OfficeDocuments.write(count: 12, to: folder)
    var options = SyncEngine.Options(sources: [folder.path])
    options.documentsPerCommit = 3
    let engine = SyncEngine(pool: pool)
    _ = try await engine.run(options)
    try OfficeDocuments.write(count: 12, to: folder, revised: true)
    let holder = try await RowLockHolder(
        conninfo: conninfo, lock: "SELECT 1 FROM documents WHERE source = $1 FOR UPDATE",
        [folder.appendingPathComponent(OfficeDocuments.name(8)).path])
    return (engine, options, holder)
}

/// Holds a row lock in an open transaction, so a sync that reaches that row waits there
/// until the test has done what it wanted meanwhile (stop the server, kill the backend).
final class RowLockHolder: Sendable {
    private let pool: PostgresPool
    private let task: Task<Void, Error>
    private let release: AsyncStream<Void>.Continuation

    /// Returns once the lock is held.
    init(conninfo: String, lock sql: String, _ parameters: [String]) async throws {
        let pool = PostgresPool(conninfo: conninfo, maxConnections: 1)
        let (released, release) = AsyncStream<Void>.makeStream()
        let (held, holding) = AsyncStream<Void>.makeStream()
        self.pool = pool
        self.release = release
        task = Task {
            defer { holding.finish() }
            try await pool.withConnection { connection in
                try await connection.execute(script: "BEGIN")
                try await connection.query(sql, parameters)
                holding.yield()
                for await _ in released { break }
                try? await connection.execute(script: "ROLLBACK")
            }
        }
        var iterator = held.makeAsyncIterator()
        if await iterator.next() == nil {
            try await task.value
            throw SpawnError("the lock was not taken")
        }
    }

    /// Ends the transaction (or just lets go, when its connection is already gone).
    func end() async {
        release.finish()
        _ = try? await task.value
        await pool.shutdown()
    }
}

/// Backends of this database waiting for a lock.
func backendsWaitingForALock(_ pool: PostgresPool) async throws -> [Int] {
    try await pool.query("""
        SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
        """).map { try $0.decode("pid", as: Int.self) }
}
