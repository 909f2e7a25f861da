import CrosswalkServer
import TestSupport
import XCTest

/// RESP3 after `HELLO 3`: the encoder without a socket, then the switch over a real one.
final class RESP3Tests: XCTestCase {
    private func r3(_ value: ReplyValue) -> String { String(decoding: value.respBytes(.v3), as: UTF8.self) }

    func testRESP3WritesTheTypesRESP2Lacks() {
        XCTAssertEqual(r3(.null), "_\r\n")
        XCTAssertEqual(r3(.bool(true)), "#t\r\n")
        XCTAssertEqual(r3(.bool(false)), "#f\r\n")
        XCTAssertEqual(r3(.int(-7)), ":-7\r\n")
        XCTAssertEqual(r3(.double(0.25)), ",0.25\r\n")
        XCTAssertEqual(r3(.double(24467)), ",24467.0\r\n", "a whole double stays a double")
        XCTAssertEqual(r3(.double(1e-05)), ",1e-05\r\n")
        XCTAssertEqual(r3(.double(.infinity)), ",inf\r\n")
        XCTAssertEqual(r3(.double(-.infinity)), ",-inf\r\n")
        XCTAssertEqual(r3(.double(.nan)), ",nan\r\n")
        XCTAssertEqual(
            r3(.object([("k", .array([.null, .bool(true)])), ("n", .object([]))])),
            "%2\r\n$1\r\nk\r\n*2\r\n_\r\n#t\r\n$1\r\nn\r\n%0\r\n")
    }

    func testRESP3WritesStringsStatusesAndErrorsAsRESP2Does() {
        for value: ReplyValue in [
            .string("日本"), .string(""), .status("OK"), .error("NOTFOUND no policy 'x'"), .error("ERR a\nb"),
            .array([.int(1), .string("two")]),
        ] {
            XCTAssertEqual(value.respBytes(.v3), value.respBytes(.v2), "\(value)")
        }
    }

    func testEncodedRepliesCarryBothVersions() {
        let value: ReplyValue = .object([("share", .double(0.5)), ("flagged", .bool(true)), ("none", .null)])
        let encoded = ReplyValue.encoded(EncodedReply(value))
        XCTAssertEqual(encoded.respBytes(.v3), value.respBytes(.v3))
        XCTAssertEqual(encoded.respBytes(.v2), value.respBytes(.v2))
        XCTAssertEqual(r3(.array([encoded])), "*1\r\n" + r3(value))
    }

    // MARK: Over a socket

    /// The HELLO map up to the connection id, which differs per connection.
    private func readHello(_ client: TestClient, proto: Int) async throws {
        let head =
            "%7\r\n$6\r\nserver\r\n$9\r\ncrosswalk\r\n$7\r\nversion\r\n$5\r\n0.1.0\r\n$5\r\nproto\r\n:\(proto)\r\n$2\r\nid\r\n"
        let gotHead = try await client.read(matching: head)
        XCTAssertEqual(gotHead, head)
        let id = try await client.readLine()
        XCTAssertTrue(id.hasPrefix(":"), id)
        let rest = "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
        let gotRest = try await client.read(matching: rest)
        XCTAssertEqual(gotRest, rest)
    }

    func testHelloThreeSwitchesTheConnectionToRESP3AndInlineStaysJSON() async throws {
        let (_, port) = try await startServer(self)
        let client = try await TestClient.connect(port: port)
        try await client.send(resp("HELLO", "3"))
        try await readHello(client, proto: 3)

        // Pipelined: every kind of value, an integer, an error with its code, a Codable answer.
        try await client.send(resp("SHAPES") + resp("NUMBER") + resp("MISSING", "x") + resp("TABLE") + resp("PING"))
        let shapes =
            "%8\r\n$4\r\nnull\r\n_\r\n$3\r\nyes\r\n#t\r\n$2\r\nno\r\n#f\r\n$1\r\nn\r\n:-7\r\n$1\r\nx\r\n,1.5\r\n"
            + "$1\r\ns\r\n$16\r\na\"b\\c\nd\te\u{01}日本\r\n$4\r\nlist\r\n*2\r\n:1\r\n$3\r\ntwo\r\n$6\r\nstatus\r\n+OK\r\n"
            + ":42\r\n" + "-NOTFOUND no policy 'x'\r\n"
            + "%3\r\n$11\r\nfiscal_year\r\n:2024\r\n$7\r\nflagged\r\n#t\r\n$4\r\nrows\r\n*2\r\n"
            + "%3\r\n$11\r\ngoal_number\r\n:3\r\n$5\r\nlabel\r\n$6\r\n健康\r\n$5\r\nshare\r\n,0.25\r\n"
            + "%2\r\n$11\r\ngoal_number\r\n:11\r\n$5\r\nshare\r\n:1\r\n"
            + "+PONG\r\n"
        let got = try await client.read(matching: shapes)
        XCTAssertEqual(got, shapes)

        // An inline request on the same connection still gets its JSON line.
        try await client.send("NUMBER\r\n")
        let line = try await client.readLine()
        XCTAssertEqual(line, #"{"ok":true,"result":42}"#)

        // HELLO 2 goes back to RESP2.
        try await client.send(resp("HELLO", "2"))
        let header = try await client.readLine()
        XCTAssertEqual(header, "*14")
    }

    func testHelloThreeAuthenticatesAndNamesTheConnection() async throws {
        let (_, port) = try await startServer(self) { $0.password = "pw-resp3" }
        let client = try await TestClient.connect(port: port)
        try await client.send(resp("HELLO", "3", "AUTH", "default", "wrong"))
        let refused = try await client.readLine()
        XCTAssertEqual(refused, "-WRONGPASS invalid password")
        try await client.send(resp("NUMBER"))
        let noauth = try await client.readLine()
        XCTAssertEqual(noauth, "-NOAUTH Authentication required.")

        try await client.send(resp("HELLO", "3", "AUTH", "default", "pw-resp3", "SETNAME", "py"))
        try await readHello(client, proto: 3)
        try await client.send(resp("CLIENT", "GETNAME") + resp("SHAPES"))
        let name = try await client.read(matching: "$2\r\npy\r\n")
        XCTAssertEqual(name, "$2\r\npy\r\n")
        let map = try await client.readLine()
        XCTAssertEqual(map, "%8")
    }
}
