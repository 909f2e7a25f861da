import CrosswalkDaemon
import Foundation
import XCTest

/// The pages over the real daemon: the sample's figures, links, headers, and escaping of
/// whatever the tables hold.
final class WebPageTests: XCTestCase {
    func testPagesShowTheSamplesFiguresWithStableLinks() async throws {
        try await WebAPITests.withWeb { port in
            let home = try await HTTPGet.fetch(port: port, "/?fy=2023&mode=split&amount=settled")
            XCTAssertEqual(home.status, 200, home.body)
            XCTAssertEqual(home.headers["content-type"], "text/html; charset=utf-8")
            XCTAssertTrue(home.headers["content-security-policy"]?.contains("default-src 'none'") == true)
            XCTAssertTrue(home.body.contains("290,665"), "de-duplicated total on the SDG page")
            XCTAssertTrue(home.body.contains("<svg class=\"chart\""), "the shared chart")
            XCTAssertTrue(home.body.contains("href=\"/sdg/13?fy=2023\""), "goals link to their programs")
            XCTAssertTrue(home.body.contains("fill=\"#3F7E44\""), "SDG 13 in its official colour")
            XCTAssertTrue(home.body.contains("按分"), "the counting rule is stated")
            XCTAssertTrue(home.body.contains("最終同期"), "the last sync is shown")
            XCTAssertFalse(home.body.contains("<script"), "no scripts")

            let duplicates = try await HTTPGet.fetch(port: port, "/duplicates?fy=2023")
            XCTAssertEqual(duplicates.status, 200)
            for text in ["290,665", "94,923", "385,588", "KitaQ DX推進事業", "市職員のテレワーク推進", "（再掲）"] {
                XCTAssertTrue(duplicates.body.contains(text), "duplicates page shows \(text)")
            }

            let goal = try await HTTPGet.fetch(port: port, "/sdg/11?fy=2023")
            XCTAssertEqual(goal.status, 200)
            XCTAssertTrue(goal.body.contains("KitaQ DX推進事業"))
            let programLink = try XCTUnwrap(goal.body.firstMatch(of: /href="(\/program\/\d+)"/)?.output.1)
            let program = try await HTTPGet.fetch(port: port, String(programLink))
            XCTAssertEqual(program.status, 200, program.body)

            let search = try await HTTPGet.fetch(port: port, "/search?q=\(HTTPGet.encode("テレワーク"))")
            XCTAssertTrue(search.body.contains("市職員のテレワーク推進"))
            let conflicts = try await HTTPGet.fetch(port: port, "/conflicts")
            XCTAssertEqual(conflicts.status, 200)
            let similar = try await HTTPGet.fetch(port: port, "/similar?fy=2023")
            XCTAssertEqual(similar.status, 200, similar.body)
            XCTAssertTrue(similar.body.contains("似ている事業"), "the similar-programs page")
            let indicators = try await HTTPGet.fetch(port: port, "/indicators?fy=2023")
            XCTAssertEqual(indicators.status, 200, indicators.body)
            XCTAssertTrue(indicators.body.contains("テレワーク"), "the indicators page lists the sample's indicators")

            let missing = try await HTTPGet.fetch(port: port, "/program/\(HTTPGet.encode("ない事業"))")
            XCTAssertEqual(missing.status, 404)
            XCTAssertTrue(missing.body.contains("NOTFOUND no program"))
            let bad = try await HTTPGet.fetch(port: port, "/?fy=\(HTTPGet.encode("<b>"))")
            XCTAssertEqual(bad.status, 400)
            XCTAssertTrue(bad.body.contains("not &#39;&lt;b&gt;&#39;"), "the error text is escaped too")
            let unknown = try await HTTPGet.fetch(port: port, "/nothing/here")
            XCTAssertEqual(unknown.status, 404)
        }
    }

    func testHostileProgramNamesAreEscapedEverywhere() async throws {
        let hostile = #"<script>alert("x")</script> & 'q'"#
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"
        // Two years, so that /compare shows the name too.
        let folder = try SyncedDaemon.twoYearSamples { $0.replacingOccurrences(of: "KitaQ DX推進事業", with: hostile) }
        defer { try? FileManager.default.removeItem(at: folder) }
        try await SyncedDaemon.run(configure: { $0.sync.sources = [folder.path]; $0.httpPort = 0 }) { daemon, _, _ in
            let port = await daemon.web!.boundPort()
            let search = try await HTTPGet.fetch(port: port, "/search?q=\(HTTPGet.encode("<script>"))")
            let id = try XCTUnwrap(search.body.firstMatch(of: /href="\/program\/(\d+)"/)?.output.1)
            for target in ["/duplicates?fy=2023", "/?fy=2023", "/sdg/11?fy=2023", "/review?fy=2023", "/program/\(id)", "/search?q=\(HTTPGet.encode("<script>"))",
                           "/compare?from=2022&to=2023"] {
                let page = try await HTTPGet.fetch(port: port, target)
                XCTAssertEqual(page.status, 200, target)
                XCTAssertTrue(page.body.contains(escaped), "\(target) shows the name escaped")
                XCTAssertFalse(page.body.contains("<script"), "\(target) carries no script element")
                XCTAssertFalse(page.body.contains(hostile), target)
            }
            // The API gives the name back as JSON text, unchanged.
            let api = try await HTTPGet.fetch(port: port, "/api/program/\(id)")
            XCTAssertEqual(api.json["name"] as? String, hostile)
        }
    }
}
