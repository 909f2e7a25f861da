import CrosswalkWeb
import Foundation
import XCTest

/// docs/openapi.yaml names exactly the routes the server has, and each answers.
final class OpenAPITests: XCTestCase {
    static let document = SyncedDaemon.samples.deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")

    /// The keys under `paths:` (two-space indented lines ending in a colon).
    static func documentedPaths() throws -> Set<String> {
        let text = try String(contentsOf: document, encoding: .utf8)
        let body = try XCTUnwrap(text.range(of: "\npaths:\n")).upperBound
        return Set(text[body...].split(separator: "\n").compactMap { line in
            line.wholeMatch(of: /\ \ (\/\S*):/).map { String($0.output.1) }
        })
    }

    func testTheDocumentNamesEveryRouteAndNoOther() throws {
        let routes = Set(APIRoute.all.map { $0.path.replacing(/:(\w+)/) { "{\($0.output.1)}" } } + ["/healthz", "/metrics"])
        XCTAssertEqual(try Self.documentedPaths(), routes)
    }

    func testEveryDocumentedPathAnswersOnTheServer() async throws {
        let paths = try Self.documentedPaths()
        try await WebAPITests.withWeb { port in
            for path in paths.sorted() {
                var target = path.replacingOccurrences(of: "{goal}", with: "11")
                    .replacingOccurrences(of: "{program}", with: HTTPGet.encode("KitaQ DX推進事業"))
                    .replacingOccurrences(of: "{code}", with: HTTPGet.encode("III-1-(3)-④"))
                if path == "/api/search" { target += "?q=DX" }
                if path == "/api/compare" {
                    // The sample holds one year: comparing it with another is "nothing there" (404),
                    // naming the year it holds; WebCompareTests answers 200 on a multi-year corpus.
                    let response = try await HTTPGet.fetch(port: port, target + "?from=2022&to=2023")
                    XCTAssertEqual(response.status, 404, response.body)
                    XCTAssertTrue(response.body.contains("fiscal years present: 2023"), response.body)
                    continue
                }
                let response = try await HTTPGet.fetch(port: port, target)
                XCTAssertEqual(response.status, 200, "\(target): \(response.body.prefix(200))")
                let type = switch path {
                case "/healthz": "text/plain; charset=utf-8"
                case "/metrics": "text/plain; version=0.0.4; charset=utf-8"
                default: "application/json; charset=utf-8"
                }
                XCTAssertEqual(response.headers["content-type"], type, target)
            }
        }
    }
}
