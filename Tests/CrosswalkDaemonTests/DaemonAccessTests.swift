import CrosswalkServer
import Foundation
import TestSupport
import XCTest

/// Access control over the daemon's real command table (SecurityTests covers the server's
/// mechanics with a test table): every command it registers is gated as documented, and
/// INFO with the store and sync sections never shows a secret.
final class DaemonAccessTests: XCTestCase {
    static let password = "city-Hq3Vw8Rt"
    static let adminToken = "root-Jk5Nb2Xs"
    static let noauth = #"{"ok":false,"error":"NOAUTH Authentication required."}"#
    static let noperm = #"{"ok":false,"error":"NOPERM this command needs admin access: AUTH <admin-token> first"}"#

    private func withSecuredDaemon(_ label: String = #function, _ body: (Int) async throws -> Void) async throws {
        try await SyncedDaemon.run(label, configure: {
            $0.server.password = Self.password
            $0.server.adminToken = Self.adminToken
        }) { _, port, _ in try await body(port) }
    }

    /// Name and access of every command, from HELP (public).
    private func commands(_ client: TestClient) async throws -> [(name: String, access: String)] {
        try await client.send("HELP\r\n")
        let line = try await client.readLine()
        guard case .array(let all)? = try ReplyValue(json: Array(line.utf8))["commands"] else {
            throw TestTimeout(what: "HELP's command list in \(line.prefix(200))")
        }
        return all.compactMap { entry in
            guard case .string(let name)? = entry["name"], case .string(let access)? = entry["access"] else { return nil }
            return (name, access)
        }
    }

    func testEveryRegisteredCommandIsGatedAsDocumented() async throws {
        try await withSecuredDaemon { port in
            let client = try await TestClient.connect(port: port)
            defer { Task { await client.close() } }
            let commands = try await commands(client)
            XCTAssertGreaterThan(commands.count, CommandRegistry().all.count, "the data commands are listed")
            XCTAssertEqual(Set(commands.filter { $0.access == "public" }.map(\.name)), ["PING", "AUTH", "QUIT", "HELP", "HELLO", "HEALTH"])
            XCTAssertEqual(commands.filter { $0.access == "admin" }.map(\.name), ["SYNC"])

            // Before AUTH: everything but the public commands is refused, whatever the arguments.
            for command in commands where command.access != "public" {
                try await client.send("\(command.name)\r\n\(command.name) 11 FY 2023\r\n")
                for _ in 0..<2 {
                    let line = try await client.readLine()
                    XCTAssertEqual(line, Self.noauth, command.name)
                }
            }
            // With the password: admin commands are refused, the rest pass the gate (their
            // answers, right or wrong arguments, are the commands' own).
            try await client.send("AUTH \(Self.password)\r\n")
            let ok = try await client.readLine()
            XCTAssertEqual(ok, #"{"ok":true,"result":"OK"}"#)
            for command in commands where command.name != "QUIT" {
                try await client.send("\(command.name)\r\n")
                let line = try await client.readLine()
                if command.access == "admin" {
                    XCTAssertEqual(line, Self.noperm, command.name)
                } else {
                    XCTAssertFalse(line.contains("NOAUTH") || line.contains("NOPERM"), "\(command.name): \(line.prefix(200))")
                }
            }
            // With the admin token: SYNC runs.
            try await client.send("AUTH \(Self.adminToken)\r\nSYNC\r\n")
            let admin = try await client.readLine()
            XCTAssertEqual(admin, #"{"ok":true,"result":"OK"}"#)
            let synced = try await client.readLine()
            XCTAssertTrue(synced.hasPrefix(#"{"ok":true"#), synced)
        }
    }

    func testInfoNeverShowsSecrets() async throws {
        try await withSecuredDaemon { port in
            let client = try await TestClient.connect(port: port)
            defer { Task { await client.close() } }
            try await client.send("AUTH \(Self.adminToken)\r\nINFO\r\nINFO store\r\nINFO sync\r\nCLIENT INFO\r\nHELLO 2\r\n")
            var replies: [String] = []
            for _ in 0..<6 { replies.append(try await client.readLine()) }
            XCTAssertTrue(replies[1].contains("database_reachable"), replies[1])
            try await client.send(respRequest(["INFO"]))
            let header = try await client.readLine()
            let length = try XCTUnwrap(Int(header.dropFirst()), header)
            let text = String(decoding: try await client.read(count: length + 2), as: UTF8.self)
            XCTAssertTrue(text.contains("# Store\r\n"), text)
            for reply in replies + [text] {
                XCTAssertFalse(reply.contains(Self.password), reply)
                XCTAssertFalse(reply.contains(Self.adminToken), reply)
            }
        }
    }
}
