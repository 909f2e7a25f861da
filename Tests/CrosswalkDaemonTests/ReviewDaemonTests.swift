import CrosswalkDaemon
import Foundation
import TestSupport
import XCTest

/// REVIEW SDG through the daemon: the protocol answer over a real socket, the same
/// answer at /api/review/sdg, and the /review page rendered by headless Chromium.
final class ReviewDaemonTests: XCTestCase {
    private func ask(_ port: Int, _ line: String) async throws -> String {
        let client = try await TestClient.connect(port: port)
        defer { Task { await client.close() } }
        try await client.send(line + "\r\n")
        return try await client.readLine()
    }

    func testReviewAnswersOverTheProtocolTheAPIAndThePageInChromium() async throws {
        let browser = try WebBrowserTests.chromium()
        try await SyncedDaemon.run(configure: { $0.httpPort = 0 }) { daemon, port, _ in
            let line = try await ask(port, "REVIEW SDG FY 2023")
            let review = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
            XCTAssertEqual(review["programs"] as? Int, 6)
            XCTAssertEqual(review["fiscal_year"] as? Int, 2023)
            let withoutEvidence = try XCTUnwrap(review["tagged_without_evidence"] as? [[String: Any]])
            let strong = try XCTUnwrap(review["strong_evidence_untagged"] as? [[String: Any]])
            XCTAssertNotNil(review["no_goal"] as? [Any])
            XCTAssertFalse(withoutEvidence.isEmpty || strong.isEmpty, line)
            for entry in withoutEvidence + strong {
                for suggestion in try XCTUnwrap(entry["suggestions"] as? [[String: Any]]) {
                    XCTAssertFalse((suggestion["evidence"] as? [Any] ?? []).isEmpty, "\(suggestion)")
                }
            }
            let wrong = try await ask(port, "REVIEW FOO")
            XCTAssertTrue(wrong.contains("wrong arguments for 'REVIEW'"), wrong)
            let badYear = try await ask(port, "REVIEW SDG FY someday")
            XCTAssertTrue(badYear.contains("FY must be a fiscal year"), badYear)

            let web = try XCTUnwrap(daemon.web)
            let webPort = await web.boundPort()
            let api = try await HTTPGet.fetch(port: webPort, "/api/review/sdg?fy=2023")
            XCTAssertEqual(api.status, 200, api.body)
            XCTAssertEqual(api.json["programs"] as? Int, 6)

            let dom = try WebBrowserTests.run(browser, ["--dump-dom", "http://127.0.0.1:\(webPort)/review?fy=2023"])
            for text in ["SDGs タグの点検", "根拠のないタグ", "強い根拠があるのにタグのないゴール", "ゴールのない事業への提案",
                         "市職員のテレワーク推進", "テレワーク[name]"] {
                XCTAssertTrue(dom.contains(text), "the rendered review page shows \(text)")
            }
            let file = WebBrowserTests.screenshots.appendingPathComponent("review.png")
            try FileManager.default.createDirectory(at: WebBrowserTests.screenshots, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: file)
            _ = try WebBrowserTests.run(browser, ["--screenshot=\(file.path)", "--window-size=1280,2400", "http://127.0.0.1:\(webPort)/review?fy=2023"])
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "screenshot of /review")
        }
    }
}
