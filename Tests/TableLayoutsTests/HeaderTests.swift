import CrosswalkModel
import Foundation
import XCTest

@testable import EvaluationTables
@testable import TableLayouts

final class HeaderTests: XCTestCase {
    func testCommonHeaderNamesGiveFieldsWithYearsKindsAndUnits() {
        let cases: [(String, Field)] = [
            ("施策", .policy), ("施策名", .policyName), ("施策番号", .policyCode), ("事務事業名", .program),
            ("事業名", .program), ("担当課", .department), ("所管課", .department), ("SDGs", .sdgGoals),
            ("ＳＤＧｓ", .sdgGoals), ("施策のSDGs", .policySdgGoals), ("SDGs11", .sdgMark(11)),
            ("R5決算額", .amount(fiscalYear: 2023, kind: .settled)),
            ("令和5年度予算額", .amount(fiscalYear: 2023, kind: .budget)),
            ("2023年度決算", .amount(fiscalYear: 2023, kind: .settled)),
            ("H30年度決算額（千円）", .amount(fiscalYear: 2018, kind: .settled)),
            ("決算額", .amount(fiscalYear: nil, kind: .settled)),
            ("人件費（目安）", .amount(fiscalYear: nil, kind: .personnel)),
            ("成果指標", .indicatorName), ("目標値", .indicatorValue(fiscalYear: nil, kind: .target)),
            ("R5実績値", .indicatorValue(fiscalYear: 2023, kind: .actual)),
            ("達成率", .indicatorValue(fiscalYear: nil, kind: .achievement)),
            ("評価", .evaluation), ("評価理由", .evaluationReason), ("施策評価", .policyEvaluation),
            ("事業概要", .summary), ("No.", .number), ("Ｎｏ", .number),
        ]
        for (label, field) in cases {
            XCTAssertEqual(HeaderVocabulary.field(for: label), field, label)
        }
        XCTAssertNil(HeaderVocabulary.field(for: "事業費（千円）"))
        XCTAssertNil(HeaderVocabulary.field(for: "備考"))
        XCTAssertEqual(HeaderVocabulary.unit(in: "決算額（千円）"), .thousandYen)
        XCTAssertEqual(HeaderVocabulary.unit(in: "決算額(円)"), .yen)
        XCTAssertNil(HeaderVocabulary.unit(in: "決算額"))
    }

    func testTheYearAndOrganizationCanComeFromColumns() throws {
        let csv = "年度,局名,施策,事業名,担当課,決算額（千円）\n2024,港湾局,I-1 みなと,港湾整備事業,港湾課,\"5,000\"\n"
        let doc = try TableReader.read(bytes: Array(csv.utf8), source: "kowan.csv")
        XCTAssertEqual(doc.fiscalYear, 2024)
        XCTAssertEqual(doc.organization, "港湾局")
        XCTAssertEqual(doc.listings.map(\.amounts), [[AmountRecord(fiscalYear: 2024, kind: .settled, thousandYen: 5000)]])
    }
}
