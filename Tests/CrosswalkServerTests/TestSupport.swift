import CrosswalkServer
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TestSupport
import XCTest

/// Lets a test see when a slow command has started.
final class Probe: Sendable {
    private let box = NIOLockedValueBox(0)
    func hit() { box.withLockedValue { $0 += 1 } }
    var count: Int { box.withLockedValue { $0 } }

    func waitFor(_ n: Int, timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        while count < n {
            if ContinuousClock.now > deadline { throw TestTimeout(what: "probe \(n)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

struct Sample: Codable, Sendable {
    struct Row: Codable, Sendable {
        var goalNumber: Int
        var share: Double
        var label: String?
    }
    var fiscalYear: Int
    var rows: [Row]
    var flagged: Bool
}

/// What `CACHED` answers: encoded once, like the daemon's answer cache.
let cachedReply = EncodedReply(.array([.string("cached"), .int(7), .object([("k", .bool(true))])]))

/// A small command table registered the way the application registers its own.
func testCommands(probe: Probe) -> CommandRegistry {
    var commands = CommandRegistry()
    commands.register("ECHO", usage: "ECHO <text>", summary: "Reply with the text.", arity: 1...1) { request in
        .string(request.arguments[0])
    }
    commands.register(
        "ARGS", usage: "ARGS [arg …]", summary: "Reply with the arguments as received.", arity: 0...Int.max
    ) { request in
        .array(request.arguments.map { .string($0) })
    }
    commands.register(
        "SLEEPY", usage: "SLEEPY <ms> [label]", summary: "Sleep, then reply.", arity: 1...2,
        validate: { Int($0[0]) != nil }
    ) { request in
        probe.hit()
        try await Task.sleep(for: .milliseconds(Int(request.arguments[0])!))
        return .string(request.arguments.count > 1 ? request.arguments[1] : "slept")
    }
    commands.register(
        "SDG", usage: "SDG <1-17> [FY n]", summary: "One goal.", arity: 1...3,
        validate: { args in
            guard let goal = Int(args[0]), (1...17).contains(goal) else { return false }
            if args.count == 1 { return true }
            return args.count == 3 && args[1].uppercased() == "FY" && Int(args[2]) != nil
        }
    ) { request in
        .object([
            ("goal", .int(Int64(request.arguments[0])!)),
            ("fy", request.option("FY").flatMap { Int64($0) }.map { .int($0) } ?? .null),
        ])
    }
    commands.register(
        "SYNC", usage: "SYNC", summary: "Admin only.", access: .admin
    ) { _ in .ok }
    commands.register("TABLE", usage: "TABLE", summary: "A Codable result.") { _ in
        try ReplyValue(
            encoding: Sample(
                fiscalYear: 2024,
                rows: [.init(goalNumber: 3, share: 0.25, label: "健康"), .init(goalNumber: 11, share: 1, label: nil)],
                flagged: true))
    }
    commands.register("SHAPES", usage: "SHAPES", summary: "Every kind of value.") { _ in
        .object([
            ("null", .null), ("yes", .bool(true)), ("no", .bool(false)), ("n", .int(-7)), ("x", .double(1.5)),
            ("s", .string("a\"b\\c\nd\te\u{01}日本")), ("list", .array([.int(1), .string("two")])),
            ("status", .status("OK")),
        ])
    }
    commands.register("NUMBER", usage: "NUMBER", summary: "A bare integer.") { _ in .int(42) }
    commands.register("CACHED", usage: "CACHED", summary: "One encoded reply, served every time.") { _ in
        .encoded(cachedReply)
    }
    commands.register("MISSING", usage: "MISSING <code>", summary: "Throws not-found.", arity: 1...1) { request in
        throw CommandError.notFound("no policy '\(request.arguments[0])'")
    }
    commands.register("PICKY", usage: "PICKY <even number>", summary: "Handler rejects odd.", arity: 1...1) {
        request in
        guard let n = Int(request.arguments[0]), n % 2 == 0 else { throw CommandError.wrongArguments }
        return .int(Int64(n))
    }
    commands.register("BROKEN", usage: "BROKEN", summary: "Throws an unexpected error.") { _ in
        struct Secret: Error {}
        throw Secret()
    }
    return commands
}

/// Starts a server on 127.0.0.1, port 0, and stops it when the test ends.
func startServer(
    _ test: XCTestCase,
    configure: (inout ServerConfiguration) -> Void = { _ in },
    info: InfoProvider? = nil,
    probe: Probe = Probe()
) async throws -> (LineServer, Int) {
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
    configure(&configuration)
    var logger = Logger(label: "test.server")
    logger.logLevel = .critical
    let server = LineServer(configuration: configuration, commands: testCommands(probe: probe), info: info, logger: logger)
    let port = try await server.start()
    test.addTeardownBlock { await server.shutdown() }
    return (server, port)
}
