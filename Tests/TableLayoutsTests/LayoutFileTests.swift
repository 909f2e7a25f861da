import Foundation
import XCTest

@testable import TableLayouts

final class LayoutFileTests: XCTestCase {
    private func failure(_ text: String) -> LayoutError? {
        do {
            _ = try TableLayout.parse(text: text, file: "city.layout")
            return nil
        } catch {
            return error
        }
    }

    func testEveryKeyIsReadWithCommentsAndBlankLines() throws {
        let layout = try TableLayout.parse(text: """
            # 〇〇市 事務事業評価
            sheet = 事業評価   # the sheet's tab name

            header-rows = 4-5
            unit = 千円
            fiscal-year = 2024
            organization = "総務局 # 本庁"
            column.program = 事務事業名
            column.department = D
            column.amount.budget.2025 = R7予算
            column.indicator.target = 目標値
            column.sdg-marks = K:AA
            grade.A = 順調
            guess = off
            """, file: "city.layout")
        XCTAssertEqual(layout.sheet, "事業評価")
        XCTAssertEqual(layout.headerRows, 4...5)
        XCTAssertEqual(layout.unit, .thousandYen)
        XCTAssertEqual(layout.fiscalYear, 2024)
        XCTAssertEqual(layout.organization, "総務局 # 本庁")
        XCTAssertFalse(layout.guess)
        XCTAssertEqual(layout.grades, ["A": "順調"])
        XCTAssertEqual(layout.columns.count, 4 + 17)
        XCTAssertEqual(layout.columns[0].reference, .header("事務事業名"))
        XCTAssertEqual(layout.columns[1].reference, .letter(3))
        XCTAssertEqual(layout.columns[2].field, .amount(fiscalYear: 2025, kind: .budget))
        XCTAssertEqual(layout.columns[3].field, .indicatorValue(fiscalYear: nil, kind: .target))
        XCTAssertEqual(layout.columns[4].field, .sdgMark(1))
        XCTAssertEqual(layout.columns[4].reference, .letter(10))
        XCTAssertEqual(layout.columns[20].reference, .letter(26))
    }

    func testErrorsNameTheFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("sheet = a\nthis line has no equals\n", 2, "expected 'key = value'"),
            ("# c\n\ncolour = blue\n", 3, "unknown key `colour`"),
            ("header-rows = 3-6\n", 1, "header-rows must be one row or two adjacent rows"),
            ("unit = ドル\n", 1, "unit must be `円` or `千円`"),
            ("column.programme = B\n", 1, "unknown column field `programme`"),
            ("column.sdg-marks = K:Z\n", 1, "17 adjacent columns"),
            ("fiscal-year = someday\n", 1, "fiscal-year must be a year"),
            ("sheet = a\nsheet = b\n", 2, "declared again (first on line 1)"),
            ("yen-rounding = up\n", 1, "yen-rounding must be `exact` or `nearest`"),
            ("organization =\n", 1, "has no value"),
        ]
        for (text, line, reason) in cases {
            guard let error = failure(text) else {
                XCTFail("accepted: \(text)")
                continue
            }
            XCTAssertEqual(error.line, line, text)
            XCTAssertTrue(error.description.hasPrefix("city.layout:\(line): "), error.description)
            XCTAssertTrue(error.reason.contains(reason), "\(error.reason) ⊅ \(reason)")
        }
    }
}
