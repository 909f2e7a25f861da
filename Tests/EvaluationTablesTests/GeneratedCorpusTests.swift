import CrosswalkModel
import Foundation
import XCTest

@testable import EvaluationTables

/// The whole class of wrap and cut defects, not only the cases seen so far: a corpus
/// from Benchmarks/corpus/generate.py with wrap spaces between any two characters on
/// wrapped pages (inside markers, brackets, policy codes, Latin names, after
/// punctuation), re-listing markers in several widths, and documents cut inside a
/// row. Every listing (key, relisted flag, readable names) and the de-duplicated
/// totals are checked against the generator's ground truth.
final class GeneratedCorpusTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Rows of a TSV file written by the generator, as dictionaries by header.
    static func tsv(_ url: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// A name as compared with the truth: exact, except that a wrap next to a Latin
    /// letter (`Kit aQ`, `MICE 推進課`) cannot be told from a real space (`KitaQ DX推進事業`),
    /// so spaces next to Latin letters are not compared.
    static func readable(_ name: String) -> String {
        let chars = Array(name)
        return String(chars.indices.filter { i in
            guard chars[i] == " " else { return true }
            let latin = { (c: Character) in c.isASCII && c.isLetter }
            return !((i > 0 && latin(chars[i - 1])) || (i + 1 < chars.count && latin(chars[i + 1])))
        }.map { chars[$0] })
    }

    func generate(into out: URL, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = Self.repository.appendingPathComponent("Benchmarks/corpus/generate.py").path
        process.arguments = ["python3", script, "--out", out.path, "--quiet"] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "generate.py failed (python3 is needed): \(message)")
    }

    func testEveryKeyRelistedFlagTotalAndCutMatchesTheGroundTruth() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-corpus-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        try generate(into: out, ["--listings", "800", "--seed", "13", "--wrap-anywhere", "--cut", "0.3", "--truth"])

        let files = try Self.tsv(out.appendingPathComponent("files.tsv"))
        let cuts = Dictionary(uniqueKeysWithValues: try Self.tsv(out.appendingPathComponent("cuts.tsv")).map { ($0["path"]!, Int($0["line"]!)!) })
        var truth: [String: [Int: [String: String]]] = [:]
        for row in try Self.tsv(out.appendingPathComponent("truth.tsv")) {
            truth[row["path"]!, default: [:]][Int(row["line"]!)!] = row
        }
        XCTAssertGreaterThan(files.count, 20)
        XCTAssertGreaterThan(cuts.count, 3, "some documents are cut")
        XCTAssertGreaterThan(truth.values.reduce(0) { $0 + $1.values.filter { $0["relisted"] == "1" }.count }, 10, "some listings carry a marker")

        let reader = EvaluationReader()
        // De-duplicated settled total of each document's fiscal year: one amount per
        // program (organization + key) per year, the first listing that has one.
        var readTotal: [Int: Int] = [:]
        var readSeen: Set<String> = []
        var trueTotal: [Int: Int] = [:]
        var trueSeen: Set<String> = []
        var everyListing = 0
        var checked = 0
        for file in files {
            let path = file["path"]!
            let doc = try reader.read(try Data(contentsOf: out.appendingPathComponent(path)), source: path)
            let cut = cuts[path]
            if let cut {
                let warning = doc.warnings.first { $0.code == "truncated" && $0.line == cut }
                XCTAssertNotNil(warning, "\(path) is cut in line \(cut): \(doc.warnings.map(\.message))")
                XCTAssertEqual(warning?.message.hasPrefix("\(path):\(cut): "), true)
            } else {
                XCTAssertFalse(doc.warnings.contains { $0.code == "truncated" }, path)
            }
            let want = truth[path] ?? [:]
            var found: Set<Int> = []
            for listing in doc.listings {
                let line = listing.lines[0]
                // The cut row's listing is warned about; its cells are incomplete.
                if line == cut { continue }
                guard let t = want[line] else {
                    XCTFail("\(path):\(line): listing No.\(listing.no) `\(listing.program)` is not in the ground truth")
                    continue
                }
                found.insert(line)
                checked += 1
                XCTAssertEqual(listing.no, Int(t["no"]!), "\(path):\(line)")
                XCTAssertEqual(listing.programKey, t["program_key"], "\(path):\(line): `\(listing.program)`")
                XCTAssertEqual(listing.relisted, t["relisted"] == "1", "\(path):\(line): `\(listing.program)`")
                // Readable names: no wrap spaces, real ones kept.
                let former = t["former_department"]!
                XCTAssertEqual(Self.readable(listing.program), Self.readable(t["program"]!), "\(path):\(line)")
                XCTAssertEqual(Self.readable(listing.department), Self.readable(t["department"]!), "\(path):\(line)")
                XCTAssertEqual(listing.formerDepartment.map(Self.readable), former.isEmpty || former == "—" ? nil : Self.readable(former), "\(path):\(line)")
                let settled = listing.amounts.first { $0.fiscalYear == doc.fiscalYear && $0.kind == .settled }?.thousandYen
                everyListing += settled ?? 0
                if let settled, readSeen.insert("\(doc.organization)|\(doc.fiscalYear)|\(listing.programKey)").inserted {
                    readTotal[doc.fiscalYear, default: 0] += settled
                }
            }
            XCTAssertEqual(found, Set(want.keys), "\(path): listings missing from the reader")
            for line in want.keys.sorted() {
                let t = want[line]!
                let year = Int(t["fiscal_year"]!)!
                if let settled = Int(t["settled"]!), trueSeen.insert("\(t["organization"]!)|\(year)|\(t["program_key"]!)").inserted {
                    trueTotal[year, default: 0] += settled
                }
            }
        }
        XCTAssertEqual(checked, truth.values.reduce(0) { $0 + $1.count })
        XCTAssertEqual(readTotal, trueTotal, "de-duplicated settled totals by fiscal year")
        XCTAssertGreaterThan(everyListing, trueTotal.values.reduce(0, +), "re-listed programs are counted once")
    }
}
