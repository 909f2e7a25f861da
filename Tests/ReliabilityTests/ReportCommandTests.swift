import Foundation
import TestSupport
import XCTest

/// `crosswalk report` as a planner runs it: era years, the format from the file name.
final class ReportCommandTests: XCTestCase {
    func testEraYearsAndTheFormatFromTheOutFileName() async throws {
        let database = try await TestDatabase.create()
        let folder = try temporaryFolder("report-src")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Samples/digital_R5.txt"), to: folder.appendingPathComponent("digital_R5.txt"))
        let synced = try await CrosswalkBinary.sync(database: database, source: folder)
        XCTAssertEqual(synced.status, "ok", synced.errors)

        let csv = folder.appendingPathComponent("sdg.csv")
        let (ended, _, errors) = try await Spawned.run(
            try CrosswalkBinary.path(), ["report", "sdg", "--fiscal-year", "R5", "--out", csv.path, "--database", database])
        XCTAssertEqual(ended, .exited(0), errors)
        let bytes = try Data(contentsOf: csv)
        XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF], "CSV for Excel, chosen by the .csv extension")
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).contains("2023,settled,gross"))

        let html = folder.appendingPathComponent("sdg.html")
        let (htmlEnded, _, htmlErrors) = try await Spawned.run(
            try CrosswalkBinary.path(), ["report", "sdg", "--fiscal-year", "令和5", "--out", html.path, "--database", database])
        XCTAssertEqual(htmlEnded, .exited(0), htmlErrors)
        XCTAssertTrue(try String(contentsOf: html, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))

        let (badEnded, _, badErrors) = try await Spawned.run(
            try CrosswalkBinary.path(), ["report", "sdg", "--fiscal-year", "R", "--database", database])
        XCTAssertNotEqual(badEnded, .exited(0))
        XCTAssertTrue(badErrors.contains("such as 2023, R5 or 令和5, not 'R'"), badErrors)
        let (noFormat, _, noFormatErrors) = try await Spawned.run(
            try CrosswalkBinary.path(), ["report", "sdg", "--out", folder.appendingPathComponent("sdg.xlsx").path, "--database", database])
        XCTAssertNotEqual(noFormat, .exited(0))
        XCTAssertTrue(noFormatErrors.contains("give --format"), noFormatErrors)
    }
}
