import CrosswalkDaemon
import Foundation
import Postgres
import TestSupport
import XCTest

/// `/api/…` and `/healthz` against the real daemon on the synced sample: each route's
/// answer is the protocol's JSON, and each error its protocol text with an HTTP status.
final class WebAPITests: XCTestCase {
    /// The sample daemon with the web on an ephemeral port; `body` gets that port.
    static func withWeb(_ label: String = #function, _ body: (Int) async throws -> Void) async throws {
        try await SyncedDaemon.run(label, configure: { $0.httpPort = 0 }) { daemon, _, _ in
            let web = try XCTUnwrap(daemon.web)
            try await body(await web.boundPort())
        }
    }

    func testEveryRouteAnswersTheProtocolsJSON() async throws {
        try await Self.withWeb { port in
            let duplicates = try await HTTPGet.fetch(port: port, "/api/duplicates?fy=2023&amount=settled")
            XCTAssertEqual(duplicates.status, 200, duplicates.body)
            XCTAssertEqual(duplicates.headers["content-type"], "application/json; charset=utf-8")
            XCTAssertEqual(duplicates.json["deduplicated_total"] as? Int, 290665, duplicates.body)
            XCTAssertEqual(duplicates.json["double_counted"] as? Int, 94923)
            XCTAssertTrue(duplicates.headers["content-security-policy"]?.contains("default-src 'none'") == true)

            for (target, key) in [
                ("/api/sdgs?fy=2023", "goals"), ("/api/sdgs?fy=R5&amount=budget", "goals"), ("/api/sdg/13?fy=2023", "programs"),
                ("/api/sdg/17?fy=令和5".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!, "programs"),
                ("/api/report/sdg?fy=2023&mode=split&amount=settled", "goals"), ("/api/policies?fy=2023", "policies"),
                ("/api/search?q=\(HTTPGet.encode("テレワーク"))", "programs"), ("/api/conflicts", "programs"),
                ("/api/municipalities", "municipalities"), ("/api/matrix?fy=2023", "policies"), ("/api/overlap", "pairs"),
                ("/api/syncstatus", "runs"), ("/api/similar", "pairs"), ("/api/indicators", "listings"),
            ] {
                let response = try await HTTPGet.fetch(port: port, target)
                XCTAssertEqual(response.status, 200, "\(target): \(response.body)")
                XCTAssertNotNil(response.json[key], "\(target): \(response.body.prefix(300))")
            }
            let split = try await HTTPGet.fetch(port: port, "/api/report/sdg?fy=2023&mode=split")
            XCTAssertEqual(split.json["mode"] as? String, "split", split.body.prefix(300).description)

            let program = try await HTTPGet.fetch(port: port, "/api/program/\(HTTPGet.encode("KitaQ DX推進事業"))")
            XCTAssertEqual(program.status, 200, program.body)
            XCTAssertEqual(program.json["name"] as? String, "KitaQ DX推進事業")
            let id = try XCTUnwrap(program.json["id"] as? Int)
            let byId = try await HTTPGet.fetch(port: port, "/api/program/\(id)")
            XCTAssertEqual(byId.json["name"] as? String, "KitaQ DX推進事業")

            let listed = try await HTTPGet.fetch(port: port, "/api/policies?fy=2023")
            let policies = try XCTUnwrap(listed.json["policies"] as? [[String: Any]])
            let code = try XCTUnwrap(policies.first?["code"] as? String)
            let policy = try await HTTPGet.fetch(port: port, "/api/policy/\(HTTPGet.encode(code))")
            XCTAssertEqual(policy.status, 200, policy.body)

            let health = try await HTTPGet.fetch(port: port, "/healthz")
            XCTAssertEqual(health.status, 200)
            XCTAssertEqual(health.body, "OK\n")
        }
    }

    func testBadArgumentsAnswer400WithTheProtocolsText() async throws {
        try await Self.withWeb { port in
            let year = try await HTTPGet.fetch(port: port, "/api/sdgs?fy=abc")
            XCTAssertEqual(year.status, 400)
            XCTAssertEqual(year.json["error"] as? String, "ERR FY must be a fiscal year such as 2023, R5 or 令和5, not 'abc'")
            let amount = try await HTTPGet.fetch(port: port, "/api/duplicates?amount=cash")
            XCTAssertEqual(amount.status, 400)
            XCTAssertEqual(amount.json["error"] as? String, "ERR AMOUNT must be budget, settled or personnel, not 'cash'")
            let mode = try await HTTPGet.fetch(port: port, "/api/report/sdg?mode=half")
            XCTAssertEqual(mode.status, 400)
            XCTAssertEqual(mode.json["error"] as? String, "ERR MODE must be gross or split, not 'half'")
            let goal = try await HTTPGet.fetch(port: port, "/api/sdg/18")
            XCTAssertEqual(goal.status, 400)
            XCTAssertTrue((goal.json["error"] as? String)?.hasPrefix("ERR wrong arguments for 'SDG': expected SDG <1-17>") == true, goal.body)
            let search = try await HTTPGet.fetch(port: port, "/api/search")
            XCTAssertEqual(search.status, 400, search.body)
            let unknown = try await HTTPGet.fetch(port: port, "/api/sdgs?color=red")
            XCTAssertEqual(unknown.status, 400)
            XCTAssertTrue((unknown.json["error"] as? String)?.contains("unknown query parameter 'color'") == true, unknown.body)
            let twice = try await HTTPGet.fetch(port: port, "/api/sdgs?fy=2023&fy=2024")
            XCTAssertEqual(twice.status, 400, twice.body)
            // A municipality that matches nothing is "nothing there" (NOTFOUND, 404), listing what there is.
            let municipality = try await HTTPGet.fetch(port: port, "/api/sdgs?muni=\(HTTPGet.encode("どこにもない市"))")
            XCTAssertEqual(municipality.status, 404, municipality.body)
            XCTAssertEqual(municipality.json["error"] as? String, "NOTFOUND no municipality 'どこにもない市'; municipalities present: 北九州市 (401005)")
        }
    }

    func testUnknownProgramsPoliciesPathsAndMethodsAreClearErrors() async throws {
        try await Self.withWeb { port in
            let program = try await HTTPGet.fetch(port: port, "/api/program/\(HTTPGet.encode("ない事業"))")
            XCTAssertEqual(program.status, 404)
            XCTAssertEqual(program.json["error"] as? String, "NOTFOUND no program 'ない事業'")
            let policy = try await HTTPGet.fetch(port: port, "/api/policy/Z-9")
            XCTAssertEqual(policy.status, 404)
            XCTAssertEqual(policy.json["error"] as? String, "NOTFOUND no policy 'Z-9'")
            let path = try await HTTPGet.fetch(port: port, "/api/nothing")
            XCTAssertEqual(path.status, 404)
            XCTAssertNotNil(path.headers["content-security-policy"])
            let method = try await HTTPGet.fetch(port: port, "/api/sdgs", method: "POST", headers: ["Content-Length: 0"])
            XCTAssertTrue([404, 405].contains(method.status), "\(method.status)")
            // Still serving after all of that.
            let health = try await HTTPGet.fetch(port: port, "/healthz")
            XCTAssertEqual(health.status, 200)
        }
    }

    func testAnUnreachableDatabaseIs503() async throws {
        // Port 1 on loopback: nothing listens, libpq is refused at once.
        let pool = PostgresPool(conninfo: "host=127.0.0.1 port=1 dbname=none user=none connect_timeout=2", maxConnections: 1)
        var configuration = Daemon.Configuration(sources: [])
        configuration.server.port = 0
        configuration.httpPort = 0
        let daemon = Daemon(configuration: configuration, pool: pool, logger: .init(label: "test.web"))
        _ = try await daemon.start()
        let port = await daemon.web!.boundPort()
        let sdgs = try await HTTPGet.fetch(port: port, "/api/sdgs")
        let health = try await HTTPGet.fetch(port: port, "/healthz")
        let page = try await HTTPGet.fetch(port: port, "/duplicates")
        await daemon.shutdown()
        await pool.shutdown()
        XCTAssertEqual(sdgs.status, 503, sdgs.body)
        XCTAssertTrue((sdgs.json["error"] as? String)?.hasPrefix("ERR database unavailable: ") == true, sdgs.body)
        XCTAssertEqual(health.status, 503)
        XCTAssertTrue(health.body.contains("database unavailable"), health.body)
        XCTAssertEqual(page.status, 503)
    }
}
