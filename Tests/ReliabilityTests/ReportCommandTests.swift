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

    /// `crosswalk report compare --from --to` in every format; years out of order or
    /// options of other reports are refused with the option named.
    func testCompareReportFromTheCommandLine() async throws {
        let database = try await TestDatabase.create()
        let sample = try temporaryFolder("compare-src")
        defer { try? FileManager.default.removeItem(at: sample) }
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Samples/digital_R5.txt"), to: sample.appendingPathComponent("digital_R5.txt"))
        let synced = try await CrosswalkBinary.sync(database: database, source: sample)
        XCTAssertEqual(synced.status, "ok", synced.errors)
        // The sample is FY2023 only: a year it does not hold is named, never "every program new".
        let (oneYear, oneYearOutput, oneYearErrors) = try await Spawned.run(
            try CrosswalkBinary.path(), ["report", "compare", "--from", "R4", "--to", "2023", "--database", database])
        XCTAssertEqual(oneYear, .exited(2), oneYearOutput)
        XCTAssertTrue(oneYearErrors.contains("no listings for fiscal year 2022 (令和4年度); fiscal years present: 2023 (令和5年度)"), oneYearErrors)

        // Consecutive years from the generator: every format shows the continuing programs.
        let generated = try EvolvedCorpus.generate(into: try temporaryFolder("compare-corpus"), listings: 200, seed: 5)
        defer { try? FileManager.default.removeItem(at: generated.folder) }
        let years = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: generated.truthFile)) as? [[String: Any]])
        let pair = try XCTUnwrap(years.first { !(($0["continuing"] as? [Any]) ?? []).isEmpty })
        let (from, to) = (try XCTUnwrap(pair["from"] as? Int), try XCTUnwrap(pair["to"] as? Int))
        let evolved = try await TestDatabase.create()
        let loaded = try await CrosswalkBinary.sync(database: evolved, source: generated.documents)
        XCTAssertEqual(loaded.status, "ok", loaded.errors)
        for (format, expected) in [("json", "\"continuing\": ["), ("csv", "\(from),\(to),settled,"), ("md", "## 継続"),
                                   ("html", "<h2>継続")] {
            let (ended, output, errors) = try await Spawned.run(
                try CrosswalkBinary.path(), ["report", "compare", "--from", "\(from)", "--to", "\(to)", "--format", format, "--database", evolved])
            XCTAssertEqual(ended, .exited(0), errors)
            XCTAssertTrue(output.contains(expected), "\(format): \(output.prefix(400))")
        }
        for (arguments, message) in [
            (["compare", "--from", "2023", "--to", "2022"], "--from must be earlier than --to"),
            (["compare", "--from", "2022"], "compare needs --from and --to"),
            (["compare", "--from", "2022", "--to", "2023", "--fiscal-year", "2023"], "compare takes --from and --to, not --fiscal-year"),
            (["sdg", "--from", "2022"], "--from and --to apply to the compare report only"),
            (["compare", "--from", "X", "--to", "2023"], "--from takes a fiscal year such as 2023, R5 or 令和5, not 'X'"),
        ] {
            let (ended, _, errors) = try await Spawned.run(try CrosswalkBinary.path(), ["report"] + arguments + ["--database", database])
            XCTAssertEqual(ended, .exited(2), "\(arguments)")
            XCTAssertTrue(errors.contains(message), "\(arguments): \(errors)")
        }
    }

    /// Never a silent empty answer from the CLI: a report over an empty store, or for a year
    /// or organization that matches nothing, exits 2 naming what there is; every one-shot
    /// command first says which database it uses; `list` shows the organizations; a dry run
    /// says what it would apply.
    func testNothingThereIsAnErrorAndTheDatabaseIsNamed() async throws {
        let database = try await TestDatabase.create()
        let binary = try CrosswalkBinary.path()
        let (emptyEnded, emptyOut, emptyErrors) = try await Spawned.run(binary, ["report", "sdg", "--format", "csv", "--database", database])
        XCTAssertEqual(emptyEnded, .exited(2), emptyErrors)
        XCTAssertEqual(emptyOut, "", "no page of zeros")
        let lines = emptyErrors.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("crosswalk: database: ") == true, emptyErrors)
        XCTAssertTrue(lines.contains("crosswalk: error: the store holds no documents: sync a source folder first (crosswalk sync --source DIR, or SYNC)"), emptyErrors)

        let folder = try temporaryFolder("report-scope")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Samples/digital_R5.txt"), to: folder.appendingPathComponent("digital_R5.txt"))
        let (dryEnded, dryOut, _) = try await Spawned.run(binary, ["sync", "--dry-run", "--database", database, "--source", folder.path])
        XCTAssertEqual(dryEnded, .exited(0))
        XCTAssertTrue(dryOut.contains("1 would apply") && dryOut.contains("nothing written"), dryOut)
        XCTAssertFalse(dryOut.contains(" applied"), dryOut)
        _ = try await CrosswalkBinary.sync(database: database, source: folder)

        let (yearEnded, _, yearErrors) = try await Spawned.run(binary, ["report", "sdg", "--fiscal-year", "R4", "--database", database])
        XCTAssertEqual(yearEnded, .exited(2))
        XCTAssertTrue(yearErrors.contains("crosswalk: error: no listings for fiscal year 2022 (令和4年度); fiscal years present: 2023 (令和5年度)"), yearErrors)
        let (orgEnded, _, orgErrors) = try await Spawned.run(binary, ["report", "sdg", "--organization", "nobody", "--database", database])
        XCTAssertEqual(orgEnded, .exited(2))
        XCTAssertTrue(orgErrors.contains("no organization 'nobody'; organizations present: "), orgErrors)

        let (listEnded, listOut, listErrors) = try await Spawned.run(binary, ["list", "organizations", "--database", database])
        XCTAssertEqual(listEnded, .exited(0), listErrors)
        let listed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(listOut.utf8)) as? [String: Any])
        XCTAssertEqual((listed["organizations"] as? [[String: Any]])?.count, 1, listOut)

        let (eraEnded, _, eraErrors) = try await Spawned.run(binary, ["report", "sdg", "--fiscal-year", "R5", "--database", database])
        XCTAssertEqual(eraEnded, .exited(0), eraErrors)
        XCTAssertTrue(eraErrors.contains("crosswalk: fiscal year R5 is 2023年度（令和5年度）"), eraErrors)
    }
}
