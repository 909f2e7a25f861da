import CrosswalkDaemon
import CrosswalkServer
import Foundation
import NIOConcurrencyHelpers
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Many connections at once, and slow clients, against the daemon over a real database.
/// Bounded by counts, not time; nothing here asserts a duration.
final class LoadTests: XCTestCase {
    static let connections = 500
    static let requestsPerConnection = 20

    func testFiveHundredConcurrentConnectionsAllAnsweredCorrectly() async throws {
        // 500 clients and their 500 server ends live in this one process, plus PostgreSQL
        // connections and NIO's own descriptors: raise the soft limit (up to the hard one)
        // when the machine's default (often 1024) is too low; skip if the hard limit is.
        try Self.raiseOpenFileLimit(to: 4096, needed: 2 * Self.connections + 200)
        try await SyncedDaemon.run { daemon, port, _ in
            // Open them all first, so they are really held at the same time.
            let clients = try await withThrowingTaskGroup(of: (Int, TestClient).self) { group in
                for index in 0..<Self.connections {
                    group.addTask { (index, try await TestClient.connect(port: port, timeout: .seconds(120))) }
                }
                var clients = [TestClient?](repeating: nil, count: Self.connections)
                for try await (index, client) in group { clients[index] = client }
                return clients.compactMap { $0 }
            }
            defer { Task { for client in clients { await client.close() } } }
            XCTAssertEqual(clients.count, Self.connections)
            try await Self.waitUntil { daemon.server.stats.snapshot.connectionsCurrent == Self.connections }
            let held = daemon.server.stats.snapshot.connectionsCurrent

            let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, client) in clients.enumerated() {
                    group.addTask { try await Self.mixedSession(client, index: index) }
                }
                return try await group.reduce(0, +)
            }
            XCTAssertEqual(answered, Self.connections * Self.requestsPerConnection)
            XCTAssertEqual(daemon.server.stats.snapshot.connectionsCurrent, Self.connections, "nobody was dropped")
            print("LoadTests: \(held) connections held at once; \(answered) mixed requests answered correctly")
        }
    }

    /// Pipelines a mixed batch (inline and RESP, built-ins and data commands, one error)
    /// and checks every reply; returns how many were right.
    private static func mixedSession(_ client: TestClient, index: Int) async throws -> Int {
        var batch = ""
        var checks: [@Sendable (String) -> Bool] = []
        for step in 0..<requestsPerConnection {
            let goal = (index + step) % 17 + 1
            switch step % 7 {
            case 0:
                batch += "PING c\(index)s\(step)\r\n"
                checks.append { $0 == #"{"ok":true,"result":"c\#(index)s\#(step)"}"# }
            case 1:
                batch += "SDG \(goal)\r\n"
                checks.append { $0.hasPrefix(#"{"ok":true,"goal":\#(goal),"#) }
            case 2:
                batch += "DUPLICATES FY 2023\r\n"
                checks.append { $0.hasPrefix(#"{"ok":true"#) && $0.contains(#""deduplicated_total":290665"#) }
            case 3:
                batch += "POLICY II-3-(2)-2\r\n"
                checks.append { $0.hasPrefix(#"{"ok":true"#) && $0.contains(#""code":"II-3-(2)-②""#) }
            case 4:
                batch += "SEARCH テレワーク\r\n"
                checks.append { $0.hasPrefix(#"{"ok":true"#) && $0.contains("市職員のテレワーク推進") }
            case 5:
                batch += "FROB \(index)\r\n"
                checks.append { $0 == #"{"ok":false,"error":"ERR unknown command 'FROB'"}"# }
            default:
                // RESP framing in the same connection: the reply is RESP.
                batch += respRequest(["PING"])
                checks.append { $0 == "+PONG" }
            }
        }
        try await client.send(batch)
        var right = 0
        for (step, check) in checks.enumerated() {
            let line = try await client.readLine()
            if check(line) {
                right += 1
            } else {
                XCTFail("connection \(index) request \(step): \(line.prefix(200))")
            }
        }
        return right
    }

    func testSlowClientsAreClosedWhileOthersAreServed() async throws {
        try await SyncedDaemon.run(configure: { $0.server.idleTimeout = .seconds(3) }) { daemon, port, _ in
            let stop = NIOLockedValueBox(false)
            // Tricklers: one byte every 100 ms (30x inside the idle timeout) — a whole PING,
            // then a request that never ends — until told to stop.
            let tricklers = try await withThrowingTaskGroup(of: TestClient.self) { group in
                for _ in 0..<60 { group.addTask { try await TestClient.connect(port: port, timeout: .seconds(60)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let silent = try await withThrowingTaskGroup(of: TestClient.self) { group in
                for _ in 0..<20 { group.addTask { try await TestClient.connect(port: port, timeout: .seconds(60)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let trickling = Task {
                let bytes = (0..<tricklers.count).map { Array("PING t\($0)\r\nSDG 1".utf8) + Array(repeating: UInt8(ascii: "7"), count: 1_000) }
                var offset = 0
                while !stop.withLockedValue({ $0 }) {
                    for (index, client) in tricklers.enumerated() where offset < bytes[index].count {
                        try? await client.send(bytes: [bytes[index][offset]])
                    }
                    offset += 1
                    try await Task.sleep(for: .milliseconds(100))
                }
            }

            // 60 slow connections are open while a normal client is served.
            try await Self.waitUntil { daemon.server.stats.snapshot.connectionsCurrent >= 60 }
            let normal = try await TestClient.connect(port: port)
            let slowBefore = daemon.server.stats.snapshot.connectionsCurrent - 1
            for step in 0..<60 {
                let goal = step % 17 + 1
                try await normal.send("SDG \(goal)\r\nPING n\(step)\r\n")
                let sdg = try await normal.readLine()
                XCTAssertTrue(sdg.hasPrefix(#"{"ok":true,"goal":\#(goal),"#), sdg)
                let pong = try await normal.readLine()
                XCTAssertEqual(pong, #"{"ok":true,"result":"n\#(step)"}"#)
            }
            XCTAssertGreaterThanOrEqual(slowBefore, 60, "slow clients connected when the normal one started")
            await normal.close()

            // Never idle, the tricklers are still closed: their unfinished request outlives the
            // idle timeout. Each got its finished PING answered first; the rest never is.
            for (index, client) in tricklers.enumerated() {
                let rest = try await client.readUntilClosed()
                XCTAssertEqual(rest, #"{"ok":true,"result":"t\#(index)"}"# + "\r\n", "trickler \(index)")
            }
            stop.withLockedValue { $0 = true }
            try await trickling.value
            for client in silent {
                let rest = try await client.readUntilClosed()
                XCTAssertEqual(rest, "", "a silent client is closed without a message")
            }
            try await Self.waitUntil { daemon.server.stats.snapshot.connectionsCurrent == 0 }
            print("LoadTests: \(slowBefore) slow connections open while a normal client got 120 answers; tricklers closed by the request deadline, silent ones by the idle timeout")
        }
    }

    // MARK: Helpers

    static func waitUntil(timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if ContinuousClock.now > deadline { throw TestTimeout(what: "a condition") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func raiseOpenFileLimit(to wanted: rlim_t, needed: Int) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        if limit.rlim_cur < rlim_t(needed) {
            throw XCTSkip("open-file limit \(limit.rlim_cur) (hard \(limit.rlim_max)) is below the \(needed) this test needs")
        }
    }
}
