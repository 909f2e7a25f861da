import CrosswalkDaemon
import CrosswalkServer
import CrosswalkStore
import CrosswalkSync
import Foundation
import Logging
import Postgres
import ServiceLifecycle
import TestSupport
import XCTest

/// The daemon in-process against a real database, spoken to over real sockets.
final class DaemonTests: XCTestCase {
    static let sample = SyncedDaemon.samples

    /// A migrated database with the sample synced, a daemon on an ephemeral port.
    private func withDaemon(
        _ label: String = #function, password: String? = nil, adminToken: String? = nil,
        _ body: (Daemon, Int, PostgresPool) async throws -> Void
    ) async throws {
        try await SyncedDaemon.run(label, logger: Logger(label: "test"), configure: {
            $0.server.password = password
            $0.server.adminToken = adminToken
        }, body)
    }

    private func ask(_ port: Int, _ line: String) async throws -> [String: Any] {
        let client = try await TestClient.connect(port: port)
        defer { Task { await client.close() } }
        try await client.send(line + "\r\n")
        let reply = try await client.readLine()
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any], reply)
    }

    /// Never a silent empty answer over the protocol: a year, organization or municipality
    /// that matches nothing is NOTFOUND with what there is; era years are taken; the
    /// organizations can be listed.
    func testNothingThereIsNotFoundListingWhatThereIs() async throws {
        try await withDaemon { _, port, pool in
            let organization = try await pool.query("SELECT name FROM organizations").first!.decode("name", as: String.self)
            let year = try await ask(port, "SDGS FY 2019")
            XCTAssertEqual(year["error"] as? String, "NOTFOUND no listings for fiscal year 2019 (令和元年度); fiscal years present: 2023 (令和5年度)")
            let org = try await ask(port, "REPORT SDG FY 2023 ORG nobody")
            XCTAssertEqual(org["error"] as? String, "NOTFOUND no organization 'nobody'; organizations present: \(organization)")
            let muni = try await ask(port, "POLICIES MUNI 大阪市")
            XCTAssertTrue((muni["error"] as? String)?.hasPrefix("NOTFOUND no municipality '大阪市'") == true, "\(muni)")

            for era in ["R5", "令和5", "令和5年度"] {
                let report = try await ask(port, "REPORT SDG FY \(era)")
                XCTAssertEqual(report["fiscal_year"] as? Int, 2023, "\(era): \(report)")
            }
            let heisei = try await ask(port, "SDGS FY H30")
            XCTAssertTrue((heisei["error"] as? String)?.contains("fiscal year 2018 (平成30年度)") == true, "\(heisei)")

            let listed = try await ask(port, "ORGANIZATIONS")
            let organizations = try XCTUnwrap(listed["organizations"] as? [[String: Any]], "\(listed)")
            XCTAssertEqual(organizations.map { $0["name"] as? String }, [organization])
            XCTAssertEqual(organizations.first?["fiscal_years"] as? [Int], [2023])
        }
    }

    func testSDGReportCountsEachProgramOnceAndSaysHow() async throws {
        try await withDaemon { _, port, _ in
            let report = try await ask(port, "REPORT SDG FY 2023 MODE gross AMOUNT settled")
            XCTAssertEqual(report["ok"] as? Bool, true)
            XCTAssertEqual(report["mode"] as? String, "gross")
            XCTAssertEqual(report["total_thousand_yen"] as? Int, 290_665)
            XCTAssertTrue((report["counting"] as? String)?.contains("counts once") == true)
            let goals = try XCTUnwrap(report["goals"] as? [[String: Any]])
            XCTAssertEqual(goals.count, 17)
            let eleven = try XCTUnwrap(goals.first { $0["goal"] as? Int == 11 })
            XCTAssertEqual(eleven["programs"] as? Int, 2)
            XCTAssertEqual((eleven["thousand_yen"] as? NSNumber)?.doubleValue, 24_467)
        }
    }

    func testEveryDataCommandAnswersAndRejectsBadArguments() async throws {
        try await withDaemon { _, port, _ in
            let sdg = try await ask(port, "SDG 17")
            XCTAssertEqual(sdg["goal"] as? Int, 17)
            XCTAssertEqual((sdg["programs"] as? [Any])?.count, 2)
            let sdgs = try await ask(port, "SDGS FY 2023")
            XCTAssertEqual((sdgs["goals"] as? [Any])?.count, 17)
            // The summary: counts and amounts per goal, as REPORT SDG's gross mode, no program lists.
            let summaryGoals = try XCTUnwrap(sdgs["goals"] as? [[String: Any]])
            XCTAssertEqual(summaryGoals.map { $0["goal"] as? Int }, Array(1...17))
            XCTAssertEqual(summaryGoals[10]["programs"] as? Int, 2)
            XCTAssertEqual((summaryGoals[10]["thousand_yen"] as? NSNumber)?.doubleValue, 24_467)
            XCTAssertTrue(summaryGoals.allSatisfy { $0["program_list"] == nil }, "\(summaryGoals[10])")
            XCTAssertEqual(sdgs["total_thousand_yen"] as? Int, 290_665)
            XCTAssertNil((sdgs["no_goal"] as? [String: Any])?["program_list"])
            let policies = try await ask(port, "POLICIES")
            XCTAssertEqual((policies["policies"] as? [Any])?.count, 3)
            // Codes match in either width.
            let policy = try await ask(port, "POLICY II-3-(2)-2")
            XCTAssertEqual(policy["code"] as? String, "II-3-(2)-②")
            XCTAssertEqual((policy["programs"] as? [Any])?.count, 3)
            let program = try await ask(port, #"PROGRAM "KitaQ DX推進事業""#)
            XCTAssertEqual(program["goals"] as? [Int], [11, 12, 16])
            XCTAssertEqual((program["listings"] as? [Any])?.count, 2)
            XCTAssertEqual((program["conflicts"] as? [Any])?.isEmpty, false)
            let search = try await ask(port, "SEARCH テレワーク")
            XCTAssertEqual(((search["programs"] as? [[String: Any]])?.first)?["name"] as? String, "市職員のテレワーク推進")
            let duplicates = try await ask(port, "DUPLICATES FY 2023")
            XCTAssertEqual(duplicates["naive_per_policy_total"] as? Int, 385_588)
            XCTAssertEqual(duplicates["deduplicated_total"] as? Int, 290_665)
            XCTAssertEqual(duplicates["double_counted"] as? Int, 94_923)
            let similar = try await ask(port, "SIMILAR")
            XCTAssertEqual((similar["pairs"] as? [Any])?.count, 0)
            let indicators = try await ask(port, "INDICATORS FY 2023")
            XCTAssertEqual(indicators["ok"] as? Bool, true)
            let conflicts = try await ask(port, "CONFLICTS")
            XCTAssertEqual(((conflicts["programs"] as? [[String: Any]])?.first)?["name"] as? String, "KitaQ DX推進事業")
            let status = try await ask(port, "SYNCSTATUS")
            XCTAssertEqual(((status["runs"] as? [[String: Any]])?.first)?["status"] as? String, "ok")
            let changes = try await ask(port, "CHANGES SINCE 2000-01-01T00:00:00Z")
            XCTAssertEqual((changes["changes"] as? [Any])?.isEmpty, false)
            for form in ["2000-01-01", "2000-01-01T09:00:00.250+09:00"] {
                let same = try await ask(port, "CHANGES SINCE \(form)")
                XCTAssertEqual((same["changes"] as? [Any])?.count, (changes["changes"] as? [Any])?.count, form)
            }
            let future = try await ask(port, "CHANGES SINCE 2999-01-01")
            XCTAssertEqual((future["changes"] as? [Any])?.count, 0)

            for (bad, expected) in [
                ("SDG 18", "expected SDG <1-17> [FY n]"), ("SDG", "expected SDG <1-17>"), ("SDG 11 FY soon", "FY must be"),
                ("POLICIES YEAR 2023", "expected POLICIES [FY n]"), ("REPORT SDG MODE double", "MODE must be gross or split"),
                ("DUPLICATES AMOUNT cash", "AMOUNT must be"), ("CHANGES SINCE yesterday", "SINCE must be"),
                ("POLICY IX-9", "no policy"), ("PROGRAM 存在しない事業", "no program"),
            ] {
                let reply = try await ask(port, bad)
                XCTAssertEqual(reply["ok"] as? Bool, false, bad)
                XCTAssertTrue((reply["error"] as? String)?.contains(expected) == true, "\(bad): \(reply)")
            }
        }
    }

    func testInjectionStringsAreOnlyValues() async throws {
        try await withDaemon { _, port, pool in
            for hostile in [#"'; DROP TABLE programs; --"#, #"%' OR '1'='1"#, "\\", "_%", "1 OR 1=1"] {
                let search = try await ask(port, "SEARCH \"\(hostile.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"")
                XCTAssertEqual((search["programs"] as? [Any])?.count, 0, hostile)
                let program = try await ask(port, "PROGRAM \"\(hostile.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"")
                XCTAssertEqual(program["ok"] as? Bool, false, hostile)
            }
            let programs = try await pool.query("SELECT count(*) AS n FROM programs").first!.decode("n", as: Int.self)
            XCTAssertEqual(programs, 6)
        }
    }

    func testRESPClientsGetRESP() async throws {
        try await withDaemon { _, port, _ in
            let client = try await TestClient.connect(port: port)
            defer { Task { await client.close() } }
            try await client.send(resp("SDG", "17"))
            let header = try await client.readLine()
            XCTAssertTrue(header.hasPrefix("*"), header)
            try await client.send(resp("SDG", "99"))
            var line = try await client.readLine()
            while !line.hasPrefix("-") { line = try await client.readLine() }
            XCTAssertTrue(line.hasPrefix("-ERR wrong arguments for 'SDG'"), line)
        }
    }

    func testThousandPipelinedRequestsAnswerInOrder() async throws {
        try await withDaemon { _, port, _ in
            let client = try await TestClient.connect(port: port)
            defer { Task { await client.close() } }
            var batch = ""
            for index in 0..<1000 {
                batch += index % 2 == 0 ? "PING p\(index)\r\n" : "SDG \(index % 17 + 1)\r\n"
            }
            try await client.send(batch)
            for index in 0..<1000 {
                let reply = try await client.readLine()
                if index % 2 == 0 {
                    XCTAssertTrue(reply.contains("p\(index)"), reply)
                } else {
                    XCTAssertTrue(reply.contains("\"goal\":\(index % 17 + 1),"), reply)
                }
            }
        }
    }

    func testAuthAndAdminTokenGateCommands() async throws {
        try await withDaemon(password: "city-pass", adminToken: "admin-secret") { _, port, _ in
            let client = try await TestClient.connect(port: port)
            defer { Task { await client.close() } }
            try await client.send("SDG 11\r\n")
            let before = try await client.readLine()
            XCTAssertTrue(before.contains("NOAUTH"), before)
            try await client.send("AUTH city-pass\r\nSDG 11\r\nSYNC\r\n")
            let authenticated = try await client.readLine()
            XCTAssertTrue(authenticated.contains("\"ok\":true"), authenticated)
            let goal = try await client.readLine()
            XCTAssertTrue(goal.contains("\"goal\":11"), goal)
            let refused = try await client.readLine()
            XCTAssertTrue(refused.contains("\"ok\":false"), refused)
            try await client.send("AUTH admin-secret\r\nSYNC\r\n")
            let admin = try await client.readLine()
            XCTAssertTrue(admin.contains("\"ok\":true"), admin)
            let synced = try await client.readLine()
            XCTAssertTrue(synced.contains("\"documents_unchanged\":1"), synced)
        }
    }

    func testCachedAnswersFollowASyncByAnotherProcess() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-cache-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let sample = try String(contentsOf: Self.sample.appendingPathComponent("digital_R5.txt"), encoding: .utf8)
            try Data(sample.utf8).write(to: folder.appendingPathComponent("digital_R5.txt"))
            var configuration = Daemon.Configuration(sources: [folder.path])
            configuration.server.port = 0
            let daemon = Daemon(configuration: configuration, pool: pool, logger: Logger(label: "test"))
            _ = try await daemon.scheduler.syncNow(trigger: "test")
            let port = try await daemon.start()
            defer { Task { await daemon.shutdown() } }

            let before = try await ask(port, "DUPLICATES")
            XCTAssertEqual(before["deduplicated_total"] as? Int, 290_665)
            let again = try await ask(port, "DUPLICATES")
            XCTAssertEqual(again["deduplicated_total"] as? Int, 290_665)

            // Another process revises the document: AI・RPA settled 110,676 → 111,111.
            try Data(sample.replacingOccurrences(of: "\t110,676\t", with: "\t111,111\t").utf8)
                .write(to: folder.appendingPathComponent("digital_R5.txt"))
            _ = try await SyncEngine(pool: pool).run(.init(sources: [folder.path]))
            try await Task.sleep(for: .milliseconds(700))
            let after = try await ask(port, "DUPLICATES")
            XCTAssertEqual(after["deduplicated_total"] as? Int, 290_665 + 435)
            await daemon.shutdown()
        }
    }

    func testInfoReportsTheStore() async throws {
        try await withDaemon { _, port, _ in
            let info = try await ask(port, "INFO")
            let text = "\(info)"
            XCTAssertTrue(text.contains("listings"), text)
            XCTAssertTrue(text.contains("database_reachable"), text)
        }
    }

    func testGracefulShutdownDuringSyncLetsItFinish() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            var configuration = Daemon.Configuration(sources: [Self.sample.path])
            configuration.server.port = 0
            configuration.syncInterval = nil
            let daemon = Daemon(configuration: configuration, pool: pool, logger: Logger(label: "test"))
            let group = ServiceGroup(services: daemon.services, gracefulShutdownSignals: [], logger: Logger(label: "test"))
            let running = Task { try await group.run() }
            // Shut down while the start-up sync is (or has just been) running.
            try await Task.sleep(for: .milliseconds(50))
            await group.triggerGracefulShutdown()
            try await running.value
            let runs = try await pool.query("SELECT status FROM sync_runs").map { try $0.decode("status", as: String.self) }
            XCTAssertEqual(runs, ["ok"], "the start-up sync must finish, not be cut off")
            let listings = try await pool.query("SELECT count(*) AS n FROM current_listings").first!.decode("n", as: Int.self)
            XCTAssertEqual(listings, 8)
        }
    }
}
