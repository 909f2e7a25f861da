import Foundation
import TestSupport
import XCTest

/// A C program on hiredis (Debian's libhiredis-dev), compiled with `cc` and run against the
/// daemon: AUTH, PING, a data command as typed replies, an error, pipelining
/// (`Clients/hiredis_session.c`). Debian 12 ships hiredis 0.14, which predates RESP3, so
/// this client speaks RESP2; RESP3 is covered by redis-py and `redis-cli -3`.
final class HiredisTests: XCTestCase {
    static let password = "c-Pn6Vr1Yk"
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Clients/hiredis_session.c")

    /// The program, built from source into a temporary folder.
    private func build() async throws -> ExternalClient {
        let cc = try ExternalClient.named("cc")
        guard FileManager.default.fileExists(atPath: "/usr/include/hiredis/hiredis.h") else {
            throw ExternalClient.Missing(what: "libhiredis-dev (hiredis headers and library)")
        }
        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("hiredis-session-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: binary) }
        let compiled = try await cc.run(["-Wall", "-o", binary.path, Self.source.path, "-lhiredis"])
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        return ExternalClient(path: binary.path)
    }

    func testHiredisClientAuthenticatesReadsTypedRepliesAndPipelines() async throws {
        let program = try await build()
        try await SyncedDaemon.run(configure: { $0.server.password = Self.password }) { _, port, _ in
            let run = try await program.run(["\(port)", Self.password])
            XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
            let checks = run.stdout.split(separator: "\n").map(String.init)
            XCTAssertEqual(
                checks,
                [
                    "ok auth", "ok ping", "ok report total is an integer", "ok report has 17 goals",
                    "ok goal 5 amount is the decimal text", "ok error reply", "ok 17 pipelined requests answered in order",
                    "ok 17 goals taken in 4 pipelined pages",
                ])
        }
    }
}
