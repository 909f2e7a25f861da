import CrosswalkServer
import XCTest

/// The connection's state changes, without a socket: what AUTH, HELLO, OUTPUT and CLIENT
/// SETNAME do to a `Session`.
final class SessionTests: XCTestCase {
    let open = ServerConfiguration()
    let guarded = ServerConfiguration(password: "secret", adminToken: "admin-token")

    func testANewSessionIsAuthenticatedOnlyWhenNoPasswordIsConfigured() {
        XCTAssertTrue(Session(connectionID: 1, configuration: open).isAuthenticated)
        XCTAssertFalse(Session(connectionID: 1, configuration: guarded).isAuthenticated)
        // An admin token alone does not lock the connection; it only guards admin commands.
        XCTAssertTrue(Session(connectionID: 1, configuration: ServerConfiguration(adminToken: "t")).isAuthenticated)
        XCTAssertFalse(Session(connectionID: 1, configuration: guarded).isAdmin)
    }

    func testThePasswordAuthenticatesAndTheAdminTokenAlsoGrantsAdmin() {
        var session = Session(connectionID: 1, configuration: guarded)
        XCTAssertEqual(session.authenticate(token: "secret", configuration: guarded), .authenticated)
        XCTAssertTrue(session.isAuthenticated)
        XCTAssertFalse(session.isAdmin)

        var admin = Session(connectionID: 2, configuration: guarded)
        XCTAssertEqual(admin.authenticate(token: "admin-token", configuration: guarded), .authenticatedAsAdmin)
        XCTAssertTrue(admin.isAuthenticated)
        XCTAssertTrue(admin.isAdmin)
    }

    func testAWrongTokenCountsAFailureAndChangesNothingElse() {
        var session = Session(connectionID: 1, configuration: guarded)
        for attempt in 1...3 {
            XCTAssertEqual(session.authenticate(token: "guess\(attempt)", configuration: guarded), .wrongToken)
            XCTAssertEqual(session.authFailures, attempt)
        }
        XCTAssertFalse(session.isAuthenticated)
        XCTAssertFalse(session.hasTooManyAuthFailures(limit: 4))
        XCTAssertTrue(session.hasTooManyAuthFailures(limit: 3))
        // A later right token still works; the failures stay counted.
        XCTAssertEqual(session.authenticate(token: "secret", configuration: guarded), .authenticated)
        XCTAssertEqual(session.authFailures, 3)
    }

    func testAuthWithoutAnySecretConfiguredIsRefusedWithoutCountingAFailure() {
        var session = Session(connectionID: 1, configuration: open)
        XCTAssertEqual(session.authenticate(token: "anything", configuration: open), .nothingConfigured)
        XCTAssertEqual(session.authFailures, 0)
    }

    func testOutputModeDecidesTheReplyFormatOrFollowsTheFraming() {
        var session = Session(connectionID: 1, configuration: open)
        XCTAssertEqual(session.outputMode, .auto)
        XCTAssertEqual(session.replyFormat(for: .inline), .json)
        XCTAssertEqual(session.replyFormat(for: .resp), .resp)
        session.setOutput("RESP")
        XCTAssertEqual(session.replyFormat(for: .inline), .resp)
        session.setOutput("json")
        XCTAssertEqual(session.replyFormat(for: .resp), .json)
        session.setOutput("auto")
        XCTAssertEqual(session.replyFormat(for: .resp), .resp)
    }

    func testClientSetNameWithAnEmptyNameClearsIt() {
        var session = Session(connectionID: 1, configuration: open)
        session.setClientName("reporter")
        XCTAssertEqual(session.clientName, "reporter")
        session.setClientName("")
        XCTAssertNil(session.clientName)
    }

    func testHelloAgreesOnProtocolTwoOrThreeOnly() {
        var session = Session(connectionID: 1, configuration: open)
        XCTAssertEqual(session.hello(["4"], configuration: open), .unsupportedVersion)
        XCTAssertEqual(session.hello(["1"], configuration: open), .unsupportedVersion)
        XCTAssertEqual(session.hello(["three"], configuration: open), .unsupportedVersion)
        XCTAssertEqual(session.hello([], configuration: open), .agreed(auth: nil))
        XCTAssertEqual(session.hello(["2"], configuration: open), .agreed(auth: nil))
        XCTAssertEqual(session.protocolVersion, 2)
    }

    func testHelloThreeSwitchesRESPRepliesToRESP3AndHelloTwoSwitchesBack() {
        var session = Session(connectionID: 1, configuration: open)
        XCTAssertEqual(session.hello(["3"], configuration: open), .agreed(auth: nil))
        XCTAssertEqual(session.protocolVersion, 3)
        XCTAssertEqual(session.replyFormat(for: .resp), .resp3)
        XCTAssertEqual(session.replyFormat(for: .inline), .json, "inline requests keep their JSON lines")
        session.setOutput("resp")
        XCTAssertEqual(session.replyFormat(for: .inline), .resp3, "OUTPUT resp speaks the agreed version")
        session.setOutput("json")
        XCTAssertEqual(session.replyFormat(for: .resp), .json)
        session.setOutput("auto")
        XCTAssertEqual(session.hello([], configuration: open), .agreed(auth: nil))
        XCTAssertEqual(session.protocolVersion, 3, "HELLO without a version keeps the protocol")
        XCTAssertEqual(session.hello(["4"], configuration: open), .unsupportedVersion)
        XCTAssertEqual(session.protocolVersion, 3, "a refused version changes nothing")
        XCTAssertEqual(session.hello(["2"], configuration: open), .agreed(auth: nil))
        XCTAssertEqual(session.replyFormat(for: .resp), .resp)
    }

    func testHelloThreeWithAuthAndSetNameSwitchesOnlyWhenAllSucceed() {
        var session = Session(connectionID: 1, configuration: guarded)
        XCTAssertEqual(
            session.hello(["3", "AUTH", "default", "wrong", "SETNAME", "py"], configuration: guarded),
            .authFailed(.wrongToken))
        XCTAssertEqual(session.protocolVersion, 2, "a failed AUTH leaves the connection on RESP2")
        XCTAssertEqual(session.hello(["3", "SETNAME", "py"], configuration: guarded), .notAuthenticated)
        XCTAssertEqual(session.protocolVersion, 2)
        XCTAssertEqual(
            session.hello(["3", "AUTH", "default", "secret", "SETNAME", "py"], configuration: guarded),
            .agreed(auth: .authenticated))
        XCTAssertTrue(session.isAuthenticated)
        XCTAssertEqual(session.clientName, "py")
        XCTAssertEqual(session.protocolVersion, 3)
    }

    func testHelloAuthenticatesAndNamesTheClientInOneStep() {
        var session = Session(connectionID: 1, configuration: guarded)
        XCTAssertEqual(
            session.hello(["2", "AUTH", "default", "secret", "SETNAME", "worker-1"], configuration: guarded),
            .agreed(auth: .authenticated))
        XCTAssertTrue(session.isAuthenticated)
        XCTAssertEqual(session.clientName, "worker-1")
    }

    func testHelloStopsAtAFailedAuthAndCountsIt() {
        var session = Session(connectionID: 1, configuration: guarded)
        XCTAssertEqual(
            session.hello(["2", "AUTH", "default", "wrong", "SETNAME", "worker-1"], configuration: guarded),
            .authFailed(.wrongToken))
        XCTAssertEqual(session.authFailures, 1)
        XCTAssertNil(session.clientName, "options after the failed AUTH are not applied")
        XCTAssertFalse(session.isAuthenticated)
    }

    func testHelloRefusesUnknownOptionsAndUnauthenticatedClients() {
        var session = Session(connectionID: 1, configuration: guarded)
        XCTAssertEqual(session.hello(["2", "LOUDLY"], configuration: guarded), .malformed)
        XCTAssertEqual(session.hello(["2", "SETNAME"], configuration: guarded), .malformed)
        XCTAssertEqual(session.hello(["2"], configuration: guarded), .notAuthenticated)
    }
}
