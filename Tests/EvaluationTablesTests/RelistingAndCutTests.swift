import CrosswalkModel
import XCTest

@testable import EvaluationTables

/// Re-listing markers broken by wrap spaces or written in another width are still
/// markers: one program, one key, `relisted` set (issue 13, defect 1).
final class RelistingMarkerTests: XCTestCase {
    let reader = EvaluationReader()

    static let brokenMarkers = ["（再 掲）", "（ 再掲）", "（再掲 ）", "(再 掲)", "( 再掲)", "(再掲)", "（再掲)", "（　再掲）", "［再 掲］", "〔再掲〕"]

    func testMarkerVariantsShareTheKey() {
        let key = ProgramKey.make(name: "KitaQ DX推進事業", department: "DX推進課")
        for marker in Self.brokenMarkers + ["【再 掲】"] {
            for name in ["KitaQ DX推進事業" + marker, marker + "KitaQ DX推進事業", "KitaQ DX推進事業 " + marker] {
                XCTAssertEqual(ProgramKey.make(name: name, department: "DX推進課"), key, name)
                XCTAssertEqual(FastKey.programKey(name: name, department: "DX推進課"), key, name)
                let (bare, relisted) = ProgramKey.removingMarkers(name)
                XCTAssertEqual(bare, "KitaQ DX推進事業", name)
                XCTAssertTrue(relisted, name)
            }
        }
        XCTAssertEqual(ProgramKey.nameKey("ＫｉｔａＱ ＤＸ推進事業（再 掲）"), "kitaqdx推進事業")
    }

    func testBareRelistingOnlyAtTheEnds() {
        XCTAssertEqual(ProgramKey.removingMarkers("再掲 KitaQ DX推進事業").name, "KitaQ DX推進事業")
        XCTAssertEqual(ProgramKey.removingMarkers("KitaQ DX推進事業 再 掲").name, "KitaQ DX推進事業")
        // 再掲示 is a word: not a marker, the key keeps it.
        let word = ProgramKey.removingMarkers("案内板再掲示事業")
        XCTAssertEqual(word.name, "案内板再掲示事業")
        XCTAssertFalse(word.relisted)
        XCTAssertEqual(ProgramKey.nameKey("案内板再掲示事業"), "案内板再掲示事業")
        XCTAssertEqual(ProgramKey.removingMarkers("案内板再掲示事業（再掲）").name, "案内板再掲示事業")
    }

    /// For any name, the key of the name with its markers removed is the key of the
    /// name: readable names and keys follow one rule.
    func testRemovingMarkersKeepsTheKey() {
        let names = ["（再掲）（再 掲）事業", "再掲再掲事業", "事業【再掲】再掲", "再(再掲)掲", "ｶﾞｲﾄﾞ（再掲）", "①再掲", "再掲", "事業（再掲：II-3-(2)-②）"]
        for name in names {
            let bare = ProgramKey.removingMarkers(name).name
            XCTAssertEqual(ProgramKey.make(name: bare, department: "課"), ProgramKey.make(name: name, department: "課"), name)
        }
    }

    /// Page 2 is unwrapped: No. 5 re-lists No. 1 with a broken marker.
    func testBrokenMarkerOnUnwrappedPage() throws {
        for marker in Self.brokenMarkers {
            let doc = try reader.read(try Fixture.sample(setting: [(line: 20, cell: 3, value: "KitaQ DX推進事業" + marker)]))
            let first = doc.listings[0]
            let again = doc.listings[4]
            XCTAssertEqual(again.program, "KitaQ DX推進事業", marker)
            XCTAssertTrue(again.relisted, marker)
            XCTAssertFalse(first.relisted)
            XCTAssertEqual(again.programKey, first.programKey, marker)
        }
    }

    /// Page 3 is wrapped (every Japanese cell): No. 8 re-lists No. 7 with the marker
    /// wrapped anywhere, also where the wrap touches a half-width bracket.
    func testBrokenMarkerOnWrappedPage() throws {
        for marker in Self.brokenMarkers + ["【再 掲】"] {
            let name = marker.hasPrefix("【") ? marker + "デジタルデバ イド対策事業" : "デジタルデバ イド対策事業" + marker
            let doc = try reader.read(try Fixture.sample(setting: [(line: 35, cell: 3, value: name)]))
            let first = doc.listings[6]
            let again = doc.listings[7]
            XCTAssertEqual(again.program, "デジタルデバイド対策事業", marker)
            XCTAssertTrue(again.relisted, marker)
            XCTAssertEqual(again.programKey, first.programKey, marker)
        }
    }
}

/// A document cut in the middle of a row warns with the line (issue 13, defect 2).
final class CutDocumentTests: XCTestCase {
    let reader = EvaluationReader()

    /// The sample cut after `keep` characters of cell `cell` on 1-based `line`.
    func cut(line: Int, cell: Int, keep: Int) throws -> [UInt8] {
        let rows = try Fixture.sampleRows()
        var kept = Array(rows[..<(line - 1)])
        var last = Array(rows[line - 1][..<cell])
        last.append(String(rows[line - 1][cell].prefix(keep)))
        kept.append(last)
        return Fixture.join(kept)
    }

    func testCutInsideReasonWarnsWithLine() throws {
        // Line 20 is No. 5; cell 17 is its evaluation reason.
        let doc = try reader.read(try cut(line: 20, cell: 17, keep: 30))
        XCTAssertEqual(doc.listings.map(\.no), [1, 2, 3, 4, 5])
        XCTAssertEqual(doc.listings[4].evaluationReason, String(SampleDocumentTests.reason5.prefix(30)))
        let warning = try XCTUnwrap(doc.warnings.first { $0.code == "truncated" })
        XCTAssertEqual(warning.line, 20)
        XCTAssertTrue(warning.message.hasPrefix("digital_R5.txt:20: "), warning.message)
        XCTAssertTrue(warning.message.contains("18 of 20 cells"), warning.message)
    }

    func testCutAnywhereInARowWarns() throws {
        let rows = try Fixture.sampleRows()
        // Every row from the first program row on (header rows of later pages too),
        // cut inside every cell but the last, after at least one character of the row.
        for line in 8...rows.count where rows[line - 1].count > 1 {
            for cell in 0..<(rows[line - 1].count - 1) {
                let keep = cell == 0 ? max(1, rows[line - 1][0].count / 2) : rows[line - 1][cell].count / 2
                if cell == 0 && rows[line - 1][0].isEmpty { continue }
                let bytes = try cut(line: line, cell: cell, keep: keep)
                let doc: EvaluationDocument
                do {
                    doc = try reader.read(bytes)
                } catch let error as ReadError {
                    // Cut before the first program row's No.: refused, naming the line.
                    XCTAssertEqual(error.kind, .noListings)
                    XCTAssertEqual(error.line, line, "line \(line) cell \(cell)")
                    continue
                }
                let warning = doc.warnings.first { $0.code == "truncated" }
                XCTAssertEqual(warning?.line, line, "line \(line) cell \(cell)")
            }
        }
    }

    func testCompleteDocumentsDoNotWarn() throws {
        let sample = try Fixture.sample
        XCTAssertNotEqual(sample.last, 0x0A, "the sample ends without a line break")
        for bytes in [sample, sample + [0x0A], sample + [0x0D, 0x0A]] {
            let doc = try reader.read(bytes)
            XCTAssertFalse(doc.warnings.contains { $0.code == "truncated" })
        }
        // Cut exactly at the end of a row: a shorter complete document.
        let rows = try Fixture.sampleRows()
        let doc = try reader.read(Fixture.join(Array(rows[..<25])))
        XCTAssertFalse(doc.warnings.contains { $0.code == "truncated" })
    }
}
