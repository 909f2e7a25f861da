import CrosswalkServer
import Foundation
import Logging
import TestSupport
import XCTest

/// A seeded, bounded fuzzer against a real `LineServer` over real sockets.
///
/// Each input goes to its own connection, sent in random-sized chunks. Inputs whose
/// answer is known (malformed RESP, oversized requests, invalid UTF-8, NUL bytes,
/// interleaved valid requests) are checked byte for byte; random bytes are checked for
/// well-formed replies and a closed connection. After every batch a fresh connection
/// must still get PONG, and at the end the process's resident memory must not have
/// grown past a bound.
///
/// Reproduce or extend a run: `CROSSWALK_FUZZ_SEED=… CROSSWALK_FUZZ_BATCHES=…`.
final class ProtocolFuzzTests: XCTestCase {
    static let maxRequestBytes = 64 * 1024

    func testFuzzedInputNeverCrashesOrWedgesTheServer() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["CROSSWALK_FUZZ_SEED"] ?? "") ?? 0x0C05_5A1C
        let batches = Int(ProcessInfo.processInfo.environment["CROSSWALK_FUZZ_BATCHES"] ?? "") ?? 40
        let perBatch = 25
        let port = try await fuzzServer()

        // Warm up first so the baseline already holds NIO's pools and the runtime's caches.
        try await runBatch(port: port, seed: seed &+ 0xFFFF, index: 0, count: perBatch)
        let before = try residentBytes()

        var kinds: [String: Int] = [:]
        var readInFull = 0
        for batch in 1...batches {
            let done = try await runBatch(port: port, seed: seed, index: batch, count: perBatch)
            for input in done {
                kinds[input.kind, default: 0] += 1
                if !input.serverCloses { readInFull += input.bytes.count }
            }
            let alive = try await TestClient.connect(port: port)
            try await alive.send(resp("PING"))
            let pong = try await alive.readLine()
            XCTAssertEqual(pong, "+PONG", "after batch \(batch) (seed \(seed))")
            await alive.close()
        }

        let after = try residentBytes()
        let total = kinds.values.reduce(0, +)
        let mix = kinds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("ProtocolFuzzTests: \(total) fuzzed connections in \(batches) batches, seed \(seed): \(mix)")
        print(
            "ProtocolFuzzTests: \(readInFull >> 20) MiB read in full and answered;"
                + " resident memory \(before >> 20) MiB before, \(after >> 20) MiB after")
        XCTAssertEqual(total, batches * perBatch)
        // Generous on purpose: growth seen here is under 10 MiB and stays flat at 4x the batches,
        // but the test process holds the clients too, malloc keeps freed arenas, and NIO pools
        // buffers. It catches a buffer sized from a claimed length ($9999999999), and input or
        // connection state kept after the connection is gone once the volume passes the bound
        // (the default run reads ~21 MiB in full; CROSSWALK_FUZZ_BATCHES=160 reads ~85 MiB).
        XCTAssertLessThan(after - before, 64 << 20, "RSS grew from \(before >> 20) MiB to \(after >> 20) MiB")
    }

    // MARK: The server and one batch

    /// A server with a small command table: nothing a random input could make slow.
    private func fuzzServer() async throws -> Int {
        var commands = CommandRegistry()
        commands.register("ECHO", usage: "ECHO <text>", summary: "Reply with the text.", arity: 1...1) { request in
            .string(request.arguments[0])
        }
        var logger = Logger(label: "test.fuzz")
        logger.logLevel = .critical
        let server = LineServer(
            configuration: ServerConfiguration(
                host: "127.0.0.1", port: 0, maxRequestBytes: Self.maxRequestBytes),
            commands: commands, logger: logger)
        let port = try await server.start()
        addTeardownBlock { await server.shutdown() }
        return port
    }

    /// Runs `count` inputs concurrently (a few at a time); returns them.
    @discardableResult
    private func runBatch(port: Int, seed: UInt64, index: Int, count: Int) async throws -> [FuzzInput] {
        try await withThrowingTaskGroup(of: FuzzInput.self) { group in
            var done: [FuzzInput] = []
            for i in 0..<count {
                if i >= 6 { done.append(try await group.next()!) }
                // One generator per input, so an input is reproducible alone.
                var rng = Xorshift(seed: seed ^ UInt64(index * 1_000 + i) &* 0x2545_F491_4F6C_DD1D)
                let input = FuzzInput.make(&rng, maxRequestBytes: Self.maxRequestBytes)
                let chunking = rng.next()
                group.addTask {
                    try await Self.check(input, port: port, chunking: chunking)
                    return input
                }
            }
            for try await input in group { done.append(input) }
            return done
        }
    }

    private static func check(_ input: FuzzInput, port: Int, chunking: UInt64) async throws {
        var rng = Xorshift(seed: chunking)
        let client = try await TestClient.connect(port: port)
        defer { Task { await client.close() } }
        let context = "\(input.kind): \(input.preview)"
        // Random chunking exercises requests split across reads.
        var offset = 0
        while offset < input.bytes.count {
            let size = min(input.bytes.count - offset, 1 + Int(rng.next() % 24_000))
            // The server may close mid-send (fatal inputs): a failed write is expected then.
            do {
                try await client.send(bytes: Array(input.bytes[offset..<(offset + size)]))
            } catch {
                break
            }
            offset += size
        }
        if !input.serverCloses {
            // Nothing more from us: the server must answer what it got, then close.
            try? await client.shutdownOutput()
        }
        // The server only ever sends UTF-8 (it escapes bytes it reports), so this is lossless.
        let received = Array(try await client.readUntilClosed().utf8)
        let replies: [Reply]
        do {
            replies = try Reply.scan(received)
        } catch {
            XCTFail("malformed reply stream \(String(decoding: received.prefix(200), as: UTF8.self).debugDescription) for \(context)")
            return
        }
        switch input.expect {
        case .wellFormed:
            break
        case .exactly(let expected):
            XCTAssertEqual(String(decoding: received, as: UTF8.self), expected, context)
        case .fatal(let message):
            XCTAssertEqual(replies.last?.error, message, context)
        }
    }

    private func residentBytes() throws -> Int {
        // statm: size resident shared … in pages.
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let fields = statm.split(separator: " ")
        let pages = try XCTUnwrap(Int(fields[1]))
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

// MARK: Inputs

private struct FuzzInput: Sendable {
    enum Expectation: Sendable {
        /// Any replies, as long as they parse; the connection closes after our half-close.
        case wellFormed
        /// These exact bytes, then a close after our half-close.
        case exactly(String)
        /// The server answers (after any earlier replies) with this error and closes by itself.
        case fatal(String)
    }

    var kind: String
    var bytes: [UInt8]
    var expect: Expectation

    var serverCloses: Bool {
        if case .fatal = expect { return true }
        return false
    }

    var preview: String {
        String(decoding: bytes.prefix(80), as: UTF8.self).debugDescription + " (\(bytes.count) bytes)"
    }

    static let invalidBulkLength = "ERR Protocol error: invalid bulk length"
    static let invalidMultibulk = "ERR Protocol error: invalid multibulk length"
    static let tooBigInline = "ERR Protocol error: too big inline request"
    static let pong = #"{"ok":true,"result":"PONG"}"# + "\r\n"

    static func make(_ rng: inout Xorshift, maxRequestBytes: Int) -> FuzzInput {
        switch rng.next() % 12 {
        case 0: return randomBytes(&rng)
        case 1: return truncatedRESP(&rng)
        case 2: return oversizedRESP(&rng, maxRequestBytes: maxRequestBytes)
        case 3: return hugeBulkLength(&rng)
        case 4: return garbageLength(&rng)
        case 5: return deepArray(&rng)
        case 6: return invalidUTF8(&rng)
        case 7: return megabyteLine(&rng)
        case 8: return nulBytes(&rng)
        case 9: return interleaved(&rng)
        case 10: return mutatedValid(&rng)
        default: return largeRequests(&rng, maxRequestBytes: maxRequestBytes)
        }
    }

    /// Uniform random bytes, half of them looking like RESP at first.
    static func randomBytes(_ rng: inout Xorshift) -> FuzzInput {
        let count = 1 + Int(rng.next() % (rng.next() % 8 == 0 ? 70_000 : 4_096))
        var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        if rng.next() % 2 == 0 { bytes[0] = UInt8(ascii: "*") }
        return FuzzInput(kind: "random", bytes: bytes, expect: .wellFormed)
    }

    /// A valid request cut short: no reply, and the server closes at our EOF.
    static func truncatedRESP(_ rng: inout Xorshift) -> FuzzInput {
        let full = Array(resp("ECHO", rng.word(maxLength: 300)).utf8)
        let cut = 1 + Int(rng.next() % UInt64(full.count - 1))
        return FuzzInput(kind: "truncated", bytes: Array(full[..<cut]), expect: .exactly(""))
    }

    /// A bulk string, or the sum of them, over the request limit; the bytes follow anyway.
    static func oversizedRESP(_ rng: inout Xorshift, maxRequestBytes: Int) -> FuzzInput {
        if rng.next() % 2 == 0 {
            let length = maxRequestBytes + 1 + Int(rng.next() % 100_000)
            let body = "*2\r\n$4\r\nECHO\r\n$\(length)\r\n" + String(repeating: "x", count: length) + "\r\n"
            return FuzzInput(kind: "oversized", bytes: Array(body.utf8), expect: .fatal(invalidBulkLength))
        }
        // Each part fits; together they do not.
        let part = maxRequestBytes / 2 + 1
        let x = String(repeating: "x", count: part)
        let body = "*3\r\n$4\r\nECHO\r\n$\(part)\r\n\(x)\r\n$\(part)\r\n\(x)\r\n"
        return FuzzInput(kind: "oversized", bytes: Array(body.utf8), expect: .fatal(invalidBulkLength))
    }

    static func hugeBulkLength(_ rng: inout Xorshift) -> FuzzInput {
        let lengths = ["9999999999", "99999999999999999999", "18446744073709551616", "9223372036854775807", "4294967296"]
        let length = lengths[Int(rng.next() % UInt64(lengths.count))]
        let body = "*2\r\n$4\r\nECHO\r\n$\(length)\r\n" + rng.word(maxLength: 64)
        return FuzzInput(kind: "huge-length", bytes: Array(body.utf8), expect: .fatal(invalidBulkLength))
    }

    /// Negative, empty and non-numeric lengths. `*-1` / `*0` are empty requests (as in Redis),
    /// so a PING after them must still be answered.
    static func garbageLength(_ rng: inout Xorshift) -> FuzzInput {
        let bulk = ["-1", "-5", "", " 5", "5x", "+5", "0x10", "1e9", "--1", "\u{FF}"]
        let multi = ["abc", "", "1x", "+1", " 2", "99999", "99999999999999999999", "-", "1.5"]
        switch rng.next() % 3 {
        case 0:
            let length = bulk[Int(rng.next() % UInt64(bulk.count))]
            return FuzzInput(
                kind: "garbage-length", bytes: Array("*1\r\n$\(length)\r\nPING\r\n".utf8),
                expect: .fatal(invalidBulkLength))
        case 1:
            let count = multi[Int(rng.next() % UInt64(multi.count))]
            return FuzzInput(
                kind: "garbage-length", bytes: Array("*\(count)\r\n$4\r\nPING\r\n".utf8), expect: .fatal(invalidMultibulk))
        default:
            let count = ["-1", "0", "-7"][Int(rng.next() % 3)]
            return FuzzInput(kind: "garbage-length", bytes: Array("*\(count)\r\nPING\r\n".utf8), expect: .exactly(pong))
        }
    }

    /// Arrays nested up to 50,000 deep: requests are flat, so the first nested `*` is an error
    /// (and nothing recurses).
    static func deepArray(_ rng: inout Xorshift) -> FuzzInput {
        let depth = 1 + Int(rng.next() % 50_000)
        let body = String(repeating: "*1\r\n", count: depth + 1) + "$4\r\nPING\r\n"
        return FuzzInput(
            kind: "deep-array", bytes: Array(body.utf8), expect: .fatal("ERR Protocol error: expected '$', got '*'"))
    }

    /// Invalid UTF-8 in an inline or RESP argument: an error for that request only.
    static func invalidUTF8(_ rng: inout Xorshift) -> FuzzInput {
        let bad: [[UInt8]] = [[0x80], [0xBF, 0x41], [0xC0, 0x80], [0xC3], [0xE3, 0x81], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE, 0xFF]]
        let chosen = bad[Int(rng.next() % UInt64(bad.count))]
        let argument = Array(rng.word(maxLength: 8).utf8) + chosen + Array(rng.word(maxLength: 8).utf8)
        if rng.next() % 2 == 0 {
            return FuzzInput(
                kind: "invalid-utf8", bytes: Array("ECHO ".utf8) + argument + Array("\r\nPING\r\n".utf8),
                expect: .exactly(#"{"ok":false,"error":"ERR invalid UTF-8 in request"}"# + "\r\n" + pong))
        }
        let bytes = Array("*2\r\n$4\r\nECHO\r\n$\(argument.count)\r\n".utf8) + argument + Array("\r\n".utf8) + Array(resp("PING").utf8)
        return FuzzInput(kind: "invalid-utf8", bytes: bytes, expect: .exactly("-ERR invalid UTF-8 in request\r\n+PONG\r\n"))
    }

    /// A 1 MiB inline line (with or without its newline), after a request that is answered first.
    static func megabyteLine(_ rng: inout Xorshift) -> FuzzInput {
        var bytes = Array("PING\r\nECHO ".utf8) + [UInt8](repeating: UInt8(ascii: "m"), count: 1 << 20)
        if rng.next() % 2 == 0 { bytes += Array("\r\n".utf8) }
        return FuzzInput(kind: "1MiB-line", bytes: bytes, expect: .fatal(tooBigInline))
    }

    /// NUL is an ordinary byte inside an argument, in both framings.
    static func nulBytes(_ rng: inout Xorshift) -> FuzzInput {
        let word = rng.word(maxLength: 10)
        let argument = "\u{0}\(word)\u{0}"
        let inline = "ECHO \(argument)\r\n"
        let json = #"{"ok":true,"result":"\u0000\#(word)\u0000"}"# + "\r\n"
        let viaRESP = resp("ECHO", argument)
        let respReply = "$\(argument.utf8.count)\r\n\(argument)\r\n"
        let verb = "\u{0}\r\n"
        let unknown = #"{"ok":false,"error":"ERR unknown command '\u0000'"}"# + "\r\n"
        return FuzzInput(
            kind: "nul", bytes: Array((inline + viaRESP + verb).utf8), expect: .exactly(json + respReply + unknown))
    }

    /// Valid requests in both framings, mixed, with their exact replies.
    static func interleaved(_ rng: inout Xorshift) -> FuzzInput {
        var request = ""
        var reply = ""
        for _ in 0..<(1 + rng.next() % 30) {
            let word = rng.word(maxLength: 40)
            let inline = rng.next() % 2 == 0
            switch rng.next() % 4 {
            case 0:
                request += inline ? "PING\r\n" : resp("PING")
                reply += inline ? pong : "+PONG\r\n"
            case 1:
                request += inline ? "ECHO \(word)\n" : resp("ECHO", word)
                reply += inline ? #"{"ok":true,"result":"\#(word)"}"# + "\r\n" : "$\(word.utf8.count)\r\n\(word)\r\n"
            case 2:
                request += inline ? "FROB\r\n" : resp("FROB", word)
                reply += inline ? #"{"ok":false,"error":"ERR unknown command 'FROB'"}"# + "\r\n" : "-ERR unknown command 'FROB'\r\n"
            default:
                request += inline ? "\r\n" : "*0\r\n"  // empty requests get no reply
            }
        }
        return FuzzInput(kind: "interleaved", bytes: Array(request.utf8), expect: .exactly(reply))
    }

    /// About 256 KiB of pipelined requests just under the size limit, all read and answered:
    /// this is what pushes real volume through the server for the memory check.
    static func largeRequests(_ rng: inout Xorshift, maxRequestBytes: Int) -> FuzzInput {
        var request = ""
        var reply = ""
        for _ in 0..<4 {
            let text = String(repeating: "l", count: maxRequestBytes - 64 - Int(rng.next() % 1_000))
            if rng.next() % 2 == 0 {
                request += "ECHO \(text)\r\n"
                reply += #"{"ok":true,"result":"\#(text)"}"# + "\r\n"
            } else {
                request += resp("ECHO", text)
                reply += "$\(text.utf8.count)\r\n\(text)\r\n"
            }
        }
        return FuzzInput(kind: "large", bytes: Array(request.utf8), expect: .exactly(reply))
    }

    /// Valid pipelined requests with a few bytes flipped, dropped or repeated.
    static func mutatedValid(_ rng: inout Xorshift) -> FuzzInput {
        var bytes = interleaved(&rng).bytes
        for _ in 0..<(1 + rng.next() % 6) where !bytes.isEmpty {
            let at = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 3 {
            case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1: bytes.remove(at: at)
            default: bytes.insert(bytes[at], at: at)
            }
        }
        return FuzzInput(kind: "mutated", bytes: bytes, expect: .wellFormed)
    }
}

/// A small seeded generator (xorshift64*), so runs are reproducible.
struct Xorshift {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// A word of letters, digits and Japanese: no spaces, quotes or escapes, nothing JSON escapes.
    mutating func word(maxLength: Int) -> String {
        let alphabet = Array("abcXYZ019_-.:日本語子育て支援ＤＸ②")
        let count = 1 + Int(next() % UInt64(maxLength))
        return String((0..<count).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] })
    }
}

// MARK: Replies

/// One top-level reply read back from the server, in either form.
struct Reply {
    /// The error text (without `-`), if the reply is an error.
    var error: String?

    struct Malformed: Error {}

    /// Splits a reply stream into replies; throws if any is not valid JSON-line or RESP2.
    static func scan(_ bytes: [UInt8]) throws -> [Reply] {
        var replies: [Reply] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "{") {
                let line = try Self.line(bytes, from: &i)
                let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
                guard let ok = object?["ok"] as? Bool else { throw Malformed() }
                if ok {
                    replies.append(Reply(error: nil))
                } else {
                    guard let error = object?["error"] as? String else { throw Malformed() }
                    replies.append(Reply(error: error))
                }
            } else {
                let isError = bytes[i] == UInt8(ascii: "-")
                let text = try respValue(bytes, from: &i)
                replies.append(Reply(error: isError ? text : nil))
            }
        }
        return replies
    }

    /// The bytes up to CRLF; moves `i` past it.
    private static func line(_ bytes: [UInt8], from i: inout Int) throws -> [UInt8] {
        var j = i
        while j + 1 < bytes.count, !(bytes[j] == 0x0D && bytes[j + 1] == 0x0A) { j += 1 }
        guard j + 1 < bytes.count else { throw Malformed() }
        let line = Array(bytes[i..<j])
        i = j + 2
        return line
    }

    /// One RESP2 value; returns the text of a simple string or error.
    private static func respValue(_ bytes: [UInt8], from i: inout Int) throws -> String {
        let type = bytes[i]
        i += 1
        let header = try line(bytes, from: &i)
        let text = String(decoding: header, as: UTF8.self)
        switch type {
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            return text
        case UInt8(ascii: ":"):
            guard Int64(text) != nil else { throw Malformed() }
            return text
        case UInt8(ascii: "$"):
            guard let length = Int(text), length >= -1 else { throw Malformed() }
            if length == -1 { return "" }
            guard i + length + 2 <= bytes.count, bytes[i + length] == 0x0D, bytes[i + length + 1] == 0x0A else {
                throw Malformed()
            }
            i += length + 2
            return ""
        case UInt8(ascii: "*"):
            guard let count = Int(text), count >= -1 else { throw Malformed() }
            for _ in 0..<max(count, 0) {
                guard i < bytes.count else { throw Malformed() }
                _ = try respValue(bytes, from: &i)
            }
            return ""
        default:
            throw Malformed()
        }
    }
}
