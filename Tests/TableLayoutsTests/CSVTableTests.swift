import CrosswalkModel
import Foundation
import XCTest

@testable import EvaluationTables
@testable import TableLayouts

final class CSVTableTests: XCTestCase {
    /// What Excel in Japan writes: CP932, CRLF, a title row, a unit row, quoted cells
    /// holding commas, quotes and line breaks, a subtotal, a blank row and a total.
    static let exported = [
        "令和5年度 事務事業評価一覧（総務局）,,,,,,,,",
        "（単位：千円）,,,,,,,,",
        "施策,No.,事務事業名,担当課,SDGs,R4決算額,R5予算額,評価,評価理由",
        "\"II-3-(2)-② 行政のデジタル化\",1,窓口改革事業,DX推進課,\"3,11\",\"1,200\",△500,順調,\"理由は\r\n二行目\"\" 引用\"\", 含む\"",
        ",2,市職員のテレワーク推進,人事課,⑪ ⑯,—,\"2,000\",A,",
        "小計,,,,,\"1,200\",\"1,500\",,",
        "III-1 安全なまち,3,市職員のテレワーク推進（再掲）,人事課,該当なし,,,,",
        ",,,,,,,,",
        "合計,,,,,\"1,200\",\"1,500\",,",
    ].joined(separator: "\r\n") + "\r\n"

    func testCP932CSVWithQuotedMultiLineCellsReadsEveryListingExactly() throws {
        let bytes = try XCTUnwrap(CP932.encode(Self.exported))
        let doc = try TableReader.read(bytes: bytes, source: "somu.csv")
        XCTAssertEqual(doc.encoding, .cp932)
        XCTAssertEqual(doc.fiscalYear, 2023)
        XCTAssertEqual(doc.organization, "総務局")
        XCTAssertEqual(doc.policies.map(\.code), ["II-3-(2)-②", "III-1"])
        XCTAssertEqual(doc.policies.map(\.name), ["行政のデジタル化", "安全なまち"])
        XCTAssertEqual(doc.listings.count, 3)

        let first = doc.listings[0]
        XCTAssertEqual(first.program, "窓口改革事業")
        XCTAssertEqual(first.department, "DX推進課")
        XCTAssertEqual(first.policyCode, "II-3-(2)-②")
        XCTAssertEqual(first.sdgGoals, [3, 11])
        XCTAssertEqual(first.amounts, [
            AmountRecord(fiscalYear: 2022, kind: .settled, thousandYen: 1200),
            AmountRecord(fiscalYear: 2023, kind: .budget, thousandYen: -500),
        ])
        XCTAssertEqual(first.evaluation, "順調")
        XCTAssertEqual(first.evaluationReason, "理由は\n二行目\" 引用\", 含む")
        XCTAssertEqual(first.lines, [4])

        let second = doc.listings[1]
        XCTAssertEqual(second.policyCode, "II-3-(2)-②", "a blank policy cell continues the policy above")
        XCTAssertEqual(second.sdgGoals, [11, 16])
        XCTAssertEqual(second.amounts.map(\.thousandYen), [nil, 2000])
        XCTAssertEqual(second.evaluation, "A")
        XCTAssertFalse(second.relisted)

        let third = doc.listings[2]
        XCTAssertEqual(third.program, "市職員のテレワーク推進")
        XCTAssertEqual(third.policyCode, "III-1")
        XCTAssertTrue(third.relisted)
        XCTAssertEqual(third.programKey, second.programKey)
        XCTAssertEqual(third.sdgGoals, [])
        XCTAssertEqual(third.inheritedSdgGoals, [])
        XCTAssertEqual(doc.warnings.filter { $0.code == "unknown_grade" }, [])
    }

    func testUTF8WithBOMTabSeparatedAndLFReadsTheSame() throws {
        let tsv = Self.exported.replacingOccurrences(of: "\r\n", with: "\n")
        // Re-separate by tab: only the quoted cells hold commas, so rebuild from rows.
        let rows = try CSVGrid.parse(tsv, source: "x.csv")
        let text = rows.map { $0.map { $0.contains("\n") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }.joined(separator: "\t") }.joined(separator: "\n")
        let doc = try TableReader.read(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8), source: "somu.tsv")
        XCTAssertEqual(doc.encoding, .utf8BOM)
        XCTAssertEqual(doc.listings.map(\.sdgGoals), [[3, 11], [11, 16], []])
        XCTAssertEqual(doc.listings[0].evaluationReason, "理由は\n二行目\" 引用\", 含む")
    }

    func testGoalsPerPolicyAreInheritedAndNeverMixedWithTheProgramsOwn() throws {
        let csv = """
            令和6年度 施策別事業一覧（市民局）
            施策,施策SDGs,事業名,担当課,SDGs,決算額（円）
            I-1 共生社会,"5、8",多文化共生事業,国際課,１０,"1,234,000"
            ,,女性活躍推進事業,人権課,,▲2000
            I-2 安全安心,３・１１,防犯灯設置,安全課,⑪,－

            """
        let doc = try TableReader.read(bytes: Array(csv.utf8), source: "shimin.csv")
        XCTAssertEqual(doc.fiscalYear, 2024)
        XCTAssertEqual(doc.organization, "市民局")
        XCTAssertEqual(doc.listings.map(\.sdgGoals), [[10], [], [11]])
        XCTAssertEqual(doc.listings.map(\.inheritedSdgGoals), [[5, 8], [5, 8], [3, 11]])
        XCTAssertEqual(doc.listings.map { $0.amounts.map(\.thousandYen) }, [[1234], [-2], [nil]])
        XCTAssertEqual(doc.listings.map { $0.amounts.map(\.fiscalYear) }, [[2024], [2024], [2024]])
    }

    func testALayoutDeclaresWhatTheTableDoesNotSay() throws {
        let csv = """
            code,name,program,dept,g1,g2,g3,g4,g5,g6,g7,g8,g9,g10,g11,g12,g13,g14,g15,g16,g17,yen2023,grade
            A-1-1,都市,道路補修事業,道路課,,,,,,,,,○,,✓,,,,,,,"1,500",B
            ,,橋梁点検事業,道路課,,,,,,,,,,,●,,,,,,,2499,Z
            """
        let layout = try TableLayout.parse(text: """
            # a city whose export has no title and English headers
            header-rows = 1
            fiscal-year = 令和5年度
            organization = 建設局
            unit = 円
            yen-rounding = nearest
            column.policy-code = A
            column.policy-name = name
            column.program = C
            column.department = "dept"
            column.sdg-marks = E:U
            column.amount.settled = yen2023
            column.evaluation = W
            grade.A = 順調
            grade.B = 概ね順調
            """, file: "kensetsu.layout")
        XCTAssertEqual(layout.yenRounding, .nearest)
        let doc = try TableReader.read(bytes: Array(csv.utf8), source: "kensetsu.csv", layout: layout)
        XCTAssertEqual(doc.fiscalYear, 2023)
        XCTAssertEqual(doc.organization, "建設局")
        XCTAssertEqual(doc.policies.map(\.code), ["A-1-1"])
        XCTAssertEqual(doc.policies.map(\.name), ["都市"])
        XCTAssertEqual(doc.listings.map(\.program), ["道路補修事業", "橋梁点検事業"])
        XCTAssertEqual(doc.listings.map(\.sdgGoals), [[9, 11], [11]])
        XCTAssertEqual(doc.listings.map { $0.amounts.map(\.thousandYen) }, [[2], [2]])
        let rounded = doc.warnings.filter { $0.code == "rounded_amount" }.map(\.message)
        XCTAssertEqual(rounded.count, 2)
        XCTAssertTrue(rounded[0].hasPrefix("kensetsu.csv:row 2, column V: 1500 円"), rounded[0])
        let unknown = doc.warnings.filter { $0.code == "unknown_grade" }
        XCTAssertEqual(unknown.count, 1)
        XCTAssertTrue(unknown[0].message.hasPrefix("kensetsu.csv:row 3, column W:"), unknown[0].message)
        XCTAssertEqual(doc.listings.map(\.evaluation), ["B", "Z"], "grades are kept as written")
    }
}

extension CSVTableTests {
    func testARepeatedHeaderAndDeclaredHeaderRowsWithoutAProgramColumn() throws {
        let csv = "令和5年度（総務局）\n施策,事業名,担当課\nI-1 x,事業A,課\n施策,事業名,担当課\nI-2 y,事業B,課\n"
        let doc = try TableReader.read(bytes: Array(csv.utf8), source: "pages.csv")
        XCTAssertEqual(doc.listings.map(\.program), ["事業A", "事業B"])

        let layout = try TableLayout.parse(text: "header-rows = 1\n", file: "pages.layout")
        XCTAssertThrowsError(try TableReader.read(bytes: Array(csv.utf8), source: "pages.csv", layout: layout)) { error in
            let error = error as! ReadError
            XCTAssertEqual(error.kind, .layoutMismatch)
            XCTAssertTrue(error.description.hasPrefix("pages.csv:row 1: header-rows = 1 (pages.layout) names no program column"), error.description)
        }
    }
}

extension CSVTableTests {
    func testColumnsDeclaredByLetterDoNotMakeATitleRowAHeader() throws {
        let csv = "令和5年度 評価（総務局）\n区分,名称,課\nI-1 x,事業A,課A\n"
        let layout = try TableLayout.parse(text: "column.program = B\ncolumn.department = C\ncolumn.policy = A\n", file: "l.layout")
        // Without header-rows, the header is the first row with text in the program column and one more.
        let doc = try TableReader.read(bytes: Array(csv.utf8), source: "t.csv", layout: layout)
        XCTAssertEqual(doc.listings.map(\.program), ["事業A"])
        XCTAssertEqual(doc.listings.map(\.department), ["課A"])
    }
}

extension CSVTableTests {
    func testTotalsAreRecognisedButProgramsThatStartOrEndLikeOneAreNot() {
        for total in ["計", "小計", "合計", "総計", "合計（千円）", "施策小計", "I-1計", "ＩＩ－１計"] {
            XCTAssertTrue(RowReader.isTotal(total), total)
        }
        for program in ["合計特殊出生率向上事業", "人口推計", "公営企業会計", "基本設計", "統計調査事業"] {
            XCTAssertFalse(RowReader.isTotal(program), program)
        }
    }

    func testARowWithoutProgramOrPolicyContinuesTheProgramAbove() throws {
        let csv = "令和5年度（総務局）\n施策,事業名,担当課,成果指標,R5目標値,R5実績値\nI-1 x,事業A,課A,利用者数,100人,\n,,,,,90人\nI-2 y,事業B,課B,件数,5件,4件\n,,,満足度,80%,\n"
        let doc = try TableReader.read(bytes: Array(csv.utf8), source: "ind.csv")
        XCTAssertEqual(doc.listings.map(\.program), ["事業A", "事業B"])
        XCTAssertEqual(doc.listings.map(\.lines), [[3, 4], [5, 6]])
        XCTAssertEqual(doc.listings[0].indicator?.name, "利用者数")
        XCTAssertEqual(doc.listings[0].indicator?.values.map(\.text), ["100人", "90人"])
        XCTAssertEqual(doc.listings[0].indicator?.values.map(\.kind), [.target, .actual])
        XCTAssertEqual(doc.listings[0].indicator?.values.map(\.number), [100, 90])
        XCTAssertEqual(doc.listings[1].indicator?.values.map(\.text), ["5件", "4件"])
        XCTAssertEqual(doc.warnings.filter { $0.code == "extra_indicator" }.map(\.line), [6])
    }
}
