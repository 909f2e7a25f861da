import CrosswalkModel
import XCTest

@testable import EvaluationTables

/// Crafted variants of the sample: each one family of variation from FORMAT-NOTES.
final class VariantTests: XCTestCase {
    let reader = EvaluationReader()

    func baseline() throws -> EvaluationDocument {
        try reader.read(try Fixture.sample)
    }

    func testCP932WithCRLF() throws {
        let text = String(decoding: try Fixture.sample, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n")
        let bytes = try XCTUnwrap(CP932.encode(text))
        XCTAssertTrue(bytes.contains(0x0D))
        // `—` is written `―` (0x81 0x5C) in CP932.
        XCTAssertFalse(String(decoding: bytes, as: UTF8.self).contains("—"))
        let doc = try reader.read(bytes)
        let utf8 = try baseline()
        XCTAssertEqual(doc.encoding, .cp932)
        XCTAssertEqual(doc.fiscalYear, 2023)
        XCTAssertEqual(doc.organization, "デジタル市役所推進室")
        XCTAssertEqual(doc.sha256, SHA256.hex(bytes))
        XCTAssertNotEqual(doc.sha256, utf8.sha256)
        // ― is "none" like —: every record reads the same, line numbers included.
        XCTAssertEqual(doc.policies, utf8.policies)
        XCTAssertEqual(doc.listings, utf8.listings)
        XCTAssertEqual(doc.warnings.map(\.code), utf8.warnings.map(\.code))
    }

    func testCP932DecodesKnownBytes() throws {
        // 日 本 ― ① ｱ in CP932, independent of the encoder used above.
        let bytes: [UInt8] = [0x93, 0xFA, 0x96, 0x7B, 0x81, 0x5C, 0x87, 0x40, 0xB1]
        guard case .success(let (utf8, truncated)) = CP932.decode(bytes) else { return XCTFail("CP932 decode failed") }
        XCTAssertEqual(String(decoding: utf8, as: UTF8.self), "日本―①ｱ")
        XCTAssertFalse(truncated)
        XCTAssertEqual(cp932DoubleByteRows.count, 60)
        XCTAssertEqual(CP932.table.count, 60 * 189)
    }

    func testUTF8WithBOM() throws {
        let doc = try reader.read([0xEF, 0xBB, 0xBF] + (try Fixture.sample))
        let plain = try baseline()
        XCTAssertEqual(doc.encoding, .utf8BOM)
        XCTAssertEqual(doc.listings, plain.listings)
        XCTAssertEqual(doc.policies, plain.policies)
    }

    func testCROnlyLineEnds() throws {
        let text = String(decoding: try Fixture.sample, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r")
        let doc = try reader.read(Array(text.utf8))
        XCTAssertEqual(doc.listings, try baseline().listings)
    }

    func testHeiseiDocument() throws {
        let text = String(decoding: try Fixture.sample, as: UTF8.self)
            .replacingOccurrences(of: "令和5年度", with: "平成30年度")
            .replacingOccurrences(of: "R4年度", with: "H29年度")
            .replacingOccurrences(of: "R5年度", with: "H30年度")
        let doc = try reader.read(Array(text.utf8))
        XCTAssertEqual(doc.fiscalYear, 2018)
        XCTAssertEqual(doc.organization, "デジタル市役所推進室")
        let kitaq = doc.listings[0]
        XCTAssertEqual(kitaq.amounts.map(\.fiscalYear), [2017, 2018, 2018, 2018])
        XCTAssertEqual(kitaq.indicator?.values.map(\.fiscalYear), [2018, 2018], "flattened row: document year")
        XCTAssertEqual(doc.listings[3].indicator?.values.map(\.fiscalYear), [2017, 2018, 2017, 2018])
        XCTAssertFalse(doc.warnings.contains { $0.code == "year_labels" })
    }

    func testH32MeansFY2020() throws {
        // A 令和2 document still labelling its columns H31年度 / H32年度.
        let text = String(decoding: try Fixture.sample, as: UTF8.self)
            .replacingOccurrences(of: "令和5年度", with: "令和2年度")
            .replacingOccurrences(of: "R4年度", with: "H31年度")
            .replacingOccurrences(of: "R5年度", with: "H32年度")
        let doc = try reader.read(Array(text.utf8))
        XCTAssertEqual(doc.fiscalYear, 2020)
        XCTAssertEqual(doc.listings[0].amounts.map(\.fiscalYear), [2019, 2020, 2020, 2020])
        XCTAssertEqual(doc.listings[5].indicator?.values.map(\.fiscalYear), [2019, 2020, 2019, 2020])
        XCTAssertFalse(doc.warnings.contains { $0.code == "year_labels" })
    }

    func testEraYears() {
        XCTAssertEqual(EraYear.years(in: "令和元年度 行政評価"), [2019])
        XCTAssertEqual(EraYear.years(in: "令和5年度"), [2023])
        XCTAssertEqual(EraYear.years(in: "平成30年度"), [2018])
        XCTAssertEqual(EraYear.years(in: "R4年度 決算額"), [2022])
        XCTAssertEqual(EraYear.years(in: "H32年度"), [2020])
        XCTAssertEqual(EraYear.years(in: "Ｒ５年度"), [2023])
        XCTAssertEqual(EraYear.years(in: "2024年度"), [2024])
        XCTAssertEqual(EraYear.years(in: "GDPR5年度"), [], "R glued to a word is not the era")
    }

    func testNegativeAmounts() throws {
        let bytes = try Fixture.sample(setting: [(8, 14, "△1,200"), (9, 15, "▲ 300"), (10, 13, "-5")])
        let doc = try reader.read(bytes)
        XCTAssertEqual(doc.listings[0].amounts[1].thousandYen, -1200)
        XCTAssertEqual(doc.listings[1].amounts[2].thousandYen, -300)
        XCTAssertEqual(doc.listings[2].amounts[0].thousandYen, -5)
        // KitaQ DX's FY2023 budget now disagrees between No.1 and No.5; telework's settled between No.2 and No.4.
        let conflicts = doc.warnings.filter { $0.code == "amount_conflict" }
        XCTAssertEqual(conflicts.compactMap(\.line).sorted(), [17, 20])
        XCTAssertTrue(conflicts.contains { $0.message.contains("II-3-(2)-② No.1 (digital_R5.txt:8) has -1200") }, "\(conflicts)")
        XCTAssertTrue(conflicts.contains { $0.message.contains("III-1-(3)-④ No.5 (digital_R5.txt:20) has 5000") }, "\(conflicts)")
    }

    func testRelistedMarker() throws {
        let bytes = try Fixture.sample(setting: [(17, 3, "市職員のテレワーク推進（再掲）")])
        let doc = try reader.read(bytes)
        let relisted = doc.listings[3]
        XCTAssertTrue(relisted.relisted)
        XCTAssertEqual(relisted.program, "市職員のテレワーク推進")
        XCTAssertEqual(relisted.programKey, doc.listings[1].programKey)
        XCTAssertFalse(doc.listings[1].relisted)
        XCTAssertEqual(relisted.indicator?.name, "テレワーク実施率（各職員が月1回以上実施）")
        XCTAssertEqual(relisted.indicator?.nameInferred, true)
    }

    func testRelistedMarkerBeforeName() throws {
        let bytes = try Fixture.sample(setting: [(20, 3, "【再掲】KitaQ DX推進事業")])
        let doc = try reader.read(bytes)
        XCTAssertTrue(doc.listings[4].relisted)
        XCTAssertEqual(doc.listings[4].program, "KitaQ DX推進事業")
        XCTAssertEqual(doc.listings[4].programKey, doc.listings[0].programKey)
    }

    /// A page break between No.2 and No.3: the new page has no policy cell, so
    /// No.3 stays under the last policy seen.
    func testPageBreakInsidePolicy() throws {
        var rows = try Fixture.sampleRows()
        let pageBreak = Array(rows[10...15])  // blank, title, blank, three header rows (lines 11–16)
        rows.insert(contentsOf: pageBreak, at: 9)
        let doc = try reader.read(Fixture.join(rows))
        XCTAssertEqual(doc.listings.count, 8)
        let third = doc.listings[2]
        XCTAssertEqual(third.no, 3)
        XCTAssertEqual(third.policyCode, "II-3-(2)-②")
        XCTAssertEqual(third.lines, [16])
        XCTAssertEqual(third.amounts, try baseline().listings[2].amounts)
        XCTAssertEqual(doc.policies.map(\.code), ["II-3-(2)-②", "II-3-(2)-④", "III-1-(3)-④"])
    }

    /// The merged policy cell repeated at the top of the next page: one policy, not two.
    func testPolicyCellRepeatedAfterPageBreak() throws {
        var rows = try Fixture.sampleRows()
        let pageBreak = Array(rows[10...15])
        rows[9][0] = rows[7][0]
        rows[9][20] = rows[7][20]
        rows[9][19] = "順調"
        rows.insert(contentsOf: pageBreak, at: 9)
        let doc = try reader.read(Fixture.join(rows))
        XCTAssertEqual(doc.policies.count, 3)
        let policy = doc.policies[0]
        XCTAssertEqual(policy.lines, [8, 16])
        XCTAssertEqual(policy.evaluationText, SampleDocumentTests.policyText1, "repeated text kept once")
        XCTAssertEqual(doc.listings[2].policyCode, "II-3-(2)-②")
    }

    func testEmptySDGCell() throws {
        // Page 1 layout and page 3 layout.
        let bytes = try Fixture.sample(setting: [(9, 2, ""), (32, 1, "")])
        let doc = try reader.read(bytes)
        XCTAssertEqual(doc.listings[1].sdgGoals, [])
        XCTAssertEqual(doc.listings[1].program, "市職員のテレワーク推進")
        XCTAssertEqual(doc.listings[1].department, "DX推進課")
        XCTAssertEqual(doc.listings[6].sdgGoals, [])
        XCTAssertEqual(doc.listings[6].program, "デジタルデバイド対策事業")
        XCTAssertEqual(doc.listings[6].amounts, try baseline().listings[6].amounts)
        // Telework No.2 (none) and No.4 (5, 8, 10) now disagree.
        XCTAssertTrue(doc.warnings.contains { $0.code == "sdg_conflict" && $0.line == 17 })
    }

    func testSDGAsNumbersAndOutOfRange() throws {
        let bytes = try Fixture.sample(setting: [(9, 2, "5, 8, 10"), (10, 2, "⑪ ⑱")])
        let doc = try reader.read(bytes)
        XCTAssertEqual(doc.listings[1].sdgGoals, [5, 8, 10])
        XCTAssertEqual(doc.listings[2].sdgGoals, [11])
        let warning = try XCTUnwrap(doc.warnings.first { $0.code == "sdg_out_of_range" })
        XCTAssertEqual(warning.line, 10)
        XCTAssertTrue(warning.message.hasPrefix("digital_R5.txt:10: "), warning.message)
    }

    func testUnknownGrade() throws {
        let bytes = try Fixture.sample(setting: [(10, 17, "要改善"), (17, 18, "おおむね順調")])
        let doc = try reader.read(bytes)
        XCTAssertEqual(doc.listings[2].evaluation, "要改善", "kept as written")
        XCTAssertEqual(doc.listings[2].evaluationReason, SampleDocumentTests.reason3)
        XCTAssertEqual(doc.policies[1].evaluation, "おおむね順調")
        let unknown = doc.warnings.filter { $0.code == "unknown_grade" }
        XCTAssertEqual(unknown.map(\.line), [10, 17])
        XCTAssertTrue(unknown[0].message.hasPrefix("digital_R5.txt:10: ") && unknown[0].message.contains("要改善"), unknown[0].message)
    }

    func testKnownGradesAreNotWarned() throws {
        for grade in ["大変順調", "概ね順調", "やや遅れ", "遅れ", "継続", "改善", "拡充", "縮小", "休廃止", "終了"] {
            let doc = try reader.read(try Fixture.sample(setting: [(10, 17, grade)]))
            XCTAssertEqual(doc.listings[2].evaluation, grade)
            XCTAssertFalse(doc.warnings.contains { $0.code == "unknown_grade" }, grade)
        }
    }

    func testGarbledNumber() throws {
        let bytes = try Fixture.sample(setting: [(8, 14, "5,0x0")])
        let doc = try reader.read(bytes)
        XCTAssertEqual(doc.listings[0].amounts[1], AmountRecord(fiscalYear: 2023, kind: .budget, thousandYen: nil))
        XCTAssertEqual(doc.listings[0].amounts[2].thousandYen, 3947, "neighbours still aligned")
        XCTAssertEqual(doc.listings[0].evaluation, "順調")
        let warning = try XCTUnwrap(doc.warnings.first { $0.code == "garbled_amount" })
        XCTAssertEqual(warning.line, 8)
        XCTAssertTrue(warning.message.hasPrefix("digital_R5.txt:8: "), warning.message)
        XCTAssertTrue(warning.message.contains("5,0x0"), warning.message)
    }

    func testWrapSpacesAndRealSpaces() throws {
        let doc = try baseline()
        XCTAssertEqual(doc.listings[6].program, "デジタルデバイド対策事業")
        XCTAssertEqual(doc.listings[6].department, "DX推進課")
        XCTAssertEqual(doc.listings[6].formerDepartment, "デジタル市役所推進室 デジタル市役所推進課", "separator restored from page 1")
        XCTAssertEqual(doc.listings[0].program, "KitaQ DX推進事業", "space between Latin words kept")
        XCTAssertEqual(doc.listings[2].evaluationReason, SampleDocumentTests.reason3, "unwrapped page kept verbatim")
    }

    /// Without an unwrapped page to compare with, the separator is restored from the
    /// organization in the title.
    func testOrganizationSeparatorWithoutReference() throws {
        let rows = try Fixture.sampleRows()
        let page3 = Array(rows[26...36])
        let withPolicy = page3.enumerated().map { (i, row) -> [String] in
            var row = row
            if i == 5 { row[0] = "III-1-(3)-④ 高度情報社会への対応\t" + row[0] }
            return row
        }
        let bytes = Fixture.join(withPolicy.map { $0.joined(separator: "\t").split(separator: "\t", omittingEmptySubsequences: false).map(String.init) })
        let doc = try reader.read(bytes)
        XCTAssertEqual(doc.listings.count, 2)
        XCTAssertEqual(doc.listings[0].policyCode, "III-1-(3)-④")
        XCTAssertEqual(doc.listings[0].formerDepartment, "デジタル市役所推進室 デジタル市役所推進課")
        XCTAssertEqual(doc.listings[0].department, "DX推進課")
    }

    func testDewrapRule() {
        let bytes = Array("デジタルデバ イド対策事業\tKitaQ DX推進事業\t75% (R2年 度調 査)\t判断。 【課題】 必要\t(R7年度 末)".utf8)
        bytes.withUnsafeBufferPointer { buf in
            let text = ByteText(buf: buf)
            var cells: [Range<Int>] = []
            var start = 0
            for (i, b) in bytes.enumerated() where b == 0x09 { cells.append(start..<i); start = i + 1 }
            cells.append(start..<bytes.count)
            XCTAssertEqual(text.dewrapped(cells[0]), "デジタルデバイド対策事業")
            XCTAssertEqual(text.dewrapped(cells[1]), "KitaQ DX推進事業")
            XCTAssertEqual(text.dewrapped(cells[2]), "75% (R2年度調査)")
            XCTAssertEqual(text.dewrapped(cells[3]), "判断。 【課題】 必要", "spaces after 。 and around 【】 kept")
            XCTAssertEqual(text.dewrapped(cells[4]), "(R7年度末)")
            XCTAssertTrue(text.hasWrapSpace(cells[0]))
            XCTAssertFalse(text.hasWrapSpace(cells[1]))
            XCTAssertNil(text.policyCode(cells[1]))
        }
    }
}
