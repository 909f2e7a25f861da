import Foundation
import TestSupport
import XCTest

/// redis-cli (Debian's redis-tools) against the daemon, as a shell user runs it: RESP2 by
/// default, RESP3 with `-3`, output not a terminal (so replies print raw, one per line).
final class RedisCLITests: XCTestCase {
    static let password = "cli-Tg4Hx9Mb"

    /// Runs redis-cli against a fresh daemon with a password and an admin token.
    private func withRedisCLI(_ body: (_ cli: @escaping ([String], String) async throws -> ExternalClient.Output) async throws -> Void)
        async throws
    {
        let redisCLI = try ExternalClient.named("redis-cli")
        try await SyncedDaemon.run(configure: { $0.server.password = Self.password }) { _, port, _ in
            try await body { arguments, stdin in
                try await redisCLI.run(["-p", "\(port)", "--no-auth-warning"] + arguments, stdin: stdin)
            }
        }
    }

    private func lines(_ output: ExternalClient.Output) -> [String] {
        output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func testRESP2PingDataCommandAndErrorReply() async throws {
        try await withRedisCLI { cli in
            let ping = try await cli(["-a", Self.password, "PING"], "")
            XCTAssertEqual(ping.stdout, "PONG\n", ping.stderr)
            // Objects are flat key/value lines in RESP2; integers stay numbers, decimals text.
            let sdg = lines(try await cli(["-a", Self.password, "SDG", "13"], ""))
            XCTAssertEqual(Array(sdg.prefix(2)), ["goal", "13"])
            XCTAssertTrue(sdg.contains("AI・RPAによる業務改革事業"), "\(sdg)")
            let report = lines(try await cli(["-a", Self.password, "REPORT", "SDG", "MODE", "split"], ""))
            XCTAssertTrue(report.contains("30325.333"), "\(report.prefix(40))")
            let error = try await cli(["-a", Self.password, "POLICY", "nope"], "")
            XCTAssertTrue(error.stdout.contains("NOTFOUND no policy 'nope'"), error.stdout)
            let noauth = try await cli(["SDG", "13"], "")
            XCTAssertTrue(noauth.stdout.contains("NOAUTH Authentication required."), noauth.stdout)
        }
    }

    func testRESP3MapsBooleansAndErrorsWithDashThree() async throws {
        try await withRedisCLI { cli in
            let ping = try await cli(["-3", "-a", Self.password, "PING"], "")
            XCTAssertEqual(ping.stdout, "PONG\n", ping.stderr)
            let hello = lines(try await cli(["-3", "-a", Self.password, "HELLO"], ""))
            XCTAssertTrue(hello.contains("proto 3"), "\(hello)")
            // Maps print as `key value` lines; booleans as (true)/(false).
            let program = lines(try await cli(["-3", "-a", Self.password, "PROGRAM", "KitaQ DX推進事業"], ""))
            XCTAssertEqual(program.first, "id 2")
            XCTAssertTrue(program.contains("relisted (false)"), "\(program)")
            let error = try await cli(["-3", "-a", Self.password, "POLICY", "nope"], "")
            XCTAssertTrue(error.stdout.contains("NOTFOUND no policy 'nope'"), error.stdout)
        }
    }

    /// The last page of the 17 goals, cut to the goal number: what a shell script pages with.
    func testALargeReplyTakenInPartsWithLimitOffsetAndFields() async throws {
        try await withRedisCLI { cli in
            let page = lines(try await cli(["-a", Self.password, "SDGS", "FY", "2023", "LIMIT", "5", "OFFSET", "15", "FIELDS", "goal"], ""))
            let goals = try XCTUnwrap(page.firstIndex(of: "goals"), "\(page)")
            XCTAssertEqual(Array(page[(goals + 1)...].prefix(4)), ["goal", "16", "goal", "17"], "\(page)")
            XCTAssertNotEqual(page[goals + 5], "goal", "\(page)")
            let total = try XCTUnwrap(page.firstIndex(of: "total"), "\(page)")
            XCTAssertEqual(page[total + 1], "17")
            XCTAssertFalse(page.contains("name_ja"), "\(page)")
        }
    }

    func testAuthAndNameThroughHelloThenCommandsFromStandardInput() async throws {
        try await withRedisCLI { cli in
            let session = try await cli([], "HELLO 3 AUTH default \(Self.password) SETNAME report-job\nSDG 13\nCLIENT GETNAME\nPING\n")
            let out = lines(session)
            XCTAssertTrue(out.contains("proto 3"), "\(out)")
            XCTAssertTrue(out.contains("goal 13"), "\(out)")
            XCTAssertTrue(out.contains("report-job"), "\(out)")
            XCTAssertEqual(out.last(where: { !$0.isEmpty }), "PONG")
            let refused = try await cli([], "HELLO 3 AUTH default wrong\nSDG 13\n")
            XCTAssertTrue(refused.stdout.contains("WRONGPASS invalid password"), refused.stdout)
            XCTAssertTrue(refused.stdout.contains("NOAUTH"), refused.stdout)
        }
    }

    func testSyncNowAndUsageReachTheServerWhereSyncAndHelpDoNot() async throws {
        try await withRedisCLI { cli in
            let sync = try await cli(["-a", Self.password, "SYNCNOW"], "")
            XCTAssertTrue(sync.stdout.contains("documents_seen"), sync.stdout)
            let usage = try await cli(["-a", Self.password, "USAGE", "SDG"], "")
            XCTAssertTrue(usage.stdout.hasPrefix("SDG <1-17> [FY n]"), usage.stdout)
        }
    }
}
