import CrosswalkServer
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TestSupport
import XCTest

/// Socket tests: a real server on 127.0.0.1:<ephemeral> and a plain TCP client.
final class ProtocolTests: XCTestCase {

    // MARK: Framing and reply forms

    func testInlineRequestsGetOneJSONLinePerReply() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("PING\r\nping hello\nEcHo \"two words\"\r\n\r\nNUMBER\r\n")
        let l1 = try await client.readLine()
        let l2 = try await client.readLine()
        let l3 = try await client.readLine()
        let l4 = try await client.readLine()
        XCTAssertEqual(l1, #"{"ok":true,"result":"PONG"}"#)
        XCTAssertEqual(l2, #"{"ok":true,"result":"hello"}"#)
        XCTAssertEqual(l3, #"{"ok":true,"result":"two words"}"#)
        XCTAssertEqual(l4, #"{"ok":true,"result":42}"#)
        XCTAssertTrue(client.pending.isEmpty, "the blank line gets no reply")
    }

    func testJSONReplyShapesAndEscaping() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("SHAPES\r\nTABLE\r\n")
        let shapes = try await client.readLine()
        XCTAssertEqual(
            shapes,
            #"{"ok":true,"null":null,"yes":true,"no":false,"n":-7,"x":1.5,"s":"a\"b\\c\nd\te\u0001日本","list":[1,"two"],"status":"OK"}"#
        )
        let table = try await client.readLine()
        XCTAssertEqual(
            table,
            #"{"ok":true,"fiscal_year":2024,"flagged":true,"rows":[{"goal_number":3,"label":"健康","share":0.25},{"goal_number":11,"share":1}]}"#
        )
    }

    func testRESPRequestsGetByteExactRESP() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send(resp("PING") + resp("PING", "hi there") + resp("echo", "日本") + resp("NUMBER"))
        let expected = "+PONG\r\n" + "$8\r\nhi there\r\n" + "$6\r\n日本\r\n" + ":42\r\n"
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)

        try await client.send(resp("SHAPES"))
        let shapes =
            "*16\r\n"
            + "$4\r\nnull\r\n$-1\r\n"
            + "$3\r\nyes\r\n:1\r\n"
            + "$2\r\nno\r\n:0\r\n"
            + "$1\r\nn\r\n:-7\r\n"
            + "$1\r\nx\r\n$3\r\n1.5\r\n"
            + "$1\r\ns\r\n$16\r\na\"b\\c\nd\te\u{01}日本\r\n"
            + "$4\r\nlist\r\n*2\r\n:1\r\n$3\r\ntwo\r\n"
            + "$6\r\nstatus\r\n+OK\r\n"
        let gotShapes = try await client.read(matching: shapes)
        XCTAssertEqual(gotShapes, shapes)

        try await client.send(resp("TABLE"))
        let table =
            "*6\r\n"
            + "$11\r\nfiscal_year\r\n:2024\r\n"
            + "$7\r\nflagged\r\n:1\r\n"
            + "$4\r\nrows\r\n*2\r\n"
            + "*6\r\n$11\r\ngoal_number\r\n:3\r\n$5\r\nlabel\r\n$6\r\n健康\r\n$5\r\nshare\r\n$4\r\n0.25\r\n"
            + "*4\r\n$11\r\ngoal_number\r\n:11\r\n$5\r\nshare\r\n:1\r\n"
        let gotTable = try await client.read(matching: table)
        XCTAssertEqual(gotTable, table)
    }

    /// `LIMIT`, `OFFSET` and `FIELDS` at the end of any application command: the list cut
    /// to the page and its entries to the fields, with the total so a client can page.
    func testLimitOffsetAndFieldsTakeAListInParts() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        let requests = [
            "ARGS a b c d e LIMIT 2 OFFSET 1", "ARGS a b c OFFSET 5", "TABLE FIELDS goal_number,share LIMIT 1 OFFSET 1",
            "TABLE fields label", "TABLE FIELDS nope", "ARGS LIMIT x", "ARGS a OFFSET -1", "TABLE FIELDS a,,b",
            "NUMBER LIMIT 1", "SDG 3 FY 2024 LIMIT 1", "ARGS a LIMIT 1 LIMIT 2",
        ]
        try await client.send(requests.map { $0 + "\r\n" }.joined())
        var replies: [String] = []
        for _ in requests { replies.append(try await client.readLine()) }
        XCTAssertEqual(replies, [
            #"{"ok":true,"page":{"list":null,"total":5,"offset":1,"limit":2,"fields":null},"result":["b","c"]}"#,
            #"{"ok":true,"page":{"list":null,"total":3,"offset":5,"limit":null,"fields":null},"result":[]}"#,
            #"{"ok":true,"fiscal_year":2024,"flagged":true,"rows":[{"goal_number":11,"share":1}],"page":{"list":"rows","total":2,"offset":1,"limit":1,"fields":["goal_number","share"]}}"#,
            #"{"ok":true,"fiscal_year":2024,"flagged":true,"rows":[{"label":"健康"},{}],"page":{"list":"rows","total":2,"offset":0,"limit":null,"fields":["label"]}}"#,
            #"{"ok":false,"error":"ERR FIELDS: no field 'nope'; the fields are goal_number,label,share"}"#,
            #"{"ok":false,"error":"ERR LIMIT takes a whole number from 0, not 'x'"}"#,
            #"{"ok":false,"error":"ERR OFFSET takes a whole number from 0, not '-1'"}"#,
            #"{"ok":false,"error":"ERR FIELDS takes field names separated by commas, such as name,thousand_yen, not 'a,,b'"}"#,
            #"{"ok":false,"error":"ERR NUMBER's reply has no list to take in parts (LIMIT, OFFSET, FIELDS)"}"#,
            #"{"ok":false,"error":"ERR SDG's reply has no list to take in parts (LIMIT, OFFSET, FIELDS)"}"#,
            // A keyword given twice: only the last is the page's, the first is the command's argument.
            #"{"ok":true,"page":{"list":null,"total":3,"offset":0,"limit":2,"fields":null},"result":["a","LIMIT"]}"#,
        ])
        // Over RESP the page is one more key of the object (a map in RESP3).
        try await client.send(resp("ARGS", "x", "y", "LIMIT", "1"))
        let page =
            "*4\r\n$4\r\npage\r\n*10\r\n$4\r\nlist\r\n$-1\r\n$5\r\ntotal\r\n:2\r\n$6\r\noffset\r\n:0\r\n"
            + "$5\r\nlimit\r\n:1\r\n$6\r\nfields\r\n$-1\r\n$6\r\nresult\r\n*1\r\n$1\r\nx\r\n"
        let got = try await client.read(matching: page)
        XCTAssertEqual(got, page)
    }

    func testQuotedArgumentsAndEscapes() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send(
            #"ARGS plain "two words" "q\"uote" "back\\slash" "nl\n" "\x41\xe3\x81\x82" 'it\'s' "" tab"# + "\r\n")
        let line = try await client.readLine()
        XCTAssertEqual(
            line, #"{"ok":true,"result":["plain","two words","q\"uote","back\\slash","nl\n","Aあ","it's","","tab"]}"#)

        // Unbalanced quotes: an error for that line; the connection carries on.
        try await client.send("ECHO \"open\r\nARGS \"a\"b\r\nPING\r\n")
        let e1 = try await client.readLine()
        let e2 = try await client.readLine()
        let pong = try await client.readLine()
        XCTAssertEqual(e1, #"{"ok":false,"error":"ERR Protocol error: unbalanced quotes in request"}"#)
        XCTAssertEqual(e2, #"{"ok":false,"error":"ERR Protocol error: unbalanced quotes in request"}"#)
        XCTAssertEqual(pong, #"{"ok":true,"result":"PONG"}"#)
    }

    // MARK: Ordering

    func testThousandPipelinedInlineRequestsInOneWriteAnsweredInOrder() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        let batch = (0..<1000).map { "ECHO \($0)\r\n" }.joined()
        try await client.send(batch)
        for i in 0..<1000 {
            let line = try await client.readLine()
            XCTAssertEqual(line, #"{"ok":true,"result":"\#(i)"}"#)
        }
    }

    func testThousandPipelinedRESPRequestsInOneWriteAnsweredInOrder() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send((0..<1000).map { i in i % 2 == 0 ? resp("ECHO", "\(i)") : resp("PING") }.joined())
        let expected = (0..<1000).map { i in i % 2 == 0 ? "$\("\(i)".count)\r\n\(i)\r\n" : "+PONG\r\n" }.joined()
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)
    }

    func testPipelinedCommandsAreCountedBeforeTheirRepliesLeave() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        // Runs of one command in both cases, then another: counted per run, not per request.
        try await client.send(
            String(repeating: resp("PING"), count: 40) + String(repeating: resp("ping"), count: 10) + resp("ECHO", "x"))
        let expected = String(repeating: "+PONG\r\n", count: 50) + "$1\r\nx\r\n"
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)
        // Another connection sees every one of them once the replies have arrived.
        let other = try await TestClient.connect(port: port)
        try await other.send("INFO commands\r\n")
        let info = try ReplyValue(json: Array(try await other.readLine().utf8))
        XCTAssertEqual(info["commands"]?["cmd_ping"], .int(50))
        XCTAssertEqual(info["commands"]?["cmd_echo"], .int(1))
        XCTAssertEqual(info["commands"]?["total_commands"], .int(52), "50 PING, ECHO and this INFO")
    }

    func testCachedReplyServedWithoutCopyIsNotChangedByRepliesGatheredAfterIt() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        let before = ReplyValue.encoded(cachedReply).respBytes(.v2)
        let one = String(decoding: ReplyValue.encoded(cachedReply).respBytes(.v2), as: UTF8.self)
        // The cached bytes leave first in a batch, and the PONGs are gathered after them.
        let batch = (0..<50).map { _ in resp("CACHED") + resp("PING") + resp("PING") }.joined()
        try await client.send(batch)
        let expected = String(repeating: one + "+PONG\r\n+PONG\r\n", count: 50)
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)
        XCTAssertEqual(ReplyValue.encoded(cachedReply).respBytes(.v2), before, "the shared encoding is unchanged")
        XCTAssertEqual(one, "*3\r\n$6\r\ncached\r\n:7\r\n*2\r\n$1\r\nk\r\n:1\r\n")
    }

    func testGatheredRepliesKeepTheirPlaceAroundSlowAndCachedReplies() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        let cached = String(decoding: ReplyValue.encoded(cachedReply).respBytes(.v2), as: UTF8.self)
        // Ready replies are encoded into one buffer; a slow answer, a cached one and an
        // unknown verb's error each cut that run, and everything still leaves in request order.
        try await client.send(
            resp("PING") + resp("SLEEPY", "100", "slow") + resp("PING", "a") + resp("PING") + resp("CACHED")
                + resp("PING", "b") + resp("NOPE") + resp("SLEEPY", "0", "fast") + resp("PING"))
        let expected =
            "+PONG\r\n$4\r\nslow\r\n$1\r\na\r\n+PONG\r\n" + cached
            + "$1\r\nb\r\n-ERR unknown command 'NOPE'\r\n$4\r\nfast\r\n+PONG\r\n"
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)
    }

    func testGatheredRepliesCountTowardThePendingReplyLimit() async throws {
        // 2,000 pipelined PINGs with at most 4 replies unwritten: reading stops and resumes
        // hundreds of times, and every reply arrives once, in order.
        let (_, port) = try await startServer(self, configure: { $0.maxPendingReplies = 4 })
        let client = try await TestClient.connect(port: port)
        try await client.send((0..<2000).map { resp("PING", "\($0)") }.joined())
        let expected = (0..<2000).map { "$\("\($0)".count)\r\n\($0)\r\n" }.joined()
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)
    }

    func testQuitAfterPipelinedPingsAnswersThemThenCloses() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send(resp("PING") + resp("PING", "x") + resp("QUIT") + resp("PING"))
        let all = try await client.readUntilClosed()
        XCTAssertEqual(all, "+PONG\r\n$1\r\nx\r\n+OK\r\n")
    }

    func testSlowCommandFollowedByFastOnesAnsweredInOrder() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("SLEEPY 300 first\r\nECHO second\r\nPING\r\nSLEEPY 10 fourth\r\nHELP ECHO\r\n")
        let replies = [
            try await client.readLine(), try await client.readLine(), try await client.readLine(),
            try await client.readLine(), try await client.readLine(),
        ]
        XCTAssertEqual(replies[0], #"{"ok":true,"result":"first"}"#)
        XCTAssertEqual(replies[1], #"{"ok":true,"result":"second"}"#)
        XCTAssertEqual(replies[2], #"{"ok":true,"result":"PONG"}"#)
        XCTAssertEqual(replies[3], #"{"ok":true,"result":"fourth"}"#)
        XCTAssertTrue(replies[4].contains(#""usage":"ECHO <text>""#), replies[4])
    }

    func testBackpressureHoldsReadsAndStillAnswersEverythingInOrder() async throws {
        // With only 4 replies allowed in flight, the server must stop and resume reading
        // many times to get through 300 pipelined slow requests.
        let (_, port) = try await startServer(self, configure: { $0.maxPendingReplies = 4 })
        let client = try await TestClient.connect(port: port)
        try await client.send((0..<300).map { "SLEEPY 0 r\($0)\r\n" }.joined())
        for i in 0..<300 {
            let line = try await client.readLine()
            XCTAssertEqual(line, #"{"ok":true,"result":"r\#(i)"}"#)
        }
    }

    // MARK: Errors

    func testUnknownCommand() async throws {
        let (server, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("FROB x y\r\n" + resp("frob"))
        let json = try await client.readLine()
        XCTAssertEqual(json, #"{"ok":false,"error":"ERR unknown command 'FROB'"}"#)
        let resp = try await client.read(matching: "-ERR unknown command 'frob'\r\n")
        XCTAssertEqual(resp, "-ERR unknown command 'frob'\r\n")
        XCTAssertEqual(server.stats.snapshot.errors["unknown_command"], 2)
    }

    func testWrongArgumentsErrorSaysTheExpectedForm() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("SDG 99\r\nSDG\r\nSDG 3 FY\r\nSDG 3 FY 2024\r\nPICKY 3\r\nPICKY 4\r\n")
        let expected = #"{"ok":false,"error":"ERR wrong arguments for 'SDG': expected SDG <1-17> [FY n]"}"#
        for _ in 0..<3 {
            let line = try await client.readLine()
            XCTAssertEqual(line, expected)
        }
        let good = try await client.readLine()
        XCTAssertEqual(good, #"{"ok":true,"goal":3,"fy":2024}"#)
        let picky = try await client.readLine()
        XCTAssertEqual(picky, #"{"ok":false,"error":"ERR wrong arguments for 'PICKY': expected PICKY <even number>"}"#)
        let four = try await client.readLine()
        XCTAssertEqual(four, #"{"ok":true,"result":4}"#)

        try await client.send(resp("sdg", "0"))
        let r = "-ERR wrong arguments for 'SDG': expected SDG <1-17> [FY n]\r\n"
        let got = try await client.read(matching: r)
        XCTAssertEqual(got, r)
    }

    func testHandlerErrors() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("MISSING 1-2-3\r\nBROKEN\r\n" + resp("MISSING", "x") + resp("BROKEN"))
        let missing = try await client.readLine()
        XCTAssertEqual(missing, #"{"ok":false,"error":"NOTFOUND no policy '1-2-3'"}"#)
        let broken = try await client.readLine()
        XCTAssertEqual(broken, #"{"ok":false,"error":"ERR internal error"}"#)
        let expected = "-NOTFOUND no policy 'x'\r\n-ERR internal error\r\n"
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)
    }

    // MARK: Built-ins

    /// `COMMAND DOCS` as Redis shapes it (redis-cli reads it for its hints): name → summary,
    /// since, group and the syntax line.
    func testCommandDocsDescribesEachCommand() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send(resp("COMMAND", "DOCS", "sdg", "ping"))
        func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }
        let expected =
            "*4\r\n" + bulk("sdg") + "*8\r\n" + bulk("summary") + bulk("One goal.") + bulk("since") + bulk("0.1.0")
            + bulk("group") + bulk("crosswalk") + bulk("syntax") + bulk("SDG <1-17> [FY n]")
            + bulk("ping") + "*8\r\n" + bulk("summary")
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)
        let inline = try await TestClient.connect(port: port)
        try await inline.send("COMMAND DOCS\r\n")
        let line = try await inline.readLine()
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
        XCTAssertEqual(all.count - 1, 22, "every command but the ok key")
        XCTAssertEqual((all["quit"] as? [String: Any])?["group"] as? String, "connection")
    }

    func testClientProbesGetHarmlessAnswers() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send(
            resp("CLIENT", "SETNAME", "tester") + resp("CLIENT", "GETNAME") + resp("CLIENT", "SETINFO", "LIB-NAME", "x")
                + resp("SELECT", "0") + resp("SELECT", "3") + resp("COMMAND", "DOCS", "nosuch") + resp("COMMAND", "COUNT"))
        let expected =
            "+OK\r\n" + "$6\r\ntester\r\n" + "+OK\r\n" + "+OK\r\n" + "-ERR DB index is out of range\r\n" + "*0\r\n"
            + ":22\r\n"
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)

        try await client.send(resp("HELLO", "2"))
        let hello =
            "*14\r\n$6\r\nserver\r\n$9\r\ncrosswalk\r\n$7\r\nversion\r\n$5\r\n0.1.0\r\n$5\r\nproto\r\n:2\r\n"
        let gotHello = try await client.read(matching: hello)
        XCTAssertEqual(gotHello, hello)
        let idKey = [try await client.readLine(), try await client.readLine()]
        XCTAssertEqual(idKey, ["$2", "id"])
        let id = try await client.readLine()
        XCTAssertTrue(id.hasPrefix(":"), id)  // the connection id
        let rest = "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
        let gotRest = try await client.read(matching: rest)
        XCTAssertEqual(gotRest, rest)

        try await client.send(resp("HELLO", "4"))
        let noproto = try await client.readLine()
        XCTAssertTrue(noproto.hasPrefix("-NOPROTO"), noproto)

        // COMMAND lists every command, Redis-style.
        try await client.send(resp("COMMAND"))
        let header = try await client.readLine()
        XCTAssertEqual(header, "*22")

        // Still alive afterwards.
        let pong = try await TestClient.connect(port: port)
        try await pong.send("PING\r\n")
        let p = try await pong.readLine()
        XCTAssertEqual(p, #"{"ok":true,"result":"PONG"}"#)
    }

    func testOutputSwitch() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        // Inline client asks for RESP: the reply to OUTPUT itself is already RESP.
        try await client.send("OUTPUT resp\r\nPING\r\nECHO hi\r\nOUTPUT\r\n")
        let expected = "+OK\r\n+PONG\r\n$2\r\nhi\r\n+resp\r\n"
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)

        // RESP client asks for JSON: JSON lines arrive wrapped as bulk strings.
        try await client.send(resp("OUTPUT", "json") + resp("PING"))
        let ok = #"{"ok":true,"result":"OK"}"#
        let pong = #"{"ok":true,"result":"PONG"}"#
        let wrapped = "$\(ok.utf8.count)\r\n\(ok)\r\n$\(pong.utf8.count)\r\n\(pong)\r\n"
        let gotWrapped = try await client.read(matching: wrapped)
        XCTAssertEqual(gotWrapped, wrapped)

        // Back to following each request's framing.
        try await client.send("OUTPUT auto\r\nPING\r\n" + resp("PING"))
        let a = try await client.readLine()
        let b = try await client.readLine()
        let c = try await client.readLine()
        XCTAssertEqual(a, ok)
        XCTAssertEqual(b, pong)
        XCTAssertEqual(c, "+PONG")

        try await client.send("OUTPUT xml\r\n")
        let bad = try await client.readLine()
        XCTAssertEqual(bad, #"{"ok":false,"error":"ERR wrong arguments for 'OUTPUT': expected OUTPUT [json|resp|auto]"}"#)
    }

    func testHelpListsCommandsWithUsage() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("HELP\r\nhelp sdg\r\nHELP nope\r\n" + resp("HELP", "PING"))
        let all = try await client.readLine()
        for fragment in [
            #"{"name":"PING","usage":"PING [message]""#, #""usage":"SDG <1-17> [FY n]""#,
            #"{"name":"SYNC","usage":"SYNC","summary":"Admin only.","access":"admin"}"#,
        ] {
            XCTAssertTrue(all.contains(fragment), "HELP lacks \(fragment)")
        }
        let one = try await client.readLine()
        XCTAssertEqual(
            one, #"{"ok":true,"name":"SDG","usage":"SDG <1-17> [FY n]","summary":"One goal.","access":"authenticated"}"#)
        let nope = try await client.readLine()
        XCTAssertEqual(nope, #"{"ok":false,"error":"ERR unknown command 'nope'"}"#)
        let r = "*2\r\n$14\r\nPING [message]\r\n$50\r\nTest the connection: replies PONG, or the message.\r\n"
        let got = try await client.read(matching: r)
        XCTAssertEqual(got, r)
    }

    func testInfoReportsCountersAndApplicationSections() async throws {
        let beforeStart = ContinuousClock.now
        let (_, port) = try await startServer(
            self,
            info: {
                [InfoSection(name: "store", fields: [("documents", .int(12)), ("last_sync", .string("never"))])]
            })
        let client = try await TestClient.connect(port: port)
        try await client.send("PING\r\nPING\r\nFROB\r\nINFO\r\n")
        for _ in 0..<3 { _ = try await client.readLine() }
        let line = try await client.readLine()
        let info = try ReplyValue(json: Array(line.utf8))
        XCTAssertEqual(info["ok"], .bool(true))
        guard case .int(let uptime)? = info["server"]?["uptime_seconds"] else {
            return XCTFail("no uptime in \(line)")
        }
        // Whole seconds since this server started, so no more than the test has run
        // (not the process's or the machine's uptime).
        XCTAssertLessThanOrEqual(uptime, (ContinuousClock.now - beforeStart).components.seconds)
        XCTAssertEqual(info["clients"]?["connected_clients"], .int(1))
        XCTAssertEqual(info["clients"]?["total_connections"], .int(1))
        XCTAssertEqual(info["commands"]?["cmd_ping"], .int(2))
        XCTAssertEqual(info["commands"]?["cmd_info"], .int(1))
        XCTAssertEqual(info["errors"]?["err_unknown_command"], .int(1))
        XCTAssertEqual(info["store"]?["documents"], .int(12))
        XCTAssertEqual(info["store"]?["last_sync"], .string("never"))

        try await client.send(resp("INFO") + resp("INFO", "store"))
        let header = try await client.readLine()
        XCTAssertTrue(header.hasPrefix("$"))
        let body = try await client.read(count: Int(header.dropFirst())! + 2)
        let text = String(decoding: body, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("# Server\r\nserver_name:crosswalk\r\nserver_version:0.1.0\r\n"), text)
        XCTAssertTrue(text.contains("# Store\r\ndocuments:12\r\nlast_sync:never\r\n"), text)
        let section = "# Store\r\ndocuments:12\r\nlast_sync:never\r\n"
        let expected = "$\(section.utf8.count)\r\n\(section)\r\n"
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)
    }

    func testQuitRepliesThenCloses() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("SLEEPY 50\r\nQUIT\r\nPING\r\n")
        let rest = try await client.readUntilClosed()
        XCTAssertEqual(rest, #"{"ok":true,"result":"slept"}"# + "\r\n" + #"{"ok":true,"result":"OK"}"# + "\r\n")
    }

    func testHalfClosedClientStillGetsItsReplies() async throws {
        // What `printf 'PING\r\n' | nc -N host port` does.
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("SLEEPY 50\r\nPING")
        try await client.shutdownOutput()
        let all = try await client.readUntilClosed()
        XCTAssertEqual(all, #"{"ok":true,"result":"slept"}"# + "\r\n" + #"{"ok":true,"result":"PONG"}"# + "\r\n")
    }

    // MARK: AUTH and admin

    func testAuthRequiredWhenPasswordSet() async throws {
        let (_, port) = try await startServer(self, configure: { $0.password = "s3cret" })
        let client = try await TestClient.connect(port: port)
        try await client.send("ECHO hi\r\nPING\r\nHELP ECHO\r\n" + resp("ECHO", "hi") + resp("INFO"))
        let noauth = try await client.readLine()
        XCTAssertEqual(noauth, #"{"ok":false,"error":"NOAUTH Authentication required."}"#)
        let pong = try await client.readLine()
        XCTAssertEqual(pong, #"{"ok":true,"result":"PONG"}"#)
        let help = try await client.readLine()
        XCTAssertTrue(help.hasPrefix(#"{"ok":true,"name":"ECHO""#), help)
        let expected = "-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n"
        let got = try await client.read(matching: expected)
        XCTAssertEqual(got, expected)

        try await client.send("AUTH wrong\r\nAUTH s3cre\r\nAUTH s3crets\r\nECHO hi\r\nAUTH s3cret\r\nECHO hi\r\n")
        let wrong = #"{"ok":false,"error":"WRONGPASS invalid password"}"#
        for _ in 0..<3 {
            let line = try await client.readLine()
            XCTAssertEqual(line, wrong)
        }
        let stillNoAuth = try await client.readLine()
        XCTAssertEqual(stillNoAuth, #"{"ok":false,"error":"NOAUTH Authentication required."}"#)
        let ok = try await client.readLine()
        XCTAssertEqual(ok, #"{"ok":true,"result":"OK"}"#)
        let echoed = try await client.readLine()
        XCTAssertEqual(echoed, #"{"ok":true,"result":"hi"}"#)

        // Authentication is per connection; RESP AUTH works too (also the 2-argument form).
        let other = try await TestClient.connect(port: port)
        try await other.send(resp("AUTH", "default", "s3cret") + resp("ECHO", "yo"))
        let r = "+OK\r\n$2\r\nyo\r\n"
        let gotOther = try await other.read(matching: r)
        XCTAssertEqual(gotOther, r)
    }

    func testAuthOffByDefault() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("ECHO open\r\nAUTH anything\r\n")
        let echo = try await client.readLine()
        XCTAssertEqual(echo, #"{"ok":true,"result":"open"}"#)
        let auth = try await client.readLine()
        XCTAssertEqual(auth, #"{"ok":false,"error":"ERR AUTH called without any password configured"}"#)
    }

    func testRepeatedAuthFailuresCloseTheConnection() async throws {
        let (_, port) = try await startServer(self, configure: { $0.password = "pw"; $0.maxAuthFailures = 3 })
        let client = try await TestClient.connect(port: port)
        try await client.send("AUTH a\r\nAUTH b\r\nAUTH c\r\nAUTH pw\r\n")
        let all = try await client.readUntilClosed()
        let wrong = #"{"ok":false,"error":"WRONGPASS invalid password"}"# + "\r\n"
        XCTAssertEqual(all, wrong + wrong + wrong)
    }

    func testAdminCommandNeedsAdminToken() async throws {
        let (_, port) = try await startServer(self, configure: { $0.password = "pw"; $0.adminToken = "root-token" })
        let client = try await TestClient.connect(port: port)
        try await client.send("SYNC\r\nAUTH pw\r\nSYNC\r\nECHO ok\r\nAUTH root-token\r\nSYNC\r\n")
        let lines = [
            try await client.readLine(), try await client.readLine(), try await client.readLine(),
            try await client.readLine(), try await client.readLine(), try await client.readLine(),
        ]
        XCTAssertEqual(lines[0], #"{"ok":false,"error":"NOAUTH Authentication required."}"#)
        XCTAssertEqual(lines[1], #"{"ok":true,"result":"OK"}"#)
        XCTAssertEqual(
            lines[2], #"{"ok":false,"error":"NOPERM this command needs admin access: AUTH <admin-token> first"}"#)
        XCTAssertEqual(lines[3], #"{"ok":true,"result":"ok"}"#)
        XCTAssertEqual(lines[4], #"{"ok":true,"result":"OK"}"#)
        XCTAssertEqual(lines[5], #"{"ok":true,"result":"OK"}"#)

        // The admin token alone also authenticates.
        let admin = try await TestClient.connect(port: port)
        try await admin.send(resp("AUTH", "root-token") + resp("SYNC"))
        let r = "+OK\r\n+OK\r\n"
        let got = try await admin.read(matching: r)
        XCTAssertEqual(got, r)
    }

    func testAdminCommandWithoutAdminTokenConfiguredIsOpen() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send("SYNC\r\n")
        let line = try await client.readLine()
        XCTAssertEqual(line, #"{"ok":true,"result":"OK"}"#)
    }

    // MARK: Limits and hostile input

    func testOversizedInlineLineGetsErrorThenClose() async throws {
        let (_, port) = try await startServer(self, configure: { $0.maxRequestBytes = 1024 })
        let client = try await TestClient.connect(port: port)
        try await client.send("PING\r\nECHO " + String(repeating: "x", count: 4000))  // no newline yet
        let rest = try await client.readUntilClosed()
        XCTAssertEqual(
            rest,
            #"{"ok":true,"result":"PONG"}"# + "\r\n" + #"{"ok":false,"error":"ERR Protocol error: too big inline request"}"#
                + "\r\n")

        let second = try await TestClient.connect(port: port)
        try await second.send("ECHO " + String(repeating: "y", count: 1100) + "\r\n")
        let closed = try await second.readUntilClosed()
        XCTAssertEqual(closed, #"{"ok":false,"error":"ERR Protocol error: too big inline request"}"# + "\r\n")

        // Just under the limit is fine.
        let third = try await TestClient.connect(port: port)
        let text = String(repeating: "z", count: 1000)
        try await third.send("ECHO \(text)\r\n")
        let line = try await third.readLine()
        XCTAssertEqual(line, #"{"ok":true,"result":"\#(text)"}"#)
    }

    func testOversizedRESPRequestGetsErrorThenClose() async throws {
        let (_, port) = try await startServer(self, configure: { $0.maxRequestBytes = 1024 })
        let client = try await TestClient.connect(port: port)
        try await client.send("*2\r\n$4\r\nECHO\r\n$2000\r\n")
        let rest = try await client.readUntilClosed()
        XCTAssertEqual(rest, "-ERR Protocol error: invalid bulk length\r\n")
    }

    func testInvalidUTF8GetsAnErrorAndTheConnectionCarriesOn() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send(bytes: Array("ECHO ".utf8) + [0xFF, 0xFE, 0x41] + Array("\r\nECHO \"\\xff\"\r\n".utf8))
        try await client.send(bytes: Array("*2\r\n$4\r\nECHO\r\n$2\r\n".utf8) + [0xC3, 0x28] + Array("\r\nPING\r\n".utf8))
        let e1 = try await client.readLine()
        let e2 = try await client.readLine()
        let e3 = try await client.readLine()
        let pong = try await client.readLine()
        XCTAssertEqual(e1, #"{"ok":false,"error":"ERR invalid UTF-8 in request"}"#)
        XCTAssertEqual(e2, #"{"ok":false,"error":"ERR invalid UTF-8 in request"}"#)
        XCTAssertEqual(e3, "-ERR invalid UTF-8 in request")
        XCTAssertEqual(pong, #"{"ok":true,"result":"PONG"}"#)
    }

    func testMalformedRESPGetsErrorThenCloseAndServerStaysUp() async throws {
        let (_, port) = try await startServer(self)
        let cases: [(String, String)] = [
            ("*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"),
            ("*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n"),
            ("*1\r\n$999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
            ("*1\r\n$99999999999999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
            ("*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
            ("*5000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"),
            ("*1\r\n$4\r\nPINGXX\r\n", "-ERR Protocol error: bulk string not terminated by CRLF\r\n"),
        ]
        for (input, expected) in cases {
            let client = try await TestClient.connect(port: port)
            try await client.send(input)
            let got = try await client.readUntilClosed()
            XCTAssertEqual(got, expected, "for \(input.debugDescription)")
        }
        let fresh = try await TestClient.connect(port: port)
        try await fresh.send(resp("PING"))
        let pong = try await fresh.readLine()
        XCTAssertEqual(pong, "+PONG")
    }

    func testGarbageBytesDoNotCrashTheServer() async throws {
        let (_, port) = try await startServer(self)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let client = try await TestClient.connect(port: port)
            var bytes = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes[0] = UInt8(ascii: "*")
            try? await client.send(bytes: bytes)
            try? await client.send(bytes: (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) })
            await client.close()
        }
        let inline = try await TestClient.connect(port: port)
        try await inline.send(bytes: [0x00, 0x01, 0x80, 0x0A, 0xFF, 0x0A, 0x22, 0x0A] + Array("PING\n".utf8))
        let a = try await inline.readLine()
        let b = try await inline.readLine()
        let c = try await inline.readLine()
        let d = try await inline.readLine()
        XCTAssertEqual(a, #"{"ok":false,"error":"ERR invalid UTF-8 in request"}"#)
        XCTAssertEqual(b, #"{"ok":false,"error":"ERR invalid UTF-8 in request"}"#)
        XCTAssertEqual(c, #"{"ok":false,"error":"ERR Protocol error: unbalanced quotes in request"}"#)
        XCTAssertEqual(d, #"{"ok":true,"result":"PONG"}"#)

        let fresh = try await TestClient.connect(port: port)
        try await fresh.send("PING\r\n")
        let pong = try await fresh.readLine()
        XCTAssertEqual(pong, #"{"ok":true,"result":"PONG"}"#)
    }

    func testClientDisconnectingMidRequestLeavesServerUp() async throws {
        let probe = Probe()
        let (server, port) = try await startServer(self, probe: probe)
        let partial = try await TestClient.connect(port: port)
        try await partial.send("*3\r\n$4\r\nECHO\r\n$5\r\nhel")
        await partial.close()

        let inFlight = try await TestClient.connect(port: port)
        try await inFlight.send("SLEEPY 200\r\nECHO after\r\n")
        try await probe.waitFor(1)
        await inFlight.close()

        let fresh = try await TestClient.connect(port: port)
        try await fresh.send("PING\r\n")
        let pong = try await fresh.readLine()
        XCTAssertEqual(pong, #"{"ok":true,"result":"PONG"}"#)
        // Both dropped connections are gone from the count eventually.
        let deadline = ContinuousClock.now + .seconds(15)
        while server.stats.snapshot.connectionsCurrent != 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        XCTAssertEqual(server.stats.snapshot.connectionsCurrent, 1)
    }

    func testMaxConnections() async throws {
        let (server, port) = try await startServer(self, configure: { $0.maxConnections = 2 })
        let a = try await TestClient.connect(port: port)
        let b = try await TestClient.connect(port: port)
        for client in [a, b] {
            try await client.send("PING\r\n")
            _ = try await client.readLine()
        }
        let c = try await TestClient.connect(port: port)
        let refused = try await c.readUntilClosed()
        XCTAssertEqual(refused, "-ERR max number of clients reached\r\n")
        XCTAssertEqual(server.stats.snapshot.connectionsRejected, 1)

        // The first two are unaffected; closing one makes room.
        try await a.send("PING\r\n")
        let pong = try await a.readLine()
        XCTAssertEqual(pong, #"{"ok":true,"result":"PONG"}"#)
        await b.close()
        let deadline = ContinuousClock.now + .seconds(15)
        while server.stats.snapshot.connectionsCurrent != 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let d = try await TestClient.connect(port: port)
        try await d.send("PING\r\n")
        let pong2 = try await d.readLine()
        XCTAssertEqual(pong2, #"{"ok":true,"result":"PONG"}"#)
    }

    func testIdleTimeoutClosesAnIdleClient() async throws {
        let (_, port) = try await startServer(self, configure: { $0.idleTimeout = .milliseconds(200) })
        let client = try await TestClient.connect(port: port)
        try await client.send("PING\r\n")
        let pong = try await client.readLine()
        XCTAssertEqual(pong, #"{"ok":true,"result":"PONG"}"#)
        let rest = try await client.readUntilClosed()
        XCTAssertEqual(rest, "")
    }

    func testIdleTimeoutDoesNotCutACommandInFlight() async throws {
        let (_, port) = try await startServer(self, configure: { $0.idleTimeout = .milliseconds(100) })
        let client = try await TestClient.connect(port: port)
        try await client.send("SLEEPY 600 done\r\n")
        let line = try await client.readLine()
        XCTAssertEqual(line, #"{"ok":true,"result":"done"}"#)
    }

    // MARK: Lifecycle

    func testGracefulShutdownFinishesAnInFlightReply() async throws {
        let probe = Probe()
        let (server, port) = try await startServer(self, probe: probe)
        let busy = try await TestClient.connect(port: port)
        let idle = try await TestClient.connect(port: port)
        try await idle.send("PING\r\n")
        _ = try await idle.readLine()

        try await busy.send("SLEEPY 300 finished\r\n")
        try await probe.waitFor(1)
        let shutdown = Task { await server.shutdown() }

        let rest = try await busy.readUntilClosed()
        XCTAssertEqual(rest, #"{"ok":true,"result":"finished"}"# + "\r\n")
        let idleRest = try await idle.readUntilClosed()
        XCTAssertEqual(idleRest, "")
        await shutdown.value

        do {
            let late = try await TestClient.connect(port: port)
            try? await late.send("PING\r\n")
            let closed = try await late.readUntilClosed()
            XCTAssertEqual(closed, "", "a connection after shutdown gets nothing")
        } catch {
            // Connection refused: the listener is gone.
        }
    }

    func testRunsUnderServiceGroupAndStopsOnGracefulShutdown() async throws {
        var logger = Logger(label: "test.group")
        logger.logLevel = .critical
        let probe = Probe()
        let server = LineServer(
            configuration: ServerConfiguration(port: 0), commands: testCommands(probe: probe), logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        let running = Task { try await group.run() }

        let deadline = ContinuousClock.now + .seconds(15)
        while server.port == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let port = try XCTUnwrap(server.port)
        let client = try await TestClient.connect(port: port)
        try await client.send("SLEEPY 200 last\r\n")
        try await probe.waitFor(1)
        await group.triggerGracefulShutdown()
        let rest = try await client.readUntilClosed()
        XCTAssertEqual(rest, #"{"ok":true,"result":"last"}"# + "\r\n")
        try await running.value
    }

    func testStartFailsCleanlyWhenThePortIsTaken() async throws {
        let (_, port) = try await startServer(self)
        let second = LineServer(configuration: ServerConfiguration(port: port))
        do {
            try await second.start()
            XCTFail("binding a taken port should fail")
        } catch {}
        await second.shutdown()
        // An unused server can simply be dropped or shut down.
        _ = LineServer()
        await LineServer().shutdown()
    }

    func testBindsToLoopbackByDefault() {
        let configuration = ServerConfiguration()
        XCTAssertEqual(configuration.host, "127.0.0.1")
        XCTAssertEqual(configuration.port, 7017)
        XCTAssertEqual(configuration.maxRequestBytes, 64 * 1024)
    }
}
