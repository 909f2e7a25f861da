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

/// Readable names carry no PDF wrap spaces, on any page, and keep real ones (issue 13,
/// defect 3; the rule is `ReadableName`, documented in docs/FORMAT.md).
final class ReadableNameTests: XCTestCase {
    let reader = EvaluationReader()

    func testWrapSpacesBetweenJapaneseCharactersLeaveNames() {
        XCTAssertEqual(ReadableName.plain("第26局 公園連携 事業"), "第26局公園連携事業")
        XCTAssertEqual(ReadableName.plain("デジタルデバ イド対策事業"), "デジタルデバイド対策事業")
        XCTAssertEqual(ReadableName.plain("KitaQ DX推進事業"), "KitaQ DX推進事業", "Latin space is real")
        XCTAssertEqual(ReadableName.plain("Open 障害者就労支援対策事業"), "Open 障害者就労支援対策事業")
    }

    func testSeparatorBetweenTwoOrganizationNamesIsKept() {
        let sample = "デジ タル 市役 所推 進室 デジ タル 市役 所推 進課"
        XCTAssertEqual(ReadableName.organization(sample, known: []), "デジタル市役所推進室 デジタル市役所推進課")
        XCTAssertEqual(ReadableName.organization("デジタル市役所推進室 デジタル市役所推進課", known: []), "デジタル市役所推進室 デジタル市役所推進課")
        XCTAssertEqual(ReadableName.organization("保健 福祉 局 地域 医療 課", known: []), "保健福祉局 地域医療課")
        XCTAssertEqual(ReadableName.organization("DX推 進課", known: []), "DX推進課")
        XCTAssertEqual(ReadableName.organization("第26局 公園連携 事業", known: []), "第26局公園連携事業", "事業 is not an organization")
        XCTAssertEqual(ReadableName.organization("教育 委員会 こども 相談 センター", known: []), "教育委員会 こども相談センター")
        // A department without an organization ending, known from another cell.
        XCTAssertEqual(ReadableName.organization("港湾空 港局 卸売 市場", known: ["卸売市場"]), "港湾空港局 卸売市場")
        XCTAssertEqual(ReadableName.organization("港湾空 港局 卸売 市場", known: []), "港湾空港局卸売市場")
        // The cell's only space, right after an organization name: a separator.
        XCTAssertEqual(ReadableName.organization("港湾空港局 卸売市場", known: []), "港湾空港局 卸売市場")
        XCTAssertEqual(ReadableName.organization("DX推進 課", known: []), "DX推進課")
        // A known name is never split where a wrap falls after an inner 所.
        XCTAssertEqual(ReadableName.organization("デジタル市役所 推進室", known: ["デジタル市役所推進室"]), "デジタル市役所推進室")
    }

    /// Department cells are split by bytes when no scalar joins a space into a longer
    /// character; the pieces are always those of `split` over Characters.
    func testPiecesAreThoseOfTheCharacterSplit() {
        let cells = [
            "デジ タル 市役 所推 進室 デジ タル 市役 所推 進課", "  保健 福祉 局　地域 医療 課  ", "KitaQ DX推進課", "",
            "　", "第Ⅲ 期 ① 課", "ｶﾀｶﾅ 課",
            // A combining mark or a joiner after a space makes one character of both:
            // the space does not separate there.
            "デジタル \u{0301}課", "か \u{3099}課", "ｶ \u{FF9E}課", "課 \u{200D}室", "課\t室 局",
        ]
        for cell in cells {
            XCTAssertEqual(ReadableName.pieces(cell, ideographicSpace: false),
                           cell.split(separator: " ", omittingEmptySubsequences: true).map(String.init), cell)
            XCTAssertEqual(ReadableName.pieces(cell, ideographicSpace: true),
                           cell.split(whereSeparator: { $0 == " " || $0 == "\u{3000}" }).map(String.init), cell)
        }
    }

    /// Page 3 of the sample with a program and departments that appear on no
    /// unwrapped page.
    func testNamesOnAWrappedPageWithoutReference() throws {
        let doc = try reader.read(try Fixture.sample(setting: [
            (line: 32, cell: 3, value: "第26局 公園連携 事業"),
            (line: 32, cell: 4, value: "公園 緑地 課"),
            (line: 32, cell: 5, value: "建築 都市 局 公園 緑地 課"),
        ]))
        let listing = doc.listings[6]
        XCTAssertEqual(listing.program, "第26局公園連携事業")
        XCTAssertEqual(listing.department, "公園緑地課")
        XCTAssertEqual(listing.formerDepartment, "建築都市局 公園緑地課")
        XCTAssertEqual(listing.programKey, "第26局公園連携事業|公園緑地課")
    }

    /// A wrap space on a page that is not wrapped as a whole (page 2 of the sample).
    func testWrapSpaceInANameOnAnUnwrappedPage() throws {
        let doc = try reader.read(try Fixture.sample(setting: [(line: 17, cell: 3, value: "市職員のテレ ワーク推進")]))
        XCTAssertEqual(doc.listings[3].program, "市職員のテレワーク推進")
        XCTAssertEqual(doc.listings[3].programKey, doc.listings[1].programKey)
        XCTAssertEqual(doc.listings[3].formerDepartment, "デジタル市役所推進室 デジタル市役所推進課")
    }
}

final class MarkerFoldTests: XCTestCase {
    /// The per-scalar fold used to find markers in readable names is `TextKey.fold`.
    func testScalarFoldMatchesTextKey() {
        let ranges: [ClosedRange<UInt32>] = [0x09...0x7E, 0x3000...0x30FF, 0x3400...0x3500, 0x4E00...0x4F00, 0x9F00...0x9FFF, 0xFF01...0xFF9F, 0x2460...0x2473, 0x3010...0x3015]
        for range in ranges {
            for v in range {
                guard let scalar = Unicode.Scalar(v) else { continue }
                var out: [Unicode.Scalar] = []
                ProgramKey.appendFold(of: scalar, to: &out)
                var view = String.UnicodeScalarView()
                view.append(contentsOf: out)
                XCTAssertEqual(String(view), TextKey.fold(String(scalar)), "U+\(String(v, radix: 16))")
            }
        }
    }
}
