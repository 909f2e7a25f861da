import CrosswalkDaemon
import Foundation
import TestSupport
import XCTest

/// COMPARE over the protocol and the year-over-year page, on a corpus generate.py wrote
/// with programs renamed, moved and retagged between years (`--evolve`), served by the
/// real daemon and rendered by headless Chromium.
final class WebCompareTests: XCTestCase {
    /// generate.py --evolve --truth: the documents folder and the first year pair with a renamed program.
    static func evolvedCorpus(into folder: URL) throws -> (docs: URL, organization: String, from: Int, to: Int, renamedTo: String) {
        let corpus = try EvolvedCorpus.generate(into: folder, listings: 300, seed: 11)
        let truth = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: corpus.truthFile)) as? [[String: Any]])
        let pair = try XCTUnwrap(truth.first { !(($0["renamed"] as? [Any]) ?? []).isEmpty })
        let renamed = try XCTUnwrap((pair["renamed"] as? [[String: Any]])?.first?["new"] as? String)
        return (corpus.documents, pair["organization"] as! String, pair["from"] as! Int, pair["to"] as! Int,
                String(renamed.split(separator: "|")[0]))
    }

    func testComparePageAndCommandOnAnEvolvedCorpus() async throws {
        let browser = try WebBrowserTests.chromium()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-yoy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = try Self.evolvedCorpus(into: folder)
        try await SyncedDaemon.run(configure: { $0.sync.sources = [corpus.docs.path]; $0.httpPort = 0 }) { daemon, port, _ in
            // The protocol: the answer, and errors that name the argument.
            let connection = try await JSONOverRESP.connect(port: port)
            try await connection.send([
                ["COMPARE", "FY", "\(corpus.from)", "FY", "\(corpus.to)", "ORG", corpus.organization],
                ["COMPARE", "FY", "\(corpus.to)", "FY", "\(corpus.from)"],
                ["COMPARE", "FY", "R9x", "FY", "\(corpus.to)"],
                ["COMPARE", "FY", "\(corpus.from)"],
                ["COMPARE", "FY", "\(corpus.from)", "FY", "\(corpus.to)", "AMOUNT", "yen"],
            ])
            let answer = try await connection.reply()
            XCTAssertTrue(answer.ok, answer.raw)
            XCTAssertTrue(answer.raw.contains("\"renamed\":[{"), "a renamed candidate: \(answer.raw.prefix(400))")
            let outOfOrder = try await connection.reply()
            XCTAssertEqual(outOfOrder.error, "ERR the first FY must be earlier than the second (FY \(corpus.to) FY \(corpus.from))")
            let badYear = try await connection.reply()
            XCTAssertEqual(badYear.error, "ERR the first FY must be a fiscal year such as 2023, R5 or 令和5, not 'R9x'")
            let short = try await connection.reply()
            XCTAssertTrue(short.error?.hasPrefix("ERR wrong arguments for 'COMPARE'") == true, short.raw)
            let badAmount = try await connection.reply()
            XCTAssertEqual(badAmount.error, "ERR AMOUNT must be budget, settled or personnel, not 'yen'")
            await connection.close()

            // The page, over HTTP and in the browser.
            let webPort = await daemon.web!.boundPort()
            let target = "/compare?from=\(corpus.from)&to=\(corpus.to)&org=\(HTTPGet.encode(corpus.organization))"
            let page = try await HTTPGet.fetch(port: webPort, target)
            XCTAssertEqual(page.status, 200, page.body)
            for text in ["名称変更・移管の候補", "ゴール別の増減（千円、按分: ゴール数で等分）", "新規の事業", "終了した事業", corpus.renamedTo] {
                XCTAssertTrue(page.body.contains(text), "the compare page shows \(text)")
            }
            XCTAssertFalse(page.body.contains("<script"))
            let form = try await HTTPGet.fetch(port: webPort, "/compare")
            XCTAssertEqual(form.status, 200)
            XCTAssertTrue(form.body.contains("name=\"from\""), "without years, the form to choose them")
            let backwards = try await HTTPGet.fetch(port: webPort, "/compare?from=\(corpus.to)&to=\(corpus.from)")
            XCTAssertEqual(backwards.status, 400)
            XCTAssertTrue(backwards.body.contains("the first FY must be earlier"), backwards.body)

            // The API: the protocol's answer, the years as `from` and `to`.
            let api = try await HTTPGet.fetch(port: webPort, "/api/compare?from=\(corpus.from)&to=\(corpus.to)&org=\(HTTPGet.encode(corpus.organization))")
            XCTAssertEqual(api.status, 200, api.body.prefix(300).description)
            XCTAssertEqual(api.json["from"] as? Int, corpus.from)
            XCTAssertFalse((api.json["renamed"] as? [Any] ?? []).isEmpty)
            let oneYear = try await HTTPGet.fetch(port: webPort, "/api/compare?from=\(corpus.from)")
            XCTAssertEqual(oneYear.status, 400)
            XCTAssertTrue(oneYear.body.contains("wrong arguments for 'COMPARE'"), oneYear.body)
            let unknown = try await HTTPGet.fetch(port: webPort, "/api/compare?from=\(corpus.from)&to=\(corpus.to)&fy=2023")
            XCTAssertEqual(unknown.status, 400)
            XCTAssertTrue(unknown.body.contains("unknown query parameter 'fy'"), unknown.body)

            let dom = try WebBrowserTests.run(browser, ["--dump-dom", "http://127.0.0.1:\(webPort)\(target)"])
            XCTAssertTrue(dom.contains(corpus.renamedTo), "the rendered page shows the renamed candidate")
            XCTAssertTrue(dom.contains("名称変更・移管の候補"))
            try FileManager.default.createDirectory(at: WebBrowserTests.screenshots, withIntermediateDirectories: true)
            let file = WebBrowserTests.screenshots.appendingPathComponent("compare.png")
            try? FileManager.default.removeItem(at: file)
            _ = try WebBrowserTests.run(browser, ["--screenshot=\(file.path)", "--window-size=1280,2400", "http://127.0.0.1:\(webPort)\(target)"])
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "screenshot of the compare page")
        }
    }
}
