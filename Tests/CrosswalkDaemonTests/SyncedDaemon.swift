import CrosswalkDaemon
import CrosswalkServer
import CrosswalkStore
import Foundation
import Logging
import Postgres
import TestSupport
import XCTest

/// A migrated database with the bundled sample synced, and a daemon serving it on an
/// ephemeral loopback port; shut down after `body`.
enum SyncedDaemon {
    static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples")

    /// A copy of the sample folder with the same document a year earlier (`digital_R4.txt`,
    /// FY2022), so that COMPARE has two years; `edit` changes the documents' text first.
    /// The caller removes the folder.
    static func twoYearSamples(edit: (String) -> String = { $0 }) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-two-years-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["digital_R5.txt", "source.conf"] {
            let text = try String(contentsOf: samples.appendingPathComponent(name), encoding: .utf8)
            try edit(text).write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let document = try String(contentsOf: folder.appendingPathComponent("digital_R5.txt"), encoding: .utf8)
        try document.replacingOccurrences(of: "R4年度", with: "R3年度").replacingOccurrences(of: "R5年度", with: "R4年度")
            .replacingOccurrences(of: "令和5年度", with: "令和4年度")
            .write(to: folder.appendingPathComponent("digital_R4.txt"), atomically: true, encoding: .utf8)
        return folder
    }

    static func run(
        _ label: String = #function, poolConnections: Int = 4, logger: Logger? = nil,
        configure: (inout Daemon.Configuration) -> Void = { _ in },
        _ body: (Daemon, Int, PostgresPool) async throws -> Void
    ) async throws {
        try await TestDatabase.withPool(label, maxConnections: poolConnections) { pool, _ in
            try await Migrator().migrate(pool)
            var configuration = Daemon.Configuration(sources: [samples.path])
            configuration.server.port = 0
            configure(&configuration)
            var quiet = Logger(label: "test.daemon")
            quiet.logLevel = .critical
            let daemon = Daemon(configuration: configuration, pool: pool, logger: logger ?? quiet)
            _ = try await daemon.scheduler.syncNow(trigger: "test")
            let port = try await daemon.start()
            do {
                try await body(daemon, port, pool)
                await daemon.shutdown()
            } catch {
                await daemon.shutdown()
                throw error
            }
        }
    }

    /// Row counts of every table in the public schema.
    static func tableCounts(_ pool: PostgresPool) async throws -> [String: Int] {
        let tables = try await pool.query(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ).map { try $0.decode("name", as: String.self) }
        var counts: [String: Int] = [:]
        for table in tables {
            // A name from the catalog, not from a request; quoted as an identifier.
            let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            counts[table] = try await pool.query("SELECT count(*) AS n FROM \(quoted)").first!.decode("n", as: Int.self)
        }
        return counts
    }
}

/// A RESP client that switches the connection to JSON replies (`OUTPUT json`), so any
/// bytes can be sent as arguments and every answer comes back as one JSON object.
struct JSONOverRESP {
    let client: TestClient

    static func connect(port: Int) async throws -> JSONOverRESP {
        let connection = JSONOverRESP(client: try await TestClient.connect(port: port, timeout: .seconds(60)))
        try await connection.client.send(respRequest(["OUTPUT", "json"]))
        let ok = try await connection.reply()
        XCTAssertTrue(ok.ok, ok.raw)
        return connection
    }

    func send(_ requests: [[String]]) async throws {
        try await client.send(bytes: Array(requests.map(respRequest).joined().utf8))
    }

    /// One reply: the JSON text and its value.
    struct Answer {
        var raw: String
        var value: ReplyValue
        var ok: Bool { value["ok"] == .bool(true) }
        var error: String? {
            if case .string(let text)? = value["error"] { return text }
            return nil
        }
    }

    func reply() async throws -> Answer {
        let header = try await client.readLine()
        guard header.hasPrefix("$"), let length = Int(header.dropFirst()) else {
            throw TestTimeout(what: "a JSON bulk string, got \(header.prefix(200))")
        }
        let body = try await client.read(count: length + 2).dropLast(2)
        return Answer(raw: String(decoding: body, as: UTF8.self), value: try ReplyValue(json: Array(body)))
    }

    func close() async { await client.close() }
}

func respRequest(_ args: [String]) -> String {
    "*\(args.count)\r\n" + args.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
}
