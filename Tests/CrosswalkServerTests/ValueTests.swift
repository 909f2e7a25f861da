@testable import CrosswalkServer
import TestSupport
import XCTest

/// Unit tests of the pieces the socket tests rely on.
final class ValueTests: XCTestCase {
    let parser = RequestParser(maxRequestBytes: 64, maxArguments: 4)

    func testParserWaitsForCompleteRequests() {
        XCTAssertEqual(parser.parse(bytes: Array("PING".utf8)), .needMore)
        XCTAssertEqual(parser.parse(bytes: Array("PING".utf8), atEOF: true), .request(.inline, verb: "PING", arguments: [], consumed: 4))
        XCTAssertEqual(parser.parse(bytes: Array("*2\r\n$4\r\nECHO\r\n$3\r\nab".utf8)), .needMore)
        XCTAssertEqual(parser.parse(bytes: Array("*2\r".utf8)), .needMore)
        XCTAssertEqual(
            parser.parse(bytes: Array("*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\nPING\r\n".utf8)),
            .request(.resp, verb: "ECHO", arguments: ["abc"], consumed: 23))
        XCTAssertEqual(parser.parse(bytes: Array("*0\r\n".utf8)), .empty(consumed: 4))
        XCTAssertEqual(parser.parse(bytes: Array("  \t \r\n".utf8)), .empty(consumed: 6))
    }

    func testParserLimits() {
        let long = Array(String(repeating: "x", count: 65).utf8)
        XCTAssertEqual(
            parser.parse(bytes: long),
            .error(.inline, "ERR Protocol error: too big inline request", fatal: true, consumed: 65))
        XCTAssertEqual(
            parser.parse(bytes: Array("a b c d e\n".utf8)),
            .error(.inline, "ERR Protocol error: too many arguments", fatal: false, consumed: 10))
        XCTAssertEqual(
            parser.parse(bytes: Array("*5\r\n".utf8)),
            .error(.resp, "ERR Protocol error: invalid multibulk length", fatal: true, consumed: 4))
        // Two bulks that are each within the limit but together exceed it.
        XCTAssertEqual(
            parser.parse(bytes: Array("*2\r\n$40\r\n\(String(repeating: "a", count: 40))\r\n$40\r\n".utf8)),
            .error(.resp, "ERR Protocol error: invalid bulk length", fatal: true, consumed: 56))
    }

    func testParserChecksUTF8AfterFramingTheWholeRequest() {
        let wide = RequestParser(maxRequestBytes: 1024, maxArguments: 8)
        // Non-ASCII arguments take the validating path and come back intact.
        XCTAssertEqual(
            wide.parse(bytes: Array("*2\r\n$4\r\nECHO\r\n$6\r\n東京\r\n".utf8)),
            .request(.resp, verb: "ECHO", arguments: ["東京"], consumed: 26))
        // Invalid UTF-8 in one argument: a non-fatal error that consumes the whole request.
        let bad = Array("*3\r\n$4\r\nECHO\r\n$2\r\n".utf8) + [0xC3, 0x28] + Array("\r\n$1\r\nz\r\nPING\r\n".utf8)
        XCTAssertEqual(wide.parse(bytes: bad), .error(.resp, "ERR invalid UTF-8 in request", fatal: false, consumed: 29))
        // Still incomplete: wait, whatever the bytes so far hold.
        XCTAssertEqual(wide.parse(bytes: Array(bad[0..<24])), .needMore)
        // A framing error later in the same request wins: it cannot be resynchronised.
        let broken = Array("*2\r\n$2\r\n".utf8) + [0xC3, 0x28] + Array("\r\n+x\r\n".utf8)
        XCTAssertEqual(
            wide.parse(bytes: broken), .error(.resp, "ERR Protocol error: expected '$', got '+'", fatal: true, consumed: 16))
    }

    func testInlineSplittingMatchesRedis() {
        func split(_ s: String) -> [String]? {
            let bytes = Array(s.utf8)
            return bytes.withUnsafeBytes { try? RequestParser.splitArguments($0, maxArguments: 100).get() }
        }
        XCTAssertEqual(split(#"SET k "a b""#), ["SET", "k", "a b"])
        XCTAssertEqual(split(#""\x41\x4a\x4A" "\a\b" x"#), ["AJJ", "\u{07}\u{08}", "x"])
        XCTAssertEqual(split(#"'a \"b' 'c\'d'"#), [#"a \"b"#, "c'd"])
        XCTAssertEqual(split("\t a\t\tb  "), ["a", "b"])
        XCTAssertEqual(split(#"a"b c"#), nil)
        XCTAssertEqual(split(#""ab"c"#), nil)
        XCTAssertEqual(split(#""\xZZ""#), ["xZZ"])
    }

    func testJSONEscapingKeepsOneLine() {
        let value = ReplyValue.string("line1\nline2\r\u{2028}\u{7F}\u{1F}é😀")
        XCTAssertEqual(value.jsonText(), #""line1\nline2\r\u2028\u007f\u001fé😀""#)
        XCTAssertEqual(ReplyValue.double(.nan).jsonText(), "null")
        XCTAssertEqual(ReplyValue.double(3).jsonText(), "3.0")
        XCTAssertEqual(ReplyValue.double(0.1).jsonText(), "0.1")
        XCTAssertEqual(ReplyValue.error("ERR x").jsonReplyLine(), #"{"ok":false,"error":"ERR x"}"#)
        XCTAssertEqual(ReplyValue.array([]).jsonReplyLine(), #"{"ok":true,"result":[]}"#)
        XCTAssertEqual(
            ReplyValue.object([("ok", .int(1))]).jsonReplyLine(), #"{"ok":true,"result":{"ok":1}}"#,
            "an object with its own 'ok' key is not merged")
    }

    func testRESPEncoding() {
        func r(_ v: ReplyValue) -> String { String(decoding: v.respBytes(), as: UTF8.self) }
        XCTAssertEqual(r(.null), "$-1\r\n")
        XCTAssertEqual(r(.bool(true)), ":1\r\n")
        XCTAssertEqual(r(.double(-0.5)), "$4\r\n-0.5\r\n")
        XCTAssertEqual(r(.status("line\r\nbreak")), "+line  break\r\n")
        XCTAssertEqual(r(.error("ERR a\nb")), "-ERR a b\r\n")
        XCTAssertEqual(r(.object([("k", .array([.null]))])), "*2\r\n$1\r\nk\r\n*1\r\n$-1\r\n")
        XCTAssertEqual(r(.string("")), "$0\r\n\r\n")
    }

    func testEncodableConversionKeepsNestingAndTypes() throws {
        struct Inner: Encodable { var someValue: Double; var isOn: Bool; var nothing: String? = nil }
        struct Outer: Encodable { var zeta: Int; var alphaBeta: [Inner]; var name: String; var big: UInt64 }
        let value = try ReplyValue(
            encoding: Outer(zeta: -3, alphaBeta: [Inner(someValue: 2.5, isOn: false)], name: "名\"前", big: .max))
        XCTAssertEqual(
            value,
            .object([
                ("alpha_beta", .array([.object([("is_on", .bool(false)), ("some_value", .double(2.5))])])),
                ("big", .double(Double(UInt64.max))),
                ("name", .string("名\"前")),
                ("zeta", .int(-3)),
            ]))
    }

    func testJSONParserRejectsBadInput() {
        for bad in ["{", "[1,]", #"{"a" 1}"#, "tru", #""\ud800""#, "1 2"] {
            XCTAssertThrowsError(try ReplyValue(json: Array(bad.utf8)), bad)
        }
        XCTAssertEqual(try ReplyValue(json: Array(#"["\u00e9\ud83d\ude00", 1e2]"#.utf8)), .array(["é😀", .double(100)]))
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(constantTimeEquals("secret", "secret"))
        XCTAssertFalse(constantTimeEquals("secret", "secreT"))
        XCTAssertFalse(constantTimeEquals("secret", "secret2"))
        XCTAssertFalse(constantTimeEquals("secretsecret", "secret"))  // a repeat of the shorter one
        XCTAssertFalse(constantTimeEquals("", "x"))
        XCTAssertTrue(constantTimeEquals("", ""))
    }

    func testRegistryHasBuiltinsAndAppCommands() {
        var registry = CommandRegistry()
        registry.register("sdgs", usage: "SDGS [FY n]", summary: "All goals.", arity: 0...2) { _ in .null }
        XCTAssertNotNil(registry.command(named: "SdGs"))
        XCTAssertEqual(registry.all.first?.name, "PING")
        XCTAssertEqual(registry.all.last?.name, "SDGS")
        XCTAssertEqual(registry.command(named: "SDGS")?.wrongArgumentsMessage, "ERR wrong arguments for 'SDGS': expected SDGS [FY n]")
    }

    func testRequestOption() {
        let request = Request(command: "SDG", arguments: ["3", "fy", "2024"])
        XCTAssertEqual(request.option("FY"), "2024")
        XCTAssertNil(request.option("MODE"))
    }
}
