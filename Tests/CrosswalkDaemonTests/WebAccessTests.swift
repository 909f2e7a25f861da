import CrosswalkDaemon
import Foundation
import XCTest

/// With a password set, the pages need the login form's session cookie and the API a
/// bearer token; `/healthz` stays open, as HEALTH does.
final class WebAccessTests: XCTestCase {
    func testAPasswordGuardsPagesAndAPI() async throws {
        try await SyncedDaemon.run(configure: { $0.httpPort = 0; $0.server.password = "s3cret pass" }) { daemon, _, _ in
            let port = await daemon.web!.boundPort()

            let anonymous = try await HTTPGet.fetch(port: port, "/api/duplicates?fy=2023")
            XCTAssertEqual(anonymous.status, 401)
            XCTAssertEqual(anonymous.json["error"] as? String, "NOAUTH Authentication required.")
            XCTAssertEqual(anonymous.headers["www-authenticate"], "Bearer")
            let wrongToken = try await HTTPGet.fetch(port: port, "/api/duplicates", headers: ["Authorization: Bearer nope"])
            XCTAssertEqual(wrongToken.status, 401)
            let token = try await HTTPGet.fetch(port: port, "/api/duplicates?fy=2023", headers: ["Authorization: Bearer s3cret pass"])
            XCTAssertEqual(token.status, 200)
            XCTAssertEqual(token.json["double_counted"] as? Int, 94923)
            let health = try await HTTPGet.fetch(port: port, "/healthz")
            XCTAssertEqual(health.status, 200)

            let page = try await HTTPGet.fetch(port: port, "/duplicates?fy=2023")
            XCTAssertEqual(page.status, 303)
            XCTAssertEqual(page.headers["location"], "/login?next=%2Fduplicates%3Ffy%3D2023")
            XCTAssertFalse(page.body.contains("94,923"))
            let form = try await HTTPGet.fetch(port: port, "/login?next=%2Fduplicates%3Ffy%3D2023")
            XCTAssertEqual(form.status, 200)
            XCTAssertTrue(form.body.contains("type=\"password\""))

            let refused = try await HTTPGet.fetch(port: port, "/login", method: "POST", body: "password=wrong&next=%2Fduplicates")
            XCTAssertEqual(refused.status, 401)
            XCTAssertNil(refused.headers["set-cookie"])

            let login = try await HTTPGet.fetch(port: port, "/login", method: "POST", body: "password=s3cret+pass&next=%2Fduplicates%3Ffy%3D2023")
            XCTAssertEqual(login.status, 303, login.body)
            XCTAssertEqual(login.headers["location"], "/duplicates?fy=2023")
            let setCookie = try XCTUnwrap(login.headers["set-cookie"])
            XCTAssertTrue(setCookie.contains("HttpOnly"), setCookie)
            XCTAssertTrue(setCookie.contains("SameSite=Strict"), setCookie)
            let cookie = try XCTUnwrap(setCookie.split(separator: ";").first.map(String.init))

            let withCookie = try await HTTPGet.fetch(port: port, "/duplicates?fy=2023", headers: ["Cookie: \(cookie)"])
            XCTAssertEqual(withCookie.status, 200)
            XCTAssertTrue(withCookie.body.contains("94,923"))
            XCTAssertTrue(withCookie.body.contains("action=\"/logout\""), "a logout button")
            let apiWithCookie = try await HTTPGet.fetch(port: port, "/api/sdgs", headers: ["Cookie: other=1; \(cookie)"])
            XCTAssertEqual(apiWithCookie.status, 200)
            let forged = try await HTTPGet.fetch(port: port, "/duplicates", headers: ["Cookie: crosswalk_session=0123456789abcdef"])
            XCTAssertEqual(forged.status, 303)

            // Only paths on this server are returned to after login.
            let away = try await HTTPGet.fetch(port: port, "/login", method: "POST", body: "password=s3cret+pass&next=%2F%2Fevil.example%2F")
            XCTAssertEqual(away.headers["location"], "/")

            let logout = try await HTTPGet.fetch(port: port, "/logout", method: "POST", headers: ["Cookie: \(cookie)"], body: "")
            XCTAssertEqual(logout.status, 303)
            XCTAssertTrue(logout.headers["set-cookie"]?.contains("Max-Age=0") == true)
            let afterLogout = try await HTTPGet.fetch(port: port, "/duplicates", headers: ["Cookie: \(cookie)"])
            XCTAssertEqual(afterLogout.status, 303)
        }
    }

    func testWithoutAPasswordThereIsNoLogin() async throws {
        try await WebAPITests.withWeb { port in
            let page = try await HTTPGet.fetch(port: port, "/duplicates?fy=2023")
            XCTAssertEqual(page.status, 200)
            let login = try await HTTPGet.fetch(port: port, "/login")
            XCTAssertEqual(login.status, 404)
        }
    }
}
