import CrosswalkModel
import Foundation
import XCTest

@testable import EvaluationTables
@testable import TableLayouts

final class BadInputTests: XCTestCase {
    private func refusal(_ bytes: [UInt8], _ source: String, layout: TableLayout? = nil, limits: TableReader.Limits = .init()) -> ReadError? {
        do {
            _ = try TableReader.read(bytes: bytes, source: source, layout: layout, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    func testAnUnclosedQuoteIsRefusedNamingTheRowAndColumnItOpens() throws {
        let csv = "令和5年度（総務局）\n施策,事業名,担当課\nI-1 x,事業A,課\nI-1 x,\"事業B,課\nI-2 y,事業C,課\n"
        let error = try XCTUnwrap(refusal(Array(csv.utf8), "bad.csv"))
        XCTAssertEqual(error.kind, .malformed)
        XCTAssertEqual(error.line, 4)
        XCTAssertTrue(error.description.hasPrefix("bad.csv:row 4, column B: quoted cell opened here is never closed"), error.description)
    }

    func testALayoutColumnTheTableDoesNotHaveIsRefusedNamingTheLayoutLine() throws {
        let csv = "令和5年度（総務局）\n施策,事業名,担当課\nI-1 x,事業A,課\n"
        let layout = try TableLayout.parse(text: "header-rows = 2\n# by name\ncolumn.program = 事務事業の名称\n", file: "somu.layout")
        let error = try XCTUnwrap(refusal(Array(csv.utf8), "somu.csv", layout: layout))
        XCTAssertEqual(error.kind, .layoutMismatch)
        XCTAssertTrue(error.reason.contains("column.program = 事務事業の名称 (somu.layout:3) names a header the table does not have"), error.reason)
        XCTAssertTrue(error.reason.contains("A=施策, B=事業名, C=担当課"), error.reason)
        XCTAssertTrue(error.description.hasPrefix("somu.csv:row 2:"), error.description)
    }

    func testATableWithoutFiscalYearOrOrganizationSaysWhatToDeclare() throws {
        let csv = "施策,事業名,担当課\nI-1 x,事業A,課\n"
        let error = try XCTUnwrap(refusal(Array(csv.utf8), "plain.csv"))
        XCTAssertEqual(error.kind, .layoutMismatch)
        XCTAssertTrue(error.reason.contains("declare `fiscal-year = 2023`"), error.reason)
        var layout = TableLayout(file: "plain.layout")
        layout.fiscalYear = 2023
        let second = try XCTUnwrap(refusal(Array(csv.utf8), "plain.csv", layout: layout))
        XCTAssertTrue(second.reason.contains("declare `organization = 総務局`"), second.reason)
        layout.organization = "総務局"
        XCTAssertNil(refusal(Array(csv.utf8), "plain.csv", layout: layout))
    }

    func testAFileWithoutARecognisedHeaderIsRefused() throws {
        let error = try XCTUnwrap(refusal(Array("a,b\n1,2\n".utf8), "x.csv"))
        XCTAssertEqual(error.kind, .layoutMismatch)
        XCTAssertTrue(error.reason.contains("no header recognised"), error.reason)
    }

    func testACorruptZipIsRefused() throws {
        var bytes = try XLSXTableTests.workbook().data()
        // Keep the local header signature, break everything after it.
        for i in 30..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: i &* 7) }
        let error = try XCTUnwrap(refusal(bytes, "broken.xlsx"))
        XCTAssertEqual(error.kind, .malformed)
        XCTAssertTrue(error.reason.hasPrefix("corrupt xlsx workbook") || error.reason.hasPrefix("not an xlsx workbook"), error.reason)

        let text = try XCTUnwrap(refusal(Array("plain text".utf8), "renamed.xlsx"))
        XCTAssertEqual(text.kind, .malformed)
        XCTAssertTrue(text.reason.contains("not a zip archive"), text.reason)
    }

    func testAPasswordProtectedWorkbookIsRefusedAsSuch() throws {
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)
        let error = try XCTUnwrap(refusal(ole, "locked.xlsx"))
        XCTAssertEqual(error.kind, .encrypted)
        XCTAssertTrue(error.reason.contains("password-protected"), error.reason)
    }

    func testAPartThatInflatesPastTheLimitIsRefusedWhileExtracting() throws {
        var builder = XLSXTableTests.workbook()
        // 400 KB of cells that deflate to a few KB: a small zip bomb.
        for row in 20..<4020 { builder.sheets[1].cells.append(("Z\(row)", .inline(String(repeating: "あ", count: 30)))) }
        let bytes = try builder.data()
        XCTAssertLessThan(bytes.count, 100_000)
        let error = try XCTUnwrap(refusal(bytes, "bomb.xlsx", limits: .init(maxPartBytes: 200_000)))
        XCTAssertEqual(error.kind, .tooLarge)
        XCTAssertTrue(error.reason.contains("xl/worksheets/sheet2.xml inflates past the limit of 200000 bytes"), error.reason)
        // The same workbook under the default limit reads.
        XCTAssertNil(refusal(bytes, "bomb.xlsx"))
    }

    func testSheetXMLThatIsNotWellFormedIsRefused() throws {
        var builder = XLSXTableTests.workbook()
        builder.sheets[1].cells.append(("B12", .number("<broken")))
        let error = try XCTUnwrap(refusal(try builder.data(), "badxml.xlsx"))
        XCTAssertEqual(error.kind, .malformed)
        XCTAssertTrue(error.reason.contains("xl/worksheets/sheet2.xml is not well-formed XML"), error.reason)
    }
}

extension BadInputTests {
    /// Sets the uncompressed size a zip declares for `path` (local and central headers),
    /// as a zip bomb would, to check the limit is enforced on what actually inflates.
    static func declare(_ size: UInt32, for path: String, in bytes: inout [UInt8]) {
        let name = Array(path.utf8)
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func put(_ i: Int) { for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: size >> (8 * k)) } }
        var i = 0
        while i + 46 < bytes.count {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x03, bytes[i + 3] == 0x04,
                Array(bytes[(i + 30)..<(i + 30 + u16(i + 26))]) == name { put(i + 22) }
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x01, bytes[i + 3] == 0x02,
                Array(bytes[(i + 46)..<(i + 46 + u16(i + 28))]) == name { put(i + 24) }
            i += 1
        }
    }

    func testAPartThatLiesAboutItsSizeIsStoppedAtTheLimitWhileInflating() throws {
        var builder = XLSXTableTests.workbook()
        for row in 20..<4020 { builder.sheets[1].cells.append(("Z\(row)", .inline(String(repeating: "あ", count: 30)))) }
        var bytes = try builder.data()
        Self.declare(100, for: "xl/worksheets/sheet2.xml", in: &bytes)
        let error = try XCTUnwrap(refusal(bytes, "bomb.xlsx", limits: .init(maxPartBytes: 200_000)))
        XCTAssertEqual(error.kind, .tooLarge, error.description)
        XCTAssertTrue(error.reason.contains("inflates past the limit of 200000 bytes"), error.reason)
    }
}
