import CrosswalkModel
import Foundation
import XCTest

@testable import EvaluationTables
@testable import TableLayouts

/// The worked examples of docs/LAYOUTS.md, with the layouts taken from the document
/// itself, so the document cannot drift from what the reader does.
final class DocumentedExampleTests: XCTestCase {
    static let guide: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/LAYOUTS.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// The first fenced block after `marker` in the guide.
    static func block(after marker: String) throws -> String {
        let start = try XCTUnwrap(guide.range(of: marker), "docs/LAYOUTS.md lacks \(marker)")
        let rest = guide[start.upperBound...]
        let open = try XCTUnwrap(rest.range(of: "```\n"))
        let close = try XCTUnwrap(rest[open.upperBound...].range(of: "```"))
        return String(rest[open.upperBound..<close.lowerBound])
    }

    func testWorkedExampleOneReadsAsDocumented() throws {
        let layout = try TableLayout.parse(text: try Self.block(after: "`kensetsu.layout`:"), file: "kensetsu.layout")
        func row(_ head: [String], marks: [Int: String], tail: [String]) -> String {
            (head + (1...17).map { marks[$0] ?? "" } + tail).joined(separator: ",")
        }
        let csv = [
            row(["code", "name", "program", "dept"], marks: Dictionary(uniqueKeysWithValues: (1...17).map { ($0, "g\($0)") }), tail: ["yen2023", "grade"]),
            row(["A-1-1", "都市", "道路補修事業", "道路課"], marks: [9: "○", 11: "レ"], tail: ["\"1,500,000\"", "B"]),
            row(["", "", "橋梁点検事業", "道路課"], marks: [11: "●"], tail: ["\"2,499,000\"", "Z"]),
        ].joined(separator: "\r\n")
        let bytes = try XCTUnwrap(CP932.encode(csv))
        let doc = try TableReader.read(bytes: bytes, source: "kensetsu.csv", layout: layout)
        XCTAssertEqual(doc.fiscalYear, 2023)
        XCTAssertEqual(doc.organization, "建設局")
        XCTAssertEqual(doc.listings.map(\.policyCode), ["A-1-1", "A-1-1"])
        XCTAssertEqual(doc.listings.map(\.sdgGoals), [[9, 11], [11]])
        XCTAssertEqual(doc.listings.map { $0.amounts }, [
            [AmountRecord(fiscalYear: 2023, kind: .settled, thousandYen: 1500)],
            [AmountRecord(fiscalYear: 2023, kind: .settled, thousandYen: 2499)],
        ])
        XCTAssertEqual(doc.warnings.map(\.code), ["unknown_grade"])
        XCTAssertTrue(doc.warnings[0].message.hasPrefix("kensetsu.csv:row 3, column W:"))

        let inexact = csv.replacingOccurrences(of: "1,500,000", with: "1,500,500")
        XCTAssertThrowsError(try TableReader.read(bytes: Array(inexact.utf8), source: "kensetsu.csv", layout: layout)) { error in
            XCTAssertTrue((error as! ReadError).description.hasPrefix("kensetsu.csv:row 2, column V: 1500500 円"), "\(error)")
        }
    }

    func testWorkedExampleTwoReadsTheSameWithTheDocumentedLayout() throws {
        let bytes = try XLSXTableTests.workbook().data()
        let guessed = try TableReader.read(bytes: bytes, source: "kankyo.xlsx")
        let layout = try TableLayout.parse(text: try Self.block(after: "(where the\ntitle might change), a layout:"), file: "kankyo.layout")
        XCTAssertEqual(layout.headerRows, 3...4)
        let declared = try TableReader.read(bytes: bytes, source: "kankyo.xlsx", layout: layout)
        XCTAssertEqual(declared.listings, guessed.listings)
        XCTAssertEqual(declared.organization, "環境局")
    }
}
