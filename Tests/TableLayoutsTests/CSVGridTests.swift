import XCTest

@testable import EvaluationTables
@testable import TableLayouts

final class CSVGridTests: XCTestCase {
    func testQuotedCellsKeepSeparatorsQuotesTabsAndLineBreaks() throws {
        let text = "a,\"b,1\",\"say \"\"hi\"\"\",\"tab\there\",\"two\r\nlines\"\r\nx,,\"\"\r\n"
        XCTAssertEqual(try CSVGrid.parse(text, source: "t.csv"), [
            ["a", "b,1", "say \"hi\"", "tab\there", "two\nlines"],
            ["x", "", ""],
        ])
    }

    func testTabSeparatedCROnlyAndNoFinalLineBreak() throws {
        XCTAssertEqual(try CSVGrid.parse("a\tb,c\r1\t\"2\"", source: "t.tsv"), [["a", "b,c"], ["1", "2"]])
    }

    func testColumnLettersRoundTrip() {
        for (index, letters) in [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")] {
            XCTAssertEqual(ColumnName.letters(index), letters)
            XCTAssertEqual(ColumnName.index(letters), index)
        }
        XCTAssertNil(ColumnName.index("ID1"))
        XCTAssertNil(ColumnName.index("abc"))
    }
}
