import Foundation
import XCTest

/// The pages in a real browser: headless Chromium (Debian's `chromium`, installed by
/// Deploy/install-test-deps.sh) renders them, the rendered DOM must show the sample's
/// figures, and a screenshot of each page is written for a person to look at
/// (`.build/web-screenshots/`, or CROSSWALK_SCREENSHOTS).
final class WebBrowserTests: XCTestCase {
    static let pages = [
        ("sdg", "/?fy=2023"), ("sdg-split", "/?fy=2023&mode=split&amount=budget"), ("duplicates", "/duplicates?fy=2023"),
        ("goal-11", "/sdg/11?fy=2023"), ("search", "/search?q=%E3%83%86%E3%83%AC%E3%83%AF%E3%83%BC%E3%82%AF"), ("conflicts", "/conflicts"), ("similar", "/similar?fy=2023"), ("indicators", "/indicators?fy=2023"),
    ]

    static var screenshots: URL {
        if let folder = ProcessInfo.processInfo.environment["CROSSWALK_SCREENSHOTS"] { return URL(fileURLWithPath: folder) }
        return SyncedDaemon.samples.deletingLastPathComponent().appendingPathComponent(".build/web-screenshots")
    }

    /// Fails (never skips) without a browser: the test is the proof that the page renders.
    static func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw MissingBrowser("chromium is not installed: run Deploy/install-test-deps.sh (Debian package chromium)")
    }

    func testPagesRenderTheSamplesFiguresInHeadlessChromium() async throws {
        let browser = try Self.chromium()
        try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
        try await WebAPITests.withWeb { port in
            let duplicates = try Self.run(browser, ["--dump-dom", "http://127.0.0.1:\(port)/duplicates?fy=2023"])
            for text in ["290,665", "94,923", "KitaQ DX推進事業", "市職員のテレワーク推進"] {
                XCTAssertTrue(duplicates.contains(text), "the rendered duplicates page shows \(text)")
            }
            let home = try Self.run(browser, ["--dump-dom", "http://127.0.0.1:\(port)/?fy=2023"])
            XCTAssertTrue(home.contains("290,665"), "the rendered SDG page shows the de-duplicated total")
            XCTAssertTrue(home.contains("<svg"), "the chart is in the rendered page")

            let program = try XCTUnwrap(duplicates.firstMatch(of: /href="(\/program\/\d+)[^"]*"/)?.output.1)
            for (name, path) in Self.pages + [("program", String(program)), ("policy", "/policy/III-1-(3)-%E2%91%A3")] {
                let file = Self.screenshots.appendingPathComponent("\(name).png")
                try? FileManager.default.removeItem(at: file)
                _ = try Self.run(browser, ["--screenshot=\(file.path)", "--window-size=1280,2400", "http://127.0.0.1:\(port)\(path)"])
                XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "screenshot of \(path)")
            }
            let phone = Self.screenshots.appendingPathComponent("duplicates-phone.png")
            _ = try Self.run(browser, ["--screenshot=\(phone.path)", "--window-size=390,1600", "http://127.0.0.1:\(port)/duplicates?fy=2023"])
            XCTAssertTrue(FileManager.default.fileExists(atPath: phone.path))
        }
    }

    /// Runs headless Chromium once with a throwaway profile; its standard output.
    static func run(_ browser: String, _ arguments: [String]) throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--hide-scrollbars", "--user-data-dir=\(profile.path)", "--virtual-time-budget=3000"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "chromium \(arguments.joined(separator: " "))")
        return String(decoding: data, as: UTF8.self)
    }
}

/// Thrown, so the test fails with the way to fix it (a skip would pass silently).
struct MissingBrowser: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
