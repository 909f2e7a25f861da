import CrosswalkServer
import Foundation
import TestSupport
import XCTest

/// redis-cli handles some command names itself: it never sends them, or reads their reply
/// as a stream that never ends. Every command of the daemon's real table must be reachable
/// under a name it sends plainly.
final class ClientNamesTests: XCTestCase {
    /// Names redis-cli 7 (`cliSendCommand`, `repl` in redis-cli.c) answers itself (HELP, ?,
    /// and in interactive mode EXIT, CONNECT, CLEAR, RESTART) or whose reply it does not show
    /// (SYNC and PSYNC enter replica mode; MONITOR and the SUBSCRIBE family read forever;
    /// SHUTDOWN waits for the connection to close). QUIT is left out: redis-cli exits on it,
    /// which is what QUIT asks for. PROTOCOL.md lists the same names.
    static let interceptedByRedisCLI: Set<String> = [
        "HELP", "?", "EXIT", "CONNECT", "CLEAR", "RESTART",
        "SYNC", "PSYNC", "MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "SHUTDOWN",
    ]
    static let adminToken = "root-Zr8Kp3Lq"

    private func ask(_ client: TestClient, _ line: String) async throws -> ReplyValue {
        try await client.send(line + "\r\n")
        return try ReplyValue(json: Array(try await client.readLine().utf8))
    }

    func testEveryCommandHasANameRedisCLISendsPlainly() async throws {
        try await SyncedDaemon.run(configure: { $0.server.adminToken = Self.adminToken }) { _, port, _ in
            let client = try await TestClient.connect(port: port, timeout: .seconds(60))
            defer { Task { await client.close() } }
            guard case .array(let commands)? = try await ask(client, "HELP")["commands"] else {
                return XCTFail("HELP lists no commands")
            }
            var checked = 0
            for command in commands {
                guard case .string(let name)? = command["name"] else { continue }
                checked += 1
                guard Self.interceptedByRedisCLI.contains(name) else { continue }
                var aliases: [String] = []
                if case .array(let values)? = command["aliases"] {
                    aliases = values.compactMap { if case .string(let s) = $0 { s } else { nil } }
                }
                XCTAssertTrue(
                    aliases.contains { !Self.interceptedByRedisCLI.contains($0) },
                    "\(name) needs a second name redis-cli does not intercept; has \(aliases)")
            }
            XCTAssertGreaterThan(checked, 20)

            // One entry, two names: the same gate and the same answer.
            let refused = try await ask(client, "SYNCNOW")
            XCTAssertEqual(refused["error"], .string("NOPERM this command needs admin access: AUTH <admin-token> first"))
            _ = try await ask(client, "AUTH \(Self.adminToken)")
            let viaSync = try await ask(client, "SYNC")
            let viaSyncNow = try await ask(client, "SYNCNOW")
            XCTAssertEqual(viaSyncNow["ok"], .bool(true), "\(viaSyncNow)")
            guard case .object(let a) = viaSync, case .object(let b) = viaSyncNow else { return XCTFail("not objects") }
            XCTAssertEqual(a.map(\.0), b.map(\.0))
            let help = try await ask(client, "HELP SDG")
            let usage = try await ask(client, "USAGE SDG")
            XCTAssertEqual(usage, help)
            XCTAssertEqual(usage["usage"], .string("SDG <1-17> [FY n] [MUNI name|code]"))
        }
    }
}
