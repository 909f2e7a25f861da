import Foundation
import Postgres
import TestSupport

/// Polls `probe` until it gives a value. The deadline only keeps a broken test from
/// hanging; nothing here measures time.
func eventually<T>(
    _ what: String, timeout: Duration = .seconds(120), every interval: Duration = .milliseconds(50),
    _ probe: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await probe() { return value }
        if ContinuousClock.now > deadline { throw TestTimeout(what: what) }
        try await Task.sleep(for: interval)
    }
}

/// Where this test process keeps its files: one folder per process, so a soak that is
/// interrupted can remove what the test had no chance to.
let scratchRoot: URL = {
    atexit { try? FileManager.default.removeItem(at: scratchRootPath()) }
    return scratchRootPath()
}()

private func scratchRootPath() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-reliability-\(getpid())")
}

/// A fresh folder under `scratchRoot`; the caller removes it.
func temporaryFolder(_ label: String) throws -> URL {
    let url = scratchRoot.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The repository's root, from this file's place in it.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// One request over a fresh connection, one JSON reply.
func ask(_ port: Int, _ line: String, auth: String? = nil) async throws -> [String: Any] {
    let client = try await TestClient.connect(port: port, timeout: .seconds(300))
    defer { Task { await client.close() } }
    if let auth {
        try await client.send("AUTH \(auth)\r\n")
        let reply = try await client.readLine()
        guard reply.contains("\"ok\":true") else { throw SpawnError("AUTH refused: \(reply)") }
    }
    try await client.send(line + "\r\n")
    return try json(try await client.readLine())
}

/// A JSON reply line as a dictionary.
func json(_ line: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw SpawnError("not a JSON object: \(line)")
    }
    return object
}

/// A loopback port free right now (for a spawned daemon, which takes its port as a flag).
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw SpawnError("socket() failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
        }
    }
    guard bound else { throw SpawnError("cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

extension PostgresPool {
    func int(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await query(sql, parameters).first!.decode("n", as: Int.self)
    }

    func strings(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> [String] {
        try await query(sql, parameters).map { try $0.decode("s", as: String.self) }
    }
}

/// A database on the shared test cluster, with a pool, dropped afterwards.
struct ScratchDatabase {
    let conninfo: String
    let pool: PostgresPool
    let name: String

    static func create(_ label: String) async throws -> ScratchDatabase {
        let conninfo = try await TestDatabase.create(label)
        let name = String(conninfo.split(separator: "=").last!)
        return ScratchDatabase(conninfo: conninfo, pool: PostgresPool(conninfo: conninfo, maxConnections: 2), name: name)
    }

    func drop() async {
        await pool.shutdown()
        guard let endpoint = try? TestDatabase.endpoint() else { return }
        let admin = PostgresPool(conninfo: endpoint.conninfo, maxConnections: 1)
        // A generated identifier, not a value: DROP DATABASE takes no parameters.
        _ = try? await admin.query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.shutdown()
    }
}
