import CrosswalkServer
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TestSupport
import XCTest

/// What ProtocolTests does not already cover about secrets and access: the bind address
/// on a real socket, every registered command before AUTH, every admin command, near-miss
/// tokens, HELLO's AUTH, and secrets in logs, INFO and error replies.
final class SecurityTests: XCTestCase {
    // Distinctive, so a substring search cannot match anything else.
    static let password = "pw-Q7rT2xK9"
    static let adminToken = "adm-Zp4Lm8Vc"
    static let publicCommands: Set<String> = ["PING", "AUTH", "QUIT", "HELP", "HELLO"]

    /// A server with the test command table, capturing every log line at trace level.
    private func secureServer(
        password: String? = SecurityTests.password, adminToken: String? = SecurityTests.adminToken,
        maxAuthFailures: Int = 100, authThrottle: AuthThrottle.Settings = AuthThrottle.Settings()
    ) async throws -> (port: Int, logs: LogCapture) {
        let logs = LogCapture()
        var logger = Logger(label: "test.security") { _ in CapturingLogHandler(capture: logs) }
        logger.logLevel = .trace
        let configuration = ServerConfiguration(
            port: 0, password: password, adminToken: adminToken, maxAuthFailures: maxAuthFailures,
            authThrottle: authThrottle)
        let server = LineServer(configuration: configuration, commands: testCommands(probe: Probe()), logger: logger)
        let port = try await server.start()
        addTeardownBlock { await server.shutdown() }
        return (port, logs)
    }

    /// Every command the server has, with its access, as HELP (public) reports it.
    private func registeredCommands(port: Int) async throws -> [(name: String, access: String)] {
        let client = try await TestClient.connect(port: port)
        defer { Task { await client.close() } }
        try await client.send("HELP\r\n")
        let line = try await client.readLine()
        let reply = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
        let commands = try XCTUnwrap(reply["commands"] as? [[String: Any]], line)
        return commands.map { ($0["name"] as? String ?? "?", $0["access"] as? String ?? "?") }
    }

    // MARK: Bind address

    func testDefaultBindAcceptsOnlyLoopback() async throws {
        var logger = Logger(label: "test.bind")
        logger.logLevel = .critical
        // Only the port is changed: the host is the default.
        let server = LineServer(configuration: ServerConfiguration(port: 0), logger: logger)
        let port = try await server.start()
        addTeardownBlock { await server.shutdown() }

        let local = try await TestClient.connect(port: port)
        try await local.send("PING\r\n")
        let pong = try await local.readLine()
        XCTAssertEqual(pong, #"{"ok":true,"result":"PONG"}"#)

        let external = try System.enumerateDevices().compactMap { device -> String? in
            guard let address = device.address, case .v4 = address, let ip = address.ipAddress, !ip.hasPrefix("127.")
            else { return nil }
            return ip
        }
        guard let address = external.first else {
            throw XCTSkip("this machine has no non-loopback IPv4 address to try")
        }
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .connect(host: address, port: port).get()
            try? await channel.close()
            XCTFail("the default bind accepted a connection on \(address)")
        } catch {
            // Refused: nothing listens there.
        }
    }

    // MARK: Before AUTH

    func testBeforeAuthOnlyThePublicCommandsAreServed() async throws {
        let (port, _) = try await secureServer()
        let commands = try await registeredCommands(port: port)
        XCTAssertGreaterThan(commands.count, CommandRegistry().all.count, "HELP lists the application's commands too")
        let publicOnes = Set(commands.filter { $0.access == "public" }.map(\.name))
        XCTAssertEqual(publicOnes, Self.publicCommands)

        let client = try await TestClient.connect(port: port)
        var checked = 0
        for command in commands where !Self.publicCommands.contains(command.name) {
            // Access is checked before arguments, so any argument count gets NOAUTH.
            for arguments in [[], ["1"], ["3", "FY", "2024"]] {
                let words = [command.name.lowercased()] + arguments
                try await client.send(words.joined(separator: " ") + "\r\n")
                let inline = try await client.readLine()
                XCTAssertEqual(inline, #"{"ok":false,"error":"NOAUTH Authentication required."}"#, "\(words)")
                try await client.send(respArray([command.name] + arguments))
                let viaRESP = try await client.readLine()
                XCTAssertEqual(viaRESP, "-NOAUTH Authentication required.", "\(words)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, (commands.count - Self.publicCommands.count) * 3)

        // The public ones are answered, and HELLO says nothing about the server yet.
        try await client.send("PING\r\nHELP PING\r\nHELLO 2\r\nQUIT\r\n")
        let pong = try await client.readLine()
        XCTAssertEqual(pong, #"{"ok":true,"result":"PONG"}"#)
        let help = try await client.readLine()
        XCTAssertTrue(help.hasPrefix(#"{"ok":true,"name":"PING""#), help)
        let hello = try await client.readLine()
        XCTAssertEqual(hello, #"{"ok":false,"error":"NOAUTH HELLO must be called with the client already authenticated"}"#)
        let bye = try await client.readUntilClosed()
        XCTAssertEqual(bye, #"{"ok":true,"result":"OK"}"# + "\r\n")
    }

    // MARK: Admin

    func testEveryAdminCommandNeedsTheAdminToken() async throws {
        let (port, _) = try await secureServer()
        let admin = try await registeredCommands(port: port).filter { $0.access == "admin" }.map(\.name)
        XCTAssertFalse(admin.isEmpty)
        let noperm = #"{"ok":false,"error":"NOPERM this command needs admin access: AUTH <admin-token> first"}"#

        let user = try await TestClient.connect(port: port)
        try await user.send("AUTH \(Self.password)\r\n")
        let ok = try await user.readLine()
        XCTAssertEqual(ok, #"{"ok":true,"result":"OK"}"#)
        for name in admin {
            try await user.send("\(name)\r\n")
            let refused = try await user.readLine()
            XCTAssertEqual(refused, noperm, name)
        }
        // A wrong AUTH after the password does not promote, nor demote.
        try await user.send("AUTH \(Self.adminToken)x\r\n\(admin[0])\r\nECHO still\r\n")
        let wrong = try await user.readLine()
        XCTAssertEqual(wrong, #"{"ok":false,"error":"WRONGPASS invalid password"}"#)
        let stillRefused = try await user.readLine()
        XCTAssertEqual(stillRefused, noperm)
        let still = try await user.readLine()
        XCTAssertEqual(still, #"{"ok":true,"result":"still"}"#)

        let root = try await TestClient.connect(port: port)
        try await root.send(respArray(["AUTH", Self.adminToken]) + admin.map { respArray([$0]) }.joined())
        let served = try await root.read(matching: "+OK\r\n" + String(repeating: "+OK\r\n", count: admin.count))
        XCTAssertEqual(served, "+OK\r\n" + String(repeating: "+OK\r\n", count: admin.count))
    }

    func testAdminTokenWithoutPasswordStillGatesAdminCommands() async throws {
        let (port, _) = try await secureServer(password: nil)
        let client = try await TestClient.connect(port: port)
        try await client.send("ECHO open\r\nSYNC\r\nAUTH \(Self.password)\r\nSYNC\r\nAUTH \(Self.adminToken)\r\nSYNC\r\n")
        let lines = [
            try await client.readLine(), try await client.readLine(), try await client.readLine(),
            try await client.readLine(), try await client.readLine(), try await client.readLine(),
        ]
        XCTAssertEqual(lines[0], #"{"ok":true,"result":"open"}"#)
        XCTAssertTrue(lines[1].contains("NOPERM"), lines[1])
        XCTAssertEqual(lines[2], #"{"ok":false,"error":"WRONGPASS invalid password"}"#)
        XCTAssertTrue(lines[3].contains("NOPERM"), lines[3])
        XCTAssertEqual(lines[4], #"{"ok":true,"result":"OK"}"#)
        XCTAssertEqual(lines[5], #"{"ok":true,"result":"OK"}"#)
    }

    // MARK: Wrong tokens

    func testNearMissTokensAreRejected() async throws {
        // Every near miss compared: no lockout of the address in this test.
        var unthrottled = AuthThrottle.Settings()
        unthrottled.freeFailures = 1_000
        let (port, _) = try await secureServer(authThrottle: unthrottled)
        var nearMisses: [String] = [""]
        for secret in [Self.password, Self.adminToken] {
            nearMisses += [
                String(secret.dropLast()), String(secret.dropFirst()), secret + "x", "x" + secret,
                secret.uppercased(), secret.lowercased(), " " + secret, secret + " ", secret + "\u{0}",
                secret + secret, String(secret.reversed()),
                // Full-width: the same text to a person, not to the server.
                String(secret.unicodeScalars.map { Character(UnicodeScalar($0.value + 0xFEE0) ?? $0) }),
            ]
        }
        nearMisses.append(Self.password + Self.adminToken)
        let client = try await TestClient.connect(port: port)
        for token in nearMisses {
            try await client.send(respArray(["AUTH", token]) + respArray(["ECHO", "x"]))
            try await client.send(respArray(["AUTH", Self.password, token]) + respArray(["ECHO", "x"]))
            try await client.send(respArray(["HELLO", "2", "AUTH", Self.adminToken, token]) + respArray(["ECHO", "x"]))
            let expected = String(repeating: "-WRONGPASS invalid password\r\n-NOAUTH Authentication required.\r\n", count: 3)
            let got = try await client.read(matching: expected)
            XCTAssertEqual(got, expected, token.debugDescription)
        }
        // The right one still works afterwards (100 failures allowed in this test).
        try await client.send(respArray(["AUTH", Self.password]) + respArray(["ECHO", "x"]))
        let ok = try await client.read(matching: "+OK\r\n$1\r\nx\r\n")
        XCTAssertEqual(ok, "+OK\r\n$1\r\nx\r\n")
    }

    func testHelloAuthFailuresCountTowardTheLimit() async throws {
        // HELLO 2 AUTH … must not be a way around maxAuthFailures.
        let (port, _) = try await secureServer(maxAuthFailures: 3)
        let client = try await TestClient.connect(port: port)
        try await client.send("HELLO 2 AUTH default a\r\nAUTH b\r\nHELLO 2 AUTH default c\r\nHELLO 2 AUTH default \(Self.password)\r\n")
        let all = try await client.readUntilClosed()
        let wrong = #"{"ok":false,"error":"WRONGPASS invalid password"}"# + "\r\n"
        XCTAssertEqual(all, wrong + wrong + wrong)
    }

    // MARK: Guessing across connections

    /// The issue's attack: 500 wrong AUTHs over 50 reconnections took 0.03 s, all compared.
    /// Now the address gets 5, then one per lockout, while another address (127.0.0.2, the
    /// rightful user) is answered at once, and the same address after the lockout ends.
    func testFailedAuthIsThrottledPerAddressWithoutLockingTheRightfulUserOutForLong() async throws {
        var throttle = AuthThrottle.Settings()
        throttle.freeFailures = 5  // 20 by default
        throttle.maxLockout = .seconds(2)
        let (port, _) = try await secureServer(maxAuthFailures: 10, authThrottle: throttle)
        let started = ContinuousClock.now
        var compared = 0, refused = 0
        for _ in 0..<50 {
            let attacker = try await TestClient.connect(port: port)
            try await attacker.send(String(repeating: "AUTH guess-\(UUID().uuidString.prefix(8))\r\n", count: 10))
            let replies = try await attacker.readUntilClosed().split(separator: "\r\n")
            XCTAssertEqual(replies.count, 10, "\(replies)")
            compared += replies.filter { $0.contains("WRONGPASS") }.count
            refused += replies.filter { $0.contains("ERR too many failed AUTH attempts from this address; try again in ") }.count
        }
        let elapsed = ContinuousClock.now - started
        print("SecurityTests: 500 wrong AUTHs over 50 connections in \(elapsed): \(compared) compared, \(refused) refused")
        XCTAssertEqual(compared + refused, 500)
        // 5 free, then at most one per lockout (1 s, then 2 s).
        XCTAssertLessThanOrEqual(compared, 5 + Int(elapsed.components.seconds) + 1, "in \(elapsed)")

        // Another address is not held up by this one's failures.
        let rightful = try await TestClient.connect(port: port, from: "127.0.0.2")
        try await rightful.send("AUTH \(Self.password)\r\nECHO ok\r\n")
        let welcome = [try await rightful.readLine(), try await rightful.readLine()]
        XCTAssertEqual(welcome, [#"{"ok":true,"result":"OK"}"#, #"{"ok":true,"result":"ok"}"#])

        // The locked address: refused even with the right password, then let in once the
        // lockout (at most 2 s here, 30 s by default) is over.
        // Guess until a guess is compared again: that failure starts a fresh 2 s lockout.
        var sameAddress = try await TestClient.connect(port: port)
        while true {
            try await sameAddress.send("AUTH one-more-guess\r\n")
            if try await sameAddress.readLine().contains("WRONGPASS") { break }
            await sameAddress.close()
            try await Task.sleep(for: .milliseconds(100))
            sameAddress = try await TestClient.connect(port: port)
        }
        try await sameAddress.send("AUTH \(Self.password)\r\n")
        let held = try await sameAddress.readLine()
        XCTAssertTrue(held.contains("ERR too many failed AUTH attempts"), held)
        try await Task.sleep(for: .milliseconds(2_100))
        try await sameAddress.send("AUTH \(Self.password)\r\n")
        let admitted = try await sameAddress.readLine()
        XCTAssertEqual(admitted, #"{"ok":true,"result":"OK"}"#)
    }

    /// Over all addresses: past the total per minute, addresses that have failed are refused
    /// until the minute has passed; a fresh address is still checked (clock given).
    func testFailedAuthIsThrottledInTotalAcrossAddresses() {
        var settings = AuthThrottle.Settings()
        settings.freeFailures = 5
        settings.maxTotalFailuresPerMinute = 10
        let throttle = AuthThrottle(settings: settings)
        let start = ContinuousClock.now
        for i in 0..<10 {
            XCTAssertEqual(throttle.admit("10.0.0.\(i)", now: start), .allowed)
            throttle.record("10.0.0.\(i)", succeeded: false, now: start)
        }
        XCTAssertEqual(throttle.admit("10.0.0.3", now: start + .seconds(1)), .refused(retryAfterSeconds: 59))
        XCTAssertEqual(throttle.admit("10.0.0.99", now: start + .seconds(1)), .allowed, "an address that never failed")
        XCTAssertEqual(throttle.admit("10.0.0.3", now: start + .seconds(61)), .allowed, "a minute later")
        // Per address: 5 free, then 1 s, 2 s, 4 s … up to 30 s; a success clears it.
        for _ in 0..<5 { throttle.record("10.0.1.1", succeeded: false, now: start) }
        XCTAssertEqual(throttle.admit("10.0.1.1", now: start + .seconds(61)), .allowed)
        for _ in 0..<5 { throttle.record("10.0.1.1", succeeded: false, now: start + .seconds(61)) }
        XCTAssertEqual(throttle.admit("10.0.1.1", now: start + .seconds(61)), .refused(retryAfterSeconds: 30), "the most")
        XCTAssertEqual(throttle.admit("10.0.1.1", now: start + .seconds(92)), .allowed)
        throttle.record("10.0.1.1", succeeded: true, now: start + .seconds(92))
        throttle.record("10.0.1.1", succeeded: false, now: start + .seconds(92))
        XCTAssertEqual(throttle.admit("10.0.1.1", now: start + .seconds(92)), .allowed, "a success starts afresh")
    }

    // MARK: What is public before AUTH

    func testBeforeAuthAnUnknownCommandAnswersNOAUTHAndBareHelloIsPublic() async throws {
        let (port, _) = try await secureServer()
        let client = try await TestClient.connect(port: port)
        try await client.send("FROB\r\n" + respArray(["NOSUCH", "x"]) + "HELLO\r\nHELLO 3\r\n")
        let frob = try await client.readLine()
        XCTAssertEqual(frob, #"{"ok":false,"error":"NOAUTH Authentication required."}"#)
        let nosuch = try await client.readLine()
        XCTAssertEqual(nosuch, "-NOAUTH Authentication required.")
        let hello = try await client.readLine()
        XCTAssertTrue(hello.hasPrefix(#"{"ok":true,"server":"crosswalk","version":"#), hello)
        XCTAssertTrue(hello.contains(#""proto":2"#), hello)
        let switchVersion = try await client.readLine()
        XCTAssertEqual(switchVersion, #"{"ok":false,"error":"NOAUTH HELLO must be called with the client already authenticated"}"#)
        // After AUTH an unknown command is named as before.
        try await client.send("AUTH \(Self.password)\r\nFROB\r\n")
        _ = try await client.readLine()
        let unknown = try await client.readLine()
        XCTAssertEqual(unknown, #"{"ok":false,"error":"ERR unknown command 'FROB'"}"#)
    }

    // MARK: Secrets never shown

    func testLogsNeverContainTokens() async throws {
        let (port, logs) = try await secureServer(maxAuthFailures: 3)
        let wrongTokens = ["wrong-A1b2C3d4", "wrong-E5f6G7h8", "wrong-I9j0K1l2"]
        let failing = try await TestClient.connect(port: port)
        try await failing.send(
            "AUTH \(wrongTokens[0])\r\nAUTH default \(wrongTokens[1])\r\nHELLO 2 AUTH default \(wrongTokens[2])\r\n")
        _ = try await failing.readUntilClosed()  // three failures: closed

        let good = try await TestClient.connect(port: port)
        try await good.send(
            "AUTH \(Self.password)\r\nHELLO 2 AUTH default \(Self.adminToken) SETNAME n\r\nSYNC\r\nBROKEN\r\n*1\r\n$x\r\n")
        _ = try await good.readUntilClosed()  // the malformed RESP closes it

        let lines = try await logs.waitFor { lines in
            lines.filter { $0.contains("authentication failed") }.count == 3 && lines.contains { $0.contains("protocol error") }
        }
        XCTAssertTrue(lines.contains { $0.contains("authenticated as admin") }, "trace logs were captured")
        for secret in wrongTokens + [Self.password, Self.adminToken] {
            let leaking = lines.filter { $0.contains(secret) }
            XCTAssertEqual(leaking, [], "a log line holds \(secret)")
        }
    }

    func testInfoAndIntrospectionNeverShowSecrets() async throws {
        let (port, _) = try await secureServer()
        let client = try await TestClient.connect(port: port)
        try await client.send("AUTH \(Self.adminToken)\r\n")
        _ = try await client.readLine()
        var requests = ["INFO", "INFO everything", "INFO server", "INFO clients", "CLIENT INFO", "HELLO 2", "HELP", "COMMAND"]
        requests += ["CONFIG GET requirepass", "CONFIG GET *", "INFO requirepass"]
        for request in requests {
            try await client.send(request + "\r\n")
            let json = try await client.readLine()
            XCTAssertTrue(json.hasPrefix(#"{"ok":"#), json)
            for secret in [Self.password, Self.adminToken] {
                XCTAssertFalse(json.contains(secret), "\(request) shows a secret: \(json)")
            }
        }
        try await client.send(respArray(["INFO"]) + respArray(["PING", "end"]))
        let raw = try await readUntil(client, suffix: "$3\r\nend\r\n")
        XCTAssertTrue(raw.contains("# Server\r\n"), raw)
        for secret in [Self.password, Self.adminToken] {
            XCTAssertFalse(raw.contains(secret), "RESP INFO shows a secret")
        }
    }

    func testErrorRepliesNeverEchoSecretsOrTokens() async throws {
        let (port, _) = try await secureServer()
        let submitted = "tok-M3n4O5p6"
        // Requests around AUTH that carry a token or touch access; none may come back in a reply.
        let requests = [
            "AUTH \(submitted)", "AUTH default \(submitted)", "AUTH a b \(Self.password)", "AUTH",
            "HELLO 2 AUTH default \(submitted)", "HELLO 4 AUTH default \(Self.password)",
            "HELLO 2 AUTH default", "HELLO 2 SETNAME", "SYNC", "INFO", "ECHO x", "OUTPUT resp",
            "AUTH \(Self.password)", "SYNC", "AUTH \(submitted)", "HELLO 2 AUTH default \(submitted)",
            "HELLO 4", "AUTH \(Self.adminToken) extra words", "SELECT 9", "CLIENT SETNAME \"a b\"",
        ]
        let client = try await TestClient.connect(port: port)
        var errors = 0
        for request in requests {
            try await client.send(request + "\r\n")
            let reply = try await client.readLine()
            if reply.contains(#""ok":false"#) { errors += 1 }
            for secret in [Self.password, Self.adminToken, submitted] {
                XCTAssertFalse(reply.contains(secret), "\(request) → \(reply)")
            }
        }
        XCTAssertGreaterThanOrEqual(errors, requests.count - 3, "almost every request here is an error")
    }

    /// Reads until the received text ends with `suffix`.
    private func readUntil(_ client: TestClient, suffix: String) async throws -> String {
        var text = ""
        while !text.hasSuffix(suffix) {
            text += try await client.readLine() + "\r\n"
        }
        return text
    }
}

/// Encodes a request as RESP from an array (TestSupport's `resp` is variadic).
func respArray(_ args: [String]) -> String {
    "*\(args.count)\r\n" + args.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
}

/// Log lines as text (message, then metadata), kept for the test to search.
final class LogCapture: Sendable {
    private let box = NIOLockedValueBox([String]())

    func append(_ line: String) { box.withLockedValue { $0.append(line) } }

    /// Waits until `ready` holds for the lines so far (logging happens on the event loop).
    func waitFor(_ ready: @Sendable ([String]) -> Bool, timeout: Duration = .seconds(15)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let lines = box.withLockedValue { $0 }
            if ready(lines) { return lines }
            if ContinuousClock.now > deadline { throw TestTimeout(what: "log lines") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append("\(event.level) \(event.message) \(fields)")
    }
}
