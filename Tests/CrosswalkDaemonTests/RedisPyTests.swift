import Foundation
import TestSupport
import XCTest

/// redis-py, as `pip install redis` installs it, against the daemon over a real socket: its
/// defaults (RESP3, HELLO 3 AUTH on connect) and `protocol=2`.
final class RedisPyTests: XCTestCase {
    static let password = "py-Wq7Ls2Df"

    /// Connects as a user would, then prints what it saw as one JSON object.
    static let session = #"""
        import json, sys, redis
        port, password, protocol = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        options = {} if protocol == "default" else {"protocol": int(protocol)}
        r = redis.Redis(port=port, password=password, decode_responses=True, **options)

        def as_dict(value):
            # RESP2 sends objects as flat [key, value, ...] lists; RESP3 as maps (dicts).
            return value if isinstance(value, dict) else dict(zip(value[0::2], value[1::2]))

        out = {"version": redis.__version__, "ping": r.ping()}
        out["proto"] = as_dict(r.execute_command("HELLO"))["proto"]
        raw = r.execute_command("REPORT", "SDG", "FY", "2023", "MODE", "split")
        report = as_dict(raw)
        goals = [as_dict(goal) for goal in report["goals"]]
        out["report_type"] = type(raw).__name__
        out["total"] = report["total_thousand_yen"]
        out["total_type"] = type(report["total_thousand_yen"]).__name__
        out["goal_amount_types"] = sorted({type(goal["thousand_yen"]).__name__ for goal in goals})
        out["goal_5_amount"] = goals[4]["thousand_yen"]
        listing = as_dict(as_dict(r.execute_command("PROGRAM", "KitaQ DX推進事業"))["listings"][0])
        out["relisted"] = listing["relisted"]
        out["relisted_type"] = type(listing["relisted"]).__name__
        try:
            r.execute_command("POLICY", "nope")
        except redis.ResponseError as error:
            out["error"] = str(error)
        pipe = r.pipeline(transaction=False)
        for goal in range(1, 18):
            pipe.execute_command("SDG", goal)
        pipe.ping()
        replies = pipe.execute()
        out["pipelined_goals"] = [as_dict(reply)["goal"] for reply in replies[:-1]]
        out["pipelined_ping"] = replies[-1]
        # A list taken in pages: pipelined, each entry cut to two fields, the total read from the first.
        pipe = r.pipeline(transaction=False)
        for offset in range(0, 17, 4):
            pipe.execute_command("SDGS", "FY", "2023", "LIMIT", 4, "OFFSET", offset, "FIELDS", "goal,programs")
        pages = [as_dict(reply) for reply in pipe.execute()]
        out["page_total"] = as_dict(pages[0]["page"])["total"]
        out["paged_goals"] = [as_dict(goal)["goal"] for page in pages for goal in page["goals"]]
        out["paged_fields"] = sorted(as_dict(pages[0]["goals"][0]).keys())
        commands = r.info("commands")
        out["cmd_auth"] = commands.get("cmd_auth", 0)
        out["cmd_hello"] = commands.get("cmd_hello", 0)
        try:
            redis.Redis(port=port, password="wrong", **options).ping()
        except redis.AuthenticationError as error:
            out["wrong_password"] = str(error)
        print(json.dumps(out))
        """#

    private func session(protocol: String) async throws -> [String: Any] {
        let python = try await ExternalClient.pythonWithRedisPy()
        var observed: [String: Any] = [:]
        try await SyncedDaemon.run(configure: { $0.server.password = Self.password }) { _, port, _ in
            let run = try await python.run(["-c", Self.session, "\(port)", Self.password, `protocol`])
            XCTAssertEqual(run.status, 0, run.stderr)
            observed = try XCTUnwrap(
                JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout + run.stderr)
        }
        return observed
    }

    /// What both protocols share: PING, errors with their code, pipelining in order.
    private func checkCommon(_ out: [String: Any]) {
        XCTAssertEqual(out["ping"] as? Bool, true)
        XCTAssertEqual(out["total"] as? Int, 290_665)
        XCTAssertEqual(out["total_type"] as? String, "int")
        XCTAssertEqual(out["error"] as? String, "NOTFOUND no policy 'nope'")
        XCTAssertEqual(out["pipelined_goals"] as? [Int], Array(1...17))
        XCTAssertEqual(out["pipelined_ping"] as? Bool, true)
        XCTAssertEqual(out["page_total"] as? Int, 17)
        XCTAssertEqual(out["paged_goals"] as? [Int], Array(1...17))
        XCTAssertEqual(out["paged_fields"] as? [String], ["goal", "programs"])
        XCTAssertEqual(out["wrong_password"] as? String, "invalid password")
    }

    func testRedisPyDefaultsSpeakRESP3AndDecodeToNativeTypes() async throws {
        let out = try await session(protocol: "default")
        XCTAssertTrue((out["version"] as? String)?.hasPrefix("8.") == true, "redis-py 8 expected, got \(out["version"] ?? "?")")
        XCTAssertEqual(out["proto"] as? Int, 3)
        XCTAssertEqual(out["report_type"] as? String, "dict")
        XCTAssertEqual(out["goal_amount_types"] as? [String], ["float"])
        XCTAssertEqual(out["goal_5_amount"] as? Double, 30325.333)
        XCTAssertEqual(out["relisted_type"] as? String, "bool")
        XCTAssertEqual(out["relisted"] as? Bool, false)
        // The password went in HELLO 3 AUTH …, never a separate AUTH.
        XCTAssertEqual(out["cmd_auth"] as? Int, 0)
        XCTAssertGreaterThanOrEqual(out["cmd_hello"] as? Int ?? 0, 2)
        checkCommon(out)
    }

    func testRedisPyWithProtocolTwoGetsFlatListsWithOneTypePerField() async throws {
        let out = try await session(protocol: "2")
        XCTAssertEqual(out["proto"] as? Int, 2)
        XCTAssertEqual(out["report_type"] as? String, "list")
        XCTAssertEqual(out["goal_amount_types"] as? [String], ["str"], "RESP2 decimals are strings, every one")
        XCTAssertEqual(out["goal_5_amount"] as? String, "30325.333")
        XCTAssertEqual(out["relisted_type"] as? String, "int")
        XCTAssertEqual(out["relisted"] as? Int, 0)
        XCTAssertGreaterThanOrEqual(out["cmd_auth"] as? Int ?? 0, 1)
        checkCommon(out)
    }
}
