import CrosswalkModel
import Foundation
import XCTest

@testable import EvaluationTables
@testable import TableLayouts

final class XLSXTableTests: XCTestCase {
    /// A cover sheet, then the table: a title, a two-row header with a merged `SDGs`
    /// band over goal numbers 1–17, policy cells merged over their programs, ○ marks,
    /// yen amounts (a number, a number stored as text, a formula's cached value),
    /// a subtotal, a policy row stating the policy's goals, a relisting and a total.
    static func workbook(settled first: String = "12345000") -> WorkbookBuilder {
        var sheet = WorkbookBuilder.Sheet(name: "事業評価")
        func goal(_ n: Int) -> String { WorkbookBuilder.column(2 + n) }    // goal 1 in D
        sheet.cells = [
            ("A1", .shared("令和6年度 事務事業評価（環境局）")),
            ("A3", .shared("施策")), ("B3", .shared("事業名")), ("C3", .shared("担当課")), ("D3", .shared("SDGs")),
            ("U3", .shared("R6決算額（円）")), ("V3", .shared("R7予算額（円）")), ("W3", .shared("評価")), ("X3", .shared("更新日")),
        ]
        for n in 1...17 { sheet.cells.append(("\(goal(n))4", .number("\(n)"))) }
        sheet.cells += [
            ("A5", .shared("I-1-(1) 脱炭素の推進")), ("B5", .shared("太陽光発電導入事業")), ("C5", .shared("環境政策課")),
            ("\(goal(7))5", .shared("○")), ("\(goal(13))5", .shared("○")),
            ("U5", .number(first)), ("V5", .inline("1,500,000")), ("W5", .shared("B")), ("X5", .date(45383)),
            ("B6", .inline("省エネ診断事業")), ("C6", .shared("環境政策課")), ("\(goal(7))6", .shared("●")),
            ("U6", .formula("1000000*2", cached: "2000000")), ("V6", .shared("－")), ("W6", .shared("◎")),
            ("B7", .shared("小計")), ("U7", .formula("SUM(U5:U6)", cached: "14345000")),
            ("A8", .shared("I-1-(2) 循環型社会")), ("\(goal(12))8", .shared("○")),
            ("B9", .shared("太陽光発電導入事業（再掲）")), ("C9", .shared("環境政策課")), ("\(goal(7))9", .shared("○")),
            ("B11", .shared("合計")), ("U11", .number("14345000")),
        ]
        sheet.merges = ["A3:A4", "B3:B4", "C3:C4", "D3:T3", "U3:U4", "V3:V4", "W3:W4", "X3:X4", "A5:A7", "A8:A9"]
        var cover = WorkbookBuilder.Sheet(name: "表紙")
        cover.cells = [("A1", .shared("北九州市 環境局")), ("A2", .inline("行政評価"))]
        return WorkbookBuilder(sheets: [cover, sheet])
    }

    func testWorkbookWithMergedCellsGoalMarksYenAndSubtotalsReadsExactly() throws {
        let bytes = try Self.workbook().data()
        let doc = try TableReader.read(bytes: bytes, source: "kankyo.xlsx")
        XCTAssertEqual(doc.fiscalYear, 2024)
        XCTAssertEqual(doc.organization, "環境局")
        XCTAssertEqual(doc.policies.map(\.code), ["I-1-(1)", "I-1-(2)"])
        XCTAssertEqual(doc.listings.map(\.program), ["太陽光発電導入事業", "省エネ診断事業", "太陽光発電導入事業"])
        XCTAssertEqual(doc.listings.map(\.policyCode), ["I-1-(1)", "I-1-(1)", "I-1-(2)"])
        XCTAssertEqual(doc.listings.map(\.relisted), [false, false, true])
        XCTAssertEqual(doc.listings.map(\.sdgGoals), [[7, 13], [7], [7]])
        XCTAssertEqual(doc.listings.map(\.inheritedSdgGoals), [[], [], [12]])
        XCTAssertEqual(doc.listings[0].amounts, [
            AmountRecord(fiscalYear: 2024, kind: .settled, thousandYen: 12345),
            AmountRecord(fiscalYear: 2025, kind: .budget, thousandYen: 1500),
        ])
        XCTAssertEqual(doc.listings[1].amounts.map(\.thousandYen), [2000, nil])
        XCTAssertEqual(doc.listings[2].amounts.map(\.thousandYen), [nil, nil])
        XCTAssertEqual(doc.listings.map(\.evaluation), ["B", "◎", nil])
        XCTAssertEqual(doc.listings.map(\.lines), [[5], [6], [9]])
        let unread = doc.warnings.filter { $0.code == "unread_column" }.map(\.message)
        XCTAssertEqual(unread, ["kankyo.xlsx:事業評価!X3: column `更新日` is not read (name it in a layout to read it)"])
    }

    func testAYenAmountThatIsNotWholeThousandsIsRefusedNamingTheCell() throws {
        let bytes = try Self.workbook(settled: "12345678").data()
        XCTAssertThrowsError(try TableReader.read(bytes: bytes, source: "kankyo.xlsx")) { error in
            let error = error as! ReadError
            XCTAssertEqual(error.kind, .inexactAmount)
            XCTAssertEqual(error.line, 5)
            XCTAssertTrue(error.description.hasPrefix("kankyo.xlsx:事業評価!U5: 12345678 円 is not a whole number of 千円"), error.description)
        }
        var layout = TableLayout(file: "kankyo.layout")
        layout.yenRounding = .nearest
        let doc = try TableReader.read(bytes: bytes, source: "kankyo.xlsx", layout: layout)
        XCTAssertEqual(doc.listings[0].amounts[0].thousandYen, 12346)
        XCTAssertEqual(doc.warnings.filter { $0.code == "rounded_amount" }.count, 1)
    }

    func testALayoutPicksTheSheetByName() throws {
        let bytes = try Self.workbook().data()
        let layout = try TableLayout.parse(text: "sheet = 事業評価\nheader-rows = 3-4\n", file: "k.layout")
        let doc = try TableReader.read(bytes: bytes, source: "kankyo.xlsx", layout: layout)
        XCTAssertEqual(doc.listings.count, 3)
        let missing = try TableLayout.parse(text: "sheet = 評価シート\n", file: "k.layout")
        XCTAssertThrowsError(try TableReader.read(bytes: bytes, source: "kankyo.xlsx", layout: missing)) { error in
            let error = error as! ReadError
            XCTAssertEqual(error.kind, .layoutMismatch)
            XCTAssertTrue(error.reason.contains("its sheets: 表紙, 事業評価"), error.reason)
        }
    }

    func testSerialDatesAndNumbersReadAsWritten() {
        XCTAssertEqual(SerialDate.text(45383), "2024-04-01")
        XCTAssertEqual(SerialDate.text(36526), "2000-01-01")
        XCTAssertEqual(SheetReader.text("2000000", type: "n", style: 0, shared: [], dates: []), "2000000")
        XCTAssertEqual(SheetReader.text("2.5", type: "n", style: 0, shared: [], dates: []), "2.5")
        XCTAssertEqual(SheetReader.text("45383", type: "n", style: 1, shared: [], dates: [1]), "2024-04-01")
    }
}

extension XLSXTableTests {
    func testAFormulaWithoutASavedValueReadsBlankWithAWarningNamingTheCell() throws {
        var builder = Self.workbook()
        builder.sheets[1].cells.removeAll { $0.0 == "U6" }
        builder.sheets[1].cells.append(("U6", .formula("1000000*2", cached: "")))
        let doc = try TableReader.read(bytes: try builder.data(), source: "kankyo.xlsx")
        XCTAssertEqual(doc.listings[1].amounts.map(\.thousandYen), [nil, nil])
        let warnings = doc.warnings.filter { $0.code == "formula_without_value" }
        XCTAssertEqual(warnings.map(\.line), [6])
        XCTAssertTrue(warnings[0].message.hasPrefix("kankyo.xlsx:事業評価!U6: a formula with no value saved"), warnings[0].message)
    }
}

extension XLSXTableTests {
    func testAProgramMergedOverTwoRowsIsOneListing() throws {
        var sheet = WorkbookBuilder.Sheet(name: "Sheet1")
        sheet.cells = [
            ("A1", .shared("令和5年度 事務事業評価（環境局）")),
            ("A2", .shared("施策")), ("B2", .shared("事業名")), ("C2", .shared("担当課")), ("D2", .shared("R5目標値")), ("E2", .shared("R5実績値")),
            ("F2", .shared("R5決算額（千円）")),
            ("A3", .shared("I-1 脱炭素")), ("B3", .shared("環境学習事業")), ("C3", .shared("環境政策課")), ("D3", .inline("10回")),
            ("F3", .number("500")),
            ("E4", .inline("12回")),
            ("B5", .shared("緑化事業")), ("C5", .shared("公園課")), ("F5", .number("300")),
        ]
        sheet.merges = ["A3:A5", "B3:B4", "C3:C4", "F3:F4"]
        let doc = try TableReader.read(bytes: try WorkbookBuilder(sheets: [sheet]).data(), source: "merged.xlsx")
        XCTAssertEqual(doc.listings.map(\.program), ["環境学習事業", "緑化事業"])
        XCTAssertEqual(doc.listings.map(\.lines), [[3, 4], [5]])
        XCTAssertEqual(doc.listings[0].indicator?.values.map(\.text), ["10回", "12回"])
        XCTAssertEqual(doc.listings.map { $0.amounts.map(\.thousandYen) }, [[500], [300]])
        XCTAssertEqual(doc.listings.map(\.policyCode), ["I-1", "I-1"])
    }
}
