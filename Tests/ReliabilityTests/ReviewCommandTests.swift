import Foundation
import TestSupport
import XCTest

/// The SDG review from the built binary: `crosswalk report review` on the synced sample,
/// and `crosswalk review-eval` reproducing the figures docs/REVIEW.md writes down.
final class ReviewCommandTests: XCTestCase {
    func testReportReviewWritesTheThreeGroups() async throws {
        let database = try await TestDatabase.create()
        let folder = try temporaryFolder("review-src")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Samples/digital_R5.txt"), to: folder.appendingPathComponent("digital_R5.txt"))
        let synced = try await CrosswalkBinary.sync(database: database, source: folder)
        XCTAssertEqual(synced.status, "ok", synced.errors)

        let (ended, output, errors) = try await Spawned.run(
            try CrosswalkBinary.path(), ["report", "review", "--fiscal-year", "R5", "--format", "md", "--database", database])
        XCTAssertEqual(ended, .exited(0), errors)
        for text in ["# SDGs タグの点検 2023年度", "## 根拠のないタグ", "## 強い根拠があるのにタグのないゴール", "## ゴールのない事業への提案",
                     "デジタルデバイド対策事業"] {
            XCTAssertTrue(output.contains(text), "\(text) in\n\(output)")
        }
        let (badEnded, _, badErrors) = try await Spawned.run(
            try CrosswalkBinary.path(), ["report", "review", "--mode", "split", "--database", database])
        XCTAssertNotEqual(badEnded, .exited(0))
        XCTAssertTrue(badErrors.contains("--mode applies to the sdg report only"), badErrors)
    }

    func testReviewEvalReproducesTheFiguresInTheDocs() async throws {
        let (ended, output, errors) = try await Spawned.run(
            try CrosswalkBinary.path(),
            ["review-eval", repositoryRoot.appendingPathComponent("Benchmarks/review/labelled.tsv").path,
             repositoryRoot.appendingPathComponent("Samples/digital_R5.txt").path])
        XCTAssertEqual(ended, .exited(0), errors)
        let docs = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/REVIEW.md"), encoding: .utf8)
        let figures = output.split(separator: "\n").filter { !$0.hasPrefix("miss") }
        XCTAssertEqual(figures.count, 10, output)
        for line in figures {
            XCTAssertTrue(docs.contains(line), "docs/REVIEW.md shows the line the command prints: \(line)")
        }
        XCTAssertTrue(figures[0].hasSuffix("without evidence 0"), "no suggestion without evidence: \(figures[0])")

        let badFolder = try temporaryFolder("review-bad")
        defer { try? FileManager.default.removeItem(at: badFolder) }
        let bad = badFolder.appendingPathComponent("bad.tsv")
        try "id\tfield\tgoals\tname\tsummary\tindicator\nX1\twelfare\t18\t事業\t\t\n".write(to: bad, atomically: true, encoding: .utf8)
        let (badEnded, _, badErrors) = try await Spawned.run(try CrosswalkBinary.path(), ["review-eval", bad.path])
        XCTAssertEqual(badEnded, .exited(2))
        XCTAssertTrue(badErrors.contains("bad.tsv:2:3: goal '18' is not a number from 1 to 17"), badErrors)
    }
}
