import CrosswalkModel
import XCTest

final class FiscalYearTests: XCTestCase {
    func testEraAndGregorianFormsNameTheGregorianStartYear() {
        let cases: [(String, Int?)] = [
            ("2023", 2023), ("R5", 2023), ("r5", 2023), ("令和5", 2023), ("令和5年度", 2023), ("令和５年度", 2023),
            ("Ｒ５", 2023), ("R1", 2019), ("令和元年度", 2019), ("H30", 2018), ("平成30年度", 2018), ("平成元年", 1989),
            ("２０２３", 2023), ("2023年度", 2023),
        ]
        for (text, year) in cases { XCTAssertEqual(FiscalYear.parse(text), year, text) }
    }

    func testWhatIsNoFiscalYearIsNil() {
        for text in ["", "R", "R0", "H31x", "平成32", "令和", "1988", "2201", "FY2023", "5", "R-1", "昭和60"] {
            XCTAssertNil(FiscalYear.parse(text), text)
        }
    }

    func testLabelsGiveBothCalendars() {
        XCTAssertEqual(FiscalYear.label(2023), "2023年度（令和5年度）")
        XCTAssertEqual(FiscalYear.label(2019), "2019年度（令和元年度）")
        XCTAssertEqual(FiscalYear.label(1989), "1989年度（平成元年度）")
    }
}
