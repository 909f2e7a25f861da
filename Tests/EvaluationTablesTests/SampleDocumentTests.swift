import CrosswalkModel
import XCTest

@testable import EvaluationTables

/// Every field of every policy and listing of the bundled digital_R5.txt, with the
/// expectations written by reading the document.
final class SampleDocumentTests: XCTestCase {
    static let source = "digital_R5.txt"
    static let former = "デジタル市役所推進室 デジタル市役所推進課"

    static let summary1 = "北九州市DX推進計画のミッションである「デジタルで快適・便利な幸せなまち」の実現に向け、全庁一体でスピード感をもってDXを推進するために、基盤となる全庁的なDX人材の育成や、DX推進計画の着実な進捗管理、民間の知見やノウハウを施策に反映する仕組みの構築などに取り組む。"
    static let summary2 = "本市職員の業務効率化及び新しい生活様式に対応した多様な働き方を可能にするため、必要なモバイル端末を調達し、テレワークの本格実施に向けた環境整備を進めるもの。"
    static let summary3 = "効率的で働きやすい職場環境の実現において、モバイルパソコン等を活用したペーパーレス化やフリーアドレスの導入などオフィスレイアウトを見直しオフィス改革を推進するもの。"
    static let summary6 = "業務の抜本的改革に取り組むため、AIやRPA、ローコードツール等の新たなデジタル技術を積極的活用する。"
    static let summary7 = "デジタル機器の操作に不慣れな方であっても、デジタル技術の活用による恩恵を享受できるよう、啓発等の取組を進める。"
    static let summary8 = "市民サービスの向上、市役所業務の効率化に向けて、行政手続きのオンライン化を推進する。"

    static let reason1 = "連携協定企業等の協力も得て研修に取り組み、令和5年度から3年間で2,400人の市職員をDX人材として体系的に育成する「DX人材育成プロジェクト」を開始し、DX人材が自律的に業務改革を推進する基盤づくりに着手した。 ローコードツールの全職員での活用や業務量調査の結果も活用した全課でのDXアイデア検討を実施するなど、全庁的に計画を着実に推進させていることから、「順調」と判断。"
    static let reason2 = "職場と同様作業ができるモバイル端末1,500台を各局に配備し、テレワークを推進していることから、「順調」と判断。"
    static let reason3 = "財政・変革局 財政課、都市整備局 設備部においてモデル的にオフィス改革を実施し、コピー用紙調達数約4割減（R2年度比）の効果をえた。 今後、横展開を進めていく上での効果検証ができたことから、「順調」と判断。"
    static let reason5 = "連携協定企業等の協力も得て研修に取り組み、令和5年度から3年間で2,400人の市職員をDX人材として体系的に育成する「DX人材育成プロジェクト」を開始し、DX人材が自律的に業務改革を推進する基盤づくりに着手した。 ローコードツールの全職員での活用や業務量調査の結果も活用した全課でのDXアイデア検討などを実施するなど、全庁的に計画を着実に推進させていることから、「順調」と判断。"
    static let reason6 = "令和5年度において、AI-OCR、AI音声議事録作成支援、RPA集中処理により、年間15,507時間の削減効果があった。 また、ローコードツールについては、308システムを本運用し、年間40,355時間の削減効果があった。 AI・RPA、ローコードツールともに活用が進んでいることから、「順調」と判断。"

    static let policyText1 = "【評価理由】 各職場で自律的にデジタル技術を活用して業務改革に取り組むDX人材の育成に着手するとともに、デジタル技術の活用等により作業時間の削減を着実に進めている。 また、モバイル端末の活用促進やオフィス改革の実施により、業務内容に合わせた柔軟な働き方を推進できていることから「順調」と判断。 【課題】 今後のテレワークの実施の方向性については、制度導入時のコロナ禍から変化したテレワークに対する考え方の整理などの検討が必要。"
    static let policyText2 = "【評価理由】 モバイル端末の活用促進、業務内容に合わせた柔軟な働き方を実現できていることから、「順調」と判断。 【課題】 今後のテレワークの実施の方向性については、制度導入時のコロナ禍から変化したテレワークに対する考え方の整理などの検討が必要。"
    // Line 20's cell, then the 【課題】 that sits on program No. 6's row (line 23).
    static let policyText3 = "【評価理由】 業務効率化に向けて、AI・RPAを活用した定型業務の集中処理やローコードツールの全職員活用促進により作業時間を削減するとともに、全庁的なDXアイデア検討などの取組を実施した。 市民サービスの向上に向けて、手続きオンライン化や全区役所でのキオスク端末の配置、区役所窓口のオンライン予約・発券サービスの実証を進めるとともに、デジタルに馴染みがない方に向けたデジタル活用講座開催などの取組を実施した。 以上のことから、高度情報社会への対応を総合的に進めていることから、「順調」と判断。"
        + " " + "【課題】 DXに取り組む領域は幅広くある中で、全庁一体でDXを推進するために、施策検討・企画の最上流からデジタル・ファーストでDXを推進する考えを徹底することが必要。"

    static func amounts(_ prevSettled: Int?, _ budget: Int?, _ settled: Int?, _ personnel: Int?) -> [AmountRecord] {
        [
            AmountRecord(fiscalYear: 2022, kind: .settled, thousandYen: prevSettled),
            AmountRecord(fiscalYear: 2023, kind: .budget, thousandYen: budget),
            AmountRecord(fiscalYear: 2023, kind: .settled, thousandYen: settled),
            AmountRecord(fiscalYear: 2023, kind: .personnel, thousandYen: personnel),
        ]
    }

    static func value(_ year: Int, _ kind: IndicatorValueKind, _ text: String, _ number: Double? = nil, _ unit: String? = nil) -> IndicatorValue {
        IndicatorValue(fiscalYear: year, kind: kind, text: text, number: number, unit: unit)
    }

    static func listing(
        _ no: Int, _ policy: String, _ program: String, sdg: [Int], summary: String, indicator: IndicatorRecord,
        amounts: [AmountRecord], reason: String?, lines: [Int]
    ) -> ListingRecord {
        ListingRecord(
            no: no, policyCode: policy, program: program,
            programKey: ProgramKey.make(name: program, department: "DX推進課"), relisted: false,
            department: "DX推進課", formerDepartment: former, summary: summary, sdgGoals: sdg,
            indicator: indicator, amounts: amounts, evaluation: "順調", evaluationReason: reason, lines: lines)
    }

    static let expectedListings: [ListingRecord] = [
        // Page 1 (21 columns): flattened indicator (目標/実績/達成率 in one row) → FY2023.
        listing(1, "II-3-(2)-②", "KitaQ DX推進事業", sdg: [11, 16], summary: summary1,
            indicator: IndicatorRecord(name: "「北九州市DX推進計画」に基づく取組の推進", nameInferred: false, baseline: nil,
                midtermTarget: "計画の着実な推進",
                values: [value(2023, .target, "計画の着実な推進"), value(2023, .actual, "計画の着実な推進")]),
            amounts: amounts(19027, 5000, 3947, 6400), reason: reason1, lines: [8]),
        listing(2, "II-3-(2)-②", "市職員のテレワーク推進", sdg: [5, 8, 10], summary: summary2,
            indicator: IndicatorRecord(name: "テレワーク実施率（各職員が月1回以上実施）", nameInferred: false, baseline: nil,
                midtermTarget: "本庁部署におけるテレワーク実施率80%（R7年度）",
                values: [value(2023, .target, "テレワークの実施"), value(2023, .actual, "テレワークの実施")]),
            amounts: amounts(90976, 90977, 90976, 6400), reason: reason2, lines: [9]),
        listing(3, "II-3-(2)-②", "ペーパーレス・オフィス改革推進事業", sdg: [11, 16], summary: summary3,
            indicator: IndicatorRecord(name: "ペーパーレス化の推進", nameInferred: false, baseline: nil,
                midtermTarget: "紙の使用量50%削減（R7年度・R2年度比）",
                values: [value(2023, .target, "ペーパーレス化推進"), value(2023, .actual, "ペーパーレス化推進")]),
            amounts: amounts(7997, 30000, 20520, 5400), reason: reason3, lines: [10]),
        // Page 2 (20 columns): 指標名等 placeholder → name inferred from No. 2.
        listing(4, "II-3-(2)-④", "市職員のテレワーク推進", sdg: [5, 8, 10], summary: summary2,
            indicator: IndicatorRecord(name: "テレワーク実施率（各職員が月1回以上実施）", nameInferred: true, baseline: nil,
                midtermTarget: "本庁部署におけるテレワーク実施率80% (R7年度)",
                values: [
                    value(2022, .target, "テレワークの実施"), value(2023, .target, "テレワークの実施"),
                    value(2022, .actual, "テレワークの実施"), value(2023, .actual, "テレワークの実施"),
                ]),
            amounts: amounts(90976, 90977, 90976, 6400), reason: reason2, lines: [17, 18, 19]),
        listing(5, "III-1-(3)-④", "KitaQ DX推進事業", sdg: [11, 12], summary: summary1,
            indicator: IndicatorRecord(name: "「北九州市DX推進計画」に基づく取組の推進", nameInferred: true, baseline: nil,
                midtermTarget: "計画の着実な推進",
                values: [
                    value(2022, .target, "計画の着実な推進"), value(2023, .target, "計画の着実な推進"),
                    value(2022, .actual, "計画の着実な推進"), value(2023, .actual, "計画の着実な推進"),
                ]),
            amounts: amounts(19027, 5000, 3947, 6400), reason: reason5, lines: [20, 21, 22]),
        // Policy column gone: every cell shifted one left; still III-1-(3)-④.
        listing(6, "III-1-(3)-④", "AI・RPAによる業務改革事業", sdg: [13], summary: summary6,
            indicator: IndicatorRecord(name: nil, nameInferred: false, baseline: nil,
                midtermTarget: "事務作業時間100,000時間削減 (R7年度)",
                values: [
                    value(2022, .target, "事務作業時間の削減"), value(2023, .target, "事務作業時間の削減"),
                    value(2022, .actual, "年間削減作業時間：46,549時間", 46549, "時間"),
                    value(2023, .actual, "年間削減作業時間：55,862時間", 55862, "時間"),
                ]),
            amounts: amounts(40639, 125000, 110676, 15400), reason: reason6, lines: [23, 24, 25]),
        // Page 3: No. first, SDG as a plain number, an empty cell, wrapped text.
        listing(7, "III-1-(3)-④", "デジタルデバイド対策事業", sdg: [17], summary: summary7,
            indicator: IndicatorRecord(name: "市民のインターネット利用率", nameInferred: false, baseline: "75% (R2年度調査)",
                midtermTarget: "85% (R6年度)",
                values: [value(2022, .target, "単年度目標なし"), value(2023, .target, "単年度目標なし")]),
            amounts: amounts(7042, 62400, 53806, 6400), reason: nil, lines: [32, 33, 34]),
        listing(8, "III-1-(3)-④", "手続きオンライン化推進事業", sdg: [17], summary: summary8,
            indicator: IndicatorRecord(name: "行政手続きのオンライン化", nameInferred: false, baseline: nil,
                midtermTarget: "対象となるすべての手続きを原則オンライン化 (R7年度末)",
                values: [
                    value(2022, .target, "手続きオンライン化の着実な推進"), value(2023, .target, "手続きオンライン化の着実な推進"),
                    value(2022, .actual, "手続きオンライン化の着実な推進"), value(2023, .actual, "手続きオンライン化の着実な推進"),
                ]),
            amounts: amounts(2872, 12500, 10740, 20950), reason: nil, lines: [35, 36, 37]),
    ]

    static let expectedPolicies: [PolicyRecord] = [
        PolicyRecord(code: "II-3-(2)-②", codeKey: "ii-3-(2)-2", name: "ワーク・ライフ・バランス（仕事と生活の調和）の推進",
            evaluation: "順調", evaluationText: policyText1, lines: [8]),
        PolicyRecord(code: "II-3-(2)-④", codeKey: "ii-3-(2)-4", name: "女性の活躍推進",
            evaluation: "順調", evaluationText: policyText2, lines: [17]),
        PolicyRecord(code: "III-1-(3)-④", codeKey: "iii-1-(3)-4", name: "高度情報社会への対応",
            evaluation: "順調", evaluationText: policyText3, lines: [20, 23]),
    ]

    func read() throws -> EvaluationDocument {
        try EvaluationReader().read(try Fixture.sample, source: Self.source)
    }

    func testDocumentFields() throws {
        let doc = try read()
        XCTAssertEqual(doc.source, "digital_R5.txt")
        XCTAssertEqual(doc.sha256, "326ada68923ebeef50b99358608162aa8b7e12ce2787ffa30f94a98448d27c3c")
        XCTAssertEqual(doc.encoding, .utf8)
        XCTAssertEqual(doc.fiscalYear, 2023)
        XCTAssertEqual(doc.organization, "デジタル市役所推進室")
        XCTAssertEqual(doc.policies.count, 3)
        XCTAssertEqual(doc.listings.count, 8)
    }

    func testEveryPolicyField() throws {
        let doc = try read()
        XCTAssertEqual(doc.policies.count, Self.expectedPolicies.count)
        for (got, want) in zip(doc.policies, Self.expectedPolicies) {
            XCTAssertEqual(got.code, want.code)
            XCTAssertEqual(got.codeKey, want.codeKey, want.code)
            XCTAssertEqual(got.codeKey, PolicyCode.key(want.code), want.code)
            XCTAssertEqual(got.name, want.name, want.code)
            XCTAssertEqual(got.evaluation, want.evaluation, want.code)
            XCTAssertEqual(got.evaluationText, want.evaluationText, want.code)
            XCTAssertEqual(got.lines, want.lines, want.code)
        }
    }

    func testEveryListingField() throws {
        let doc = try read()
        XCTAssertEqual(doc.listings.count, Self.expectedListings.count)
        for (got, want) in zip(doc.listings, Self.expectedListings) {
            let at = "No.\(want.no)"
            XCTAssertEqual(got.no, want.no)
            XCTAssertEqual(got.policyCode, want.policyCode, at)
            XCTAssertEqual(got.program, want.program, at)
            XCTAssertEqual(got.programKey, want.programKey, at)
            XCTAssertEqual(got.relisted, want.relisted, at)
            XCTAssertEqual(got.department, want.department, at)
            XCTAssertEqual(got.formerDepartment, want.formerDepartment, at)
            XCTAssertEqual(got.summary, want.summary, at)
            XCTAssertEqual(got.sdgGoals, want.sdgGoals, at)
            XCTAssertEqual(got.indicator?.name, want.indicator?.name, at)
            XCTAssertEqual(got.indicator?.nameInferred, want.indicator?.nameInferred, at)
            XCTAssertEqual(got.indicator?.baseline, want.indicator?.baseline, at)
            XCTAssertEqual(got.indicator?.midtermTarget, want.indicator?.midtermTarget, at)
            XCTAssertEqual(got.indicator?.values, want.indicator?.values, at)
            XCTAssertEqual(got.amounts, want.amounts, at)
            XCTAssertEqual(got.evaluation, want.evaluation, at)
            XCTAssertEqual(got.evaluationReason, want.evaluationReason, at)
            XCTAssertEqual(got.lines, want.lines, at)
            XCTAssertEqual(got, want, at)
        }
    }

    func testSamePrograms() throws {
        let doc = try read()
        let keys = Set(doc.listings.map(\.programKey))
        XCTAssertEqual(keys.count, 6, "8 listings of 6 programs")
        XCTAssertEqual(doc.listings[0].programKey, doc.listings[4].programKey, "KitaQ DX: No.1 and No.5")
        XCTAssertEqual(doc.listings[1].programKey, doc.listings[3].programKey, "telework: No.2 and No.4")
    }

    func testWarnings() throws {
        let doc = try read()
        // Only the KitaQ DX SDG sets disagree (11,16 vs 11,12); amounts and grades agree.
        XCTAssertEqual(doc.warnings.map(\.code), ["sdg_conflict"])
        let warning = try XCTUnwrap(doc.warnings.first)
        XCTAssertEqual(warning.line, 20)
        XCTAssertTrue(warning.message.hasPrefix("digital_R5.txt:20: "), warning.message)
        XCTAssertTrue(warning.message.contains("II-3-(2)-② No.1 (digital_R5.txt:8)"), warning.message)
        XCTAssertTrue(warning.message.contains("III-1-(3)-④ No.5 (digital_R5.txt:20)"), warning.message)
        XCTAssertTrue(warning.message.contains("[11, 16]") && warning.message.contains("[11, 12]"), warning.message)
    }

    func testJSONShape() throws {
        let doc = try read()
        let data = try EvaluationJSON.encoder().encode(EvaluationBatch(documents: [doc]))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["format"] as? String, "crosswalk.evaluation/1")
        let documents = try XCTUnwrap(object["documents"] as? [[String: Any]])
        let first = try XCTUnwrap(documents.first)
        XCTAssertEqual(first["fiscal_year"] as? Int, 2023)
        XCTAssertEqual(first["encoding"] as? String, "utf-8")
        let listing = try XCTUnwrap((first["listings"] as? [[String: Any]])?.first)
        XCTAssertEqual(listing["policy_code"] as? String, "II-3-(2)-②")
        XCTAssertEqual(listing["sdg_goals"] as? [Int], [11, 16])
        let amount = try XCTUnwrap((listing["amounts"] as? [[String: Any]])?.first)
        XCTAssertEqual(amount["thousand_yen"] as? Int, 19027)
        let decoded = try EvaluationJSON.decoder().decode(EvaluationBatch.self, from: data)
        XCTAssertEqual(decoded.documents, [doc])
    }
}
