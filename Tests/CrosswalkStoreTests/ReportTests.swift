import CrosswalkAnalytics
import CrosswalkModel
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// `crosswalk report`: the reports decoded from the analytics SQL over the synced
/// sample (FY2023, settled, 千円), and each rendered as json, csv, md and html.
final class ReportTests: XCTestCase {
    /// The official SDG colours, goal 1 to 17 (/work/shared/sdg_goals.tsv).
    static let officialColors = [
        "#E5243B", "#DDA63A", "#4C9F38", "#C5192D", "#FF3A21", "#26BDE2", "#FCC30B", "#A21942", "#FD6925",
        "#DD1367", "#FD9D24", "#BF8B2E", "#3F7E44", "#0A97D9", "#56C02B", "#00689D", "#19486A",
    ]

    static let craftedName = "ペーパーレス<b>&\"'事業"

    /// The sample with the paperless program renamed to `craftedName` and the online
    /// procedures program (No. 8) left without an SDG goal.
    static func craftedSample() throws -> String {
        var text = try Fixtures.sampleText()
        XCTAssertTrue(text.contains("ペーパーレス・オフィス改革推進事業"))
        XCTAssertTrue(text.contains("8\t17\t"))
        text = text.replacingOccurrences(of: "ペーパーレス・オフィス改革推進事業", with: craftedName)
        text = text.replacingOccurrences(of: "8\t17\t", with: "8\t\t")
        return text
    }

    /// A fresh database with `text` synced, and the analytics over it.
    private func withSynced(_ text: String? = nil, _ label: String = #function, _ body: (Analytics) async throws -> Void) async throws {
        try await TestDatabase.withPool(label) { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try Fixtures.write(try text ?? Fixtures.sampleText(), to: folder, as: "digital_R5.txt")
            let summary = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [folder.path]))
            XCTAssertEqual(summary.status, .ok)
            try await body(Analytics(pool: pool))
        }
    }

    private static func sdg(_ analytics: Analytics, mode: Analytics.Mode = .gross) async throws -> (Report, SDGReport) {
        let report = try await analytics.report(ReportRequest(kind: .sdg, fiscalYear: 2023, amount: .settled, mode: mode))
        guard case .sdg(let sdg) = report.content else { throw ReportError("not an sdg report") }
        return (report, sdg)
    }

    private static func duplicates(_ analytics: Analytics) async throws -> (Report, DuplicatesReport) {
        let report = try await analytics.report(ReportRequest(kind: .duplicates, fiscalYear: 2023, amount: .settled))
        guard case .duplicates(let duplicates) = report.content else { throw ReportError("not a duplicates report") }
        return (report, duplicates)
    }

    // MARK: - Decoded reports match the hand-checked sample

    func testSDGReportGrossMatchesTheHandCheckedSample() async throws {
        try await withSynced { analytics in
            let (_, sdg) = try await Self.sdg(analytics)
            XCTAssertEqual(sdg.fiscalYear, 2023)
            XCTAssertEqual(sdg.amount, .settled)
            XCTAssertEqual(sdg.mode, .gross)
            XCTAssertEqual(sdg.programs, 6)
            XCTAssertEqual(sdg.totalThousandYen, 290_665)
            XCTAssertEqual(sdg.totalWithGoalsThousandYen, 290_665)
            XCTAssertEqual(sdg.goals.map(\.goal), Array(1...17))
            XCTAssertEqual(sdg.goals.map(\.color), Self.officialColors)
            let eleven = sdg.goals[10]
            XCTAssertEqual(eleven.nameJa, "住み続けられるまちづくりを")
            XCTAssertEqual(eleven.programs, 2)
            XCTAssertEqual(eleven.thousandYen, 24_467)
            XCTAssertEqual(eleven.programList.map(\.name), ["KitaQ DX推進事業", "ペーパーレス・オフィス改革推進事業"])
            XCTAssertEqual(eleven.programList.map(\.thousandYen), [3_947, 20_520])
            XCTAssertEqual(sdg.noGoal.programs, 0)
            XCTAssertEqual(sdg.allPrograms.count, 6)
        }
    }

    func testSDGReportSplitDividesEachProgramAmongItsGoals() async throws {
        try await withSynced { analytics in
            let (_, sdg) = try await Self.sdg(analytics, mode: .split)
            XCTAssertEqual(sdg.mode, .split)
            // KitaQ (3,947) has goals 11, 12, 16; paperless (20,520) has 11, 16.
            XCTAssertEqual(sdg.goals[11].thousandYen, Decimal(string: "1315.667"))
            XCTAssertEqual(sdg.goals[10].thousandYen, Decimal(string: "11575.667"))
            XCTAssertEqual(sdg.goals[12].thousandYen, 110_676)
            let sum = sdg.goals.map(\.thousandYen).reduce(0, +)
            XCTAssertLessThan(abs(NSDecimalNumber(decimal: sum - Decimal(sdg.totalWithGoalsThousandYen)).doubleValue), 0.01)
        }
    }

    func testDuplicatesReportMatchesTheHandCheckedDoubleCount() async throws {
        try await withSynced { analytics in
            let (_, duplicates) = try await Self.duplicates(analytics)
            XCTAssertEqual(duplicates.naivePerPolicyTotal, 385_588)
            XCTAssertEqual(duplicates.deduplicatedTotal, 290_665)
            XCTAssertEqual(duplicates.doubleCounted, 94_923)
            XCTAssertEqual(duplicates.programs.map(\.name), ["KitaQ DX推進事業", "市職員のテレワーク推進"])
            XCTAssertEqual(duplicates.programs.map(\.countedExtra), [3_947, 90_976])
            XCTAssertEqual(duplicates.programs[0].policies.map(\.code), ["II-3-(2)-②", "III-1-(3)-④"])
            XCTAssertEqual(duplicates.programs[0].policies.map(\.no), [1, 5])
            XCTAssertEqual(duplicates.programs[1].policies.map(\.code), ["II-3-(2)-②", "II-3-(2)-④"])
        }
    }

    func testConflictsAndPolicyReportsDecode() async throws {
        try await withSynced { analytics in
            let conflicts = try await analytics.report(ReportRequest(kind: .conflicts, fiscalYear: 2023))
            guard case .conflicts(let report) = conflicts.content else { return XCTFail("not a conflicts report") }
            XCTAssertEqual(report.programs.map(\.name), ["KitaQ DX推進事業"])
            let goals = try XCTUnwrap(report.programs.first?.conflicts.first { $0.field == "sdg_goals" })
            XCTAssertEqual(goals.listings.map { ConflictsReport.valueText($0.value, field: "sdg_goals") }, ["11, 16", "11, 12"])

            let policies = try await analytics.report(ReportRequest(kind: .policy, fiscalYear: 2023))
            guard case .policies(let list) = policies.content else { return XCTFail("not a policies report") }
            XCTAssertEqual(list.policies.map(\.code), ["II-3-(2)-②", "II-3-(2)-④", "III-1-(3)-④"])
            XCTAssertEqual(list.policies.map(\.programs), [3, 1, 4])
            XCTAssertEqual(list.policies.map(\.evaluation), ["順調", "順調", "順調"])

            let one = try await analytics.report(ReportRequest(kind: .policy, policyCode: "II-3-(2)-2"))
            guard case .policy(let detail) = one.content else { return XCTFail("not a policy detail report") }
            XCTAssertEqual(detail.code, "II-3-(2)-②")
            XCTAssertEqual(detail.programs.map(\.no), [1, 2, 3])
            XCTAssertEqual(detail.evaluations.map(\.grade), ["順調"])
        }
    }

    func testUnknownPolicyCodeIsAnError() async throws {
        try await withSynced { analytics in
            do {
                _ = try await analytics.report(ReportRequest(kind: .policy, policyCode: "IX-9-(9)-9"))
                XCTFail("an unknown policy code gave a report")
            } catch let error as ReportError {
                XCTAssertEqual(error.description, "no policy with code IX-9-(9)-9")
            }
        }
    }

    // MARK: - Every report renders in every format

    func testEveryReportKindRendersInEveryFormat() async throws {
        try await withSynced { analytics in
            let requests = [
                ReportRequest(kind: .sdg), ReportRequest(kind: .sdg, mode: .split, organization: "デジタル市役所推進室"),
                ReportRequest(kind: .duplicates), ReportRequest(kind: .conflicts),
                ReportRequest(kind: .policy), ReportRequest(kind: .policy, policyCode: "III-1-(3)-④"),
            ]
            for request in requests {
                let report = try await analytics.report(request)
                let label = "\(request.kind) \(request.policyCode ?? "")"

                let json = report.rendered(as: .json)
                let reparsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary
                let original = try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? NSDictionary
                XCTAssertEqual(reparsed, original, label)
                XCTAssertTrue(json.contains("\n  \""), "json is indented: \(label)")

                let csv = report.rendered(as: .csv)
                XCTAssertTrue(csv.hasPrefix("\u{FEFF}"), label)
                let records = CSV.parse(csv)
                XCTAssertGreaterThan(records.count, 1, label)
                XCTAssertTrue(records.allSatisfy { $0.count == records[0].count }, "every record as wide as the header: \(label)")

                let markdown = report.rendered(as: .md)
                XCTAssertTrue(markdown.hasPrefix("# "), label)
                XCTAssertTrue(markdown.contains("|---"), label)

                let html = report.rendered(as: .html)
                XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"ja\">"), label)
                XCTAssertTrue(html.contains("<meta charset=\"utf-8\">"), label)
                XCTAssertTrue(html.contains("<table>"), label)
                XCTAssertTrue(html.hasSuffix("</html>\n"), label)
            }
        }
    }

    func testJSONIsTheSQLAnswerWithItsDigitsKept() async throws {
        try await withSynced { analytics in
            let (report, _) = try await Self.sdg(analytics, mode: .split)
            let json = report.rendered(as: .json)
            XCTAssertTrue(json.contains("\"thousand_yen\": 1315.667"), "split amounts keep the SQL's digits")
            XCTAssertEqual(json.filter { !$0.isWhitespace }, report.json.filter { !$0.isWhitespace })
        }
    }

    func testJSONPrettyLeavesStringsAlone() {
        let text = #"{"a": "x, {y}: [z] \"q\"", "b": [], "c": {}, "d": [1, {"e": null}]}"#
        let pretty = JSONPretty.format(text)
        XCTAssertEqual(pretty, """
            {
              "a": "x, {y}: [z] \\"q\\"",
              "b": [],
              "c": {},
              "d": [
                1,
                {
                  "e": null
                }
              ]
            }
            """)
    }

    // MARK: - CSV

    /// The rows a spreadsheet sums (one per goal) under a Japanese header and the English
    /// keys; the totals in a section of their own, under the text columns; the counting rule.
    func testSDGCSVParsesBackToTheGoalRowsAndTotals() async throws {
        try await withSynced { analytics in
            let (report, _) = try await Self.sdg(analytics)
            let csv = report.rendered(as: .csv)
            XCTAssertTrue(csv.hasPrefix("\u{FEFF}年度,"), "starts with a UTF-8 byte-order mark and the Japanese header")
            XCTAssertTrue(csv.hasSuffix("\r\n"))
            XCTAssertFalse(csv.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "records end in CRLF")
            let records = CSV.parse(csv)
            XCTAssertEqual(records[0], ["年度", "金額の種類", "集計方法", "組織", "ゴール", "名称", "名称（英語）", "事業数", "金額（千円）"])
            XCTAssertEqual(records[1], ["fiscal_year", "amount", "mode", "organization", "goal", "name_ja", "name_en", "programs", "thousand_yen"])
            let goals = Array(records[2..<19])
            XCTAssertEqual(goals.map { $0[4] }, (1...17).map(String.init))
            XCTAssertEqual(records[19].allSatisfy(\.isEmpty), true, "a blank record ends the rows to sum")
            let eleven = try XCTUnwrap(goals.first { $0[4] == "11" })
            XCTAssertEqual(eleven, ["2023", "settled", "gross", "", "11", "住み続けられるまちづくりを", "Sustainable Cities and Communities", "2", "24467"])
            // A name with a comma is quoted and comes back whole.
            XCTAssertEqual(goals.first { $0[4] == "9" }?[6], "Industry, Innovation and Infrastructure")
            XCTAssertTrue(csv.contains(",\"Industry, Innovation and Infrastructure\","))
            // Totals: their own section, numbers under the text columns (mode, organization).
            XCTAssertEqual(records[20][0], CSVTable.totalsTitle)
            let totals = Dictionary(uniqueKeysWithValues: records[22...24].map { ($0[0], Array($0[2...3])) })
            XCTAssertEqual(totals, ["no_goal": ["0", "0"], "total_with_goals": ["6", "290665"], "total": ["6", "290665"]])
            XCTAssertFalse(records.dropFirst(2).contains { ["total", "no_goal", "total_with_goals"].contains($0[4]) })
            let notes = records.drop { $0[0] != CSVTable.notesTitle }.dropFirst().map { $0[0] }
            XCTAssertTrue(notes.contains { $0.hasPrefix("集計方法 / counting:") && $0.contains("counts once") }, "\(notes)")
            XCTAssertTrue(notes.contains { $0.hasPrefix("作成 ") && $0.contains("digital_R5.txt") && $0.contains("crosswalk ") }, "\(notes)")
        }
    }

    func testSplitCSVRoundsToWholeThousandYenAndSaysSo() async throws {
        try await withSynced { analytics in
            let (report, _) = try await Self.sdg(analytics, mode: .split)
            let records = CSV.parse(report.rendered(as: .csv))
            let twelve = try XCTUnwrap(records.dropFirst(2).first { $0[4] == "12" })
            XCTAssertEqual(twelve[2], "split")
            XCTAssertEqual(twelve[8], "1316", "1315.667 shown as a whole 千円; the JSON keeps the exact figure")
            XCTAssertTrue(records.contains { $0[0].hasPrefix("丸め / rounding:") && $0[0].contains("四捨五入") })
            XCTAssertTrue(report.json.contains("1315.667"))
        }
    }

    /// One row per duplicated program: `counted_extra` once, never repeated per listing.
    func testDuplicatesCSVStatesEachProgramOnceWithTotalsApart() async throws {
        try await withSynced { analytics in
            let (report, _) = try await Self.duplicates(analytics)
            let records = CSV.parse(report.rendered(as: .csv))
            XCTAssertEqual(records[0], ["年度", "金額の種類", "事業ID", "事業", "所管課", "掲載数", "掲載施策（No.）", "金額（千円）", "重複計上額（千円）"])
            XCTAssertEqual(records[1], ["fiscal_year", "amount", "program_id", "program", "department", "listings", "policies", "thousand_yen", "counted_extra"])
            let programs = Array(records[2..<4])
            XCTAssertEqual(programs.map { [$0[3], $0[5], $0[7], $0[8]] }, [
                ["KitaQ DX推進事業", "2", "3947", "3947"], ["市職員のテレワーク推進", "2", "90976", "90976"],
            ])
            XCTAssertTrue(programs[0][6].contains("II-3-(2)-② No.1") && programs[0][6].contains("III-1-(3)-④ No.5"), programs[0][6])
            XCTAssertTrue(records[4].allSatisfy(\.isEmpty))
            XCTAssertEqual(records[5][0], CSVTable.totalsTitle)
            let totals = Dictionary(uniqueKeysWithValues: records[7...9].map { ($0[0], $0[2]) })
            XCTAssertEqual(totals, ["naive_per_policy_total": "385588", "deduplicated_total": "290665", "double_counted": "94923"])
            XCTAssertTrue(records.contains { $0[0].contains("once per program") })
        }
    }

    func testCSVQuotesCommasQuotesAndLineBreaksAndGuardsFormulas() {
        let table = CSVTable(header: ["text", "number"], rows: [
            [.text("a,b"), .number(1)],
            [.text("say \"hi\""), .number(Decimal(string: "12.5")!)],
            [.text("line\nbreak"), .empty],
            [.text("=SUM(A1:A9)"), .number(-3)],
            [.text("plain"), .number(1_234_567)],
        ])
        let csv = CSVReport().render(table)
        XCTAssertEqual(csv, "\u{FEFF}text,number\r\n\"a,b\",1\r\n\"say \"\"hi\"\"\",12.5\r\n\"line\nbreak\",\r\n'=SUM(A1:A9),-3\r\nplain,1234567\r\n")
        XCTAssertEqual(CSV.parse(csv), [
            ["text", "number"], ["a,b", "1"], ["say \"hi\"", "12.5"], ["line\nbreak", ""], ["'=SUM(A1:A9)", "-3"], ["plain", "1234567"],
        ])
    }

    /// Each listing's value with its policy named, and the goal set the SDG report counted.
    func testConflictsCSVListsEachListingsValue() async throws {
        try await withSynced { analytics in
            let report = try await analytics.report(ReportRequest(kind: .conflicts, fiscalYear: 2023))
            let records = CSV.parse(report.rendered(as: .csv))
            XCTAssertEqual(records[1], ["fiscal_year", "program_id", "program", "department", "field", "policy_code", "policy_name", "no", "value", "counted_goals"])
            let rows = Array(records[2..<4])
            XCTAssertEqual(rows.map { [$0[2], $0[4], $0[5], $0[7], $0[8], $0[9]] }, [
                ["KitaQ DX推進事業", "sdg_goals", "II-3-(2)-②", "1", "11, 16", "11, 12, 16"],
                ["KitaQ DX推進事業", "sdg_goals", "III-1-(3)-④", "5", "11, 12", "11, 12, 16"],
            ])
            XCTAssertTrue(rows.allSatisfy { !$0[6].isEmpty }, "the policies are named: \(rows)")
            let html = report.rendered(as: .html)
            XCTAssertTrue(html.contains("SDGレポートで集計したゴール") && html.contains("和集合"), "the page says which goal set was counted")
            XCTAssertTrue(html.contains("<footer>作成 "), "the footer says when and from what")
        }
    }

    // MARK: - Markdown

    func testMarkdownHasTheTablesAndTheCountingSentence() async throws {
        try await withSynced { analytics in
            let (report, sdg) = try await Self.sdg(analytics)
            let markdown = report.rendered(as: .md)
            XCTAssertTrue(markdown.contains("> \(sdg.counting)\n"), "the SQL's counting sentence is quoted")
            XCTAssertTrue(markdown.contains("集計方法: 重複計上（gross）"))
            XCTAssertTrue(markdown.contains("| ゴール | 名称 | 事業数 | 金額（千円） |\n|---|---|---:|---:|\n| 1 | 貧困をなくそう | 0 | 0 |\n"))
            XCTAssertTrue(markdown.contains("\n| 11 | 住み続けられるまちづくりを | 2 | 24,467 |\n"))
            XCTAssertTrue(markdown.contains("\n|  | **総額（重複除外）** | **6** | **290,665** |\n"))
            XCTAssertTrue(markdown.contains("\n| KitaQ DX推進事業 | DX推進課 | 11, 12, 16 | 3,947 |\n"))
            XCTAssertTrue(markdown.contains("## ゴールの記載がない事業\n"))

            let (duplicates, _) = try await Self.duplicates(analytics)
            let duplicatesMarkdown = duplicates.rendered(as: .md)
            XCTAssertTrue(duplicatesMarkdown.contains("| 施策別合計の和（重複あり） | 重複除外の総額 | 重複計上額 |\n|---:|---:|---:|\n| 385,588 | 290,665 | 94,923 |\n"))
            XCTAssertTrue(duplicatesMarkdown.contains("| 市職員のテレワーク推進 | DX推進課 | II-3-(2)-② No.2 ワーク・ライフ・バランス（仕事と生活の調和）の推進<br>II-3-(2)-④ No.4 女性の活躍推進 | 90,976 | 90,976 |"))
        }
    }

    func testMarkdownSplitModeStatesSplit() async throws {
        try await withSynced { analytics in
            let (report, sdg) = try await Self.sdg(analytics, mode: .split)
            let markdown = report.rendered(as: .md)
            XCTAssertTrue(markdown.contains("集計方法: 按分（split）"))
            XCTAssertTrue(markdown.contains("> \(sdg.counting)\n"))
            // Shown in whole 千円 (四捨五入), the rule stated; the JSON keeps 1315.667.
            XCTAssertTrue(markdown.contains("\n| 12 | つくる責任 つかう責任 | 1 | 1,316 |\n"))
            XCTAssertTrue(markdown.contains("千円未満を四捨五入"))
        }
    }

    // MARK: - HTML

    func testHTMLHasABarChartOfSeventeenGoalsInTheOfficialColours() async throws {
        try await withSynced { analytics in
            let (report, _) = try await Self.sdg(analytics)
            let html = report.rendered(as: .html)
            let svgs = html.components(separatedBy: "<svg ").count - 1
            XCTAssertEqual(svgs, 1)
            let svg = try XCTUnwrap(Self.between(html, "<svg ", "</svg>"))
            let bars = Self.elements(svg, opening: "<rect class=\"bar\"")
            XCTAssertEqual(bars.count, 17)
            XCTAssertEqual(bars.compactMap { Self.attribute("fill", in: $0) }, Self.officialColors)
            // Goal 11's row: number, Japanese name, amount with separators and unit.
            let row = try XCTUnwrap(Self.between(svg, "<g class=\"row\" data-goal=\"11\">", "</g>"))
            XCTAssertTrue(row.contains(">11</text>"))
            XCTAssertTrue(row.contains(">住み続けられるまちづくりを</text>"))
            XCTAssertTrue(row.contains(">24,467 千円</text>"))
            // Longest bar is goal 13 (110,676); goal 11's is in proportion.
            let widths = bars.compactMap { Self.attribute("width", in: $0).flatMap(Double.init) }
            XCTAssertEqual(widths.max(), widths[12])
            XCTAssertEqual(widths[10] / widths[12], 24_467.0 / 110_676.0, accuracy: 0.002)
            XCTAssertEqual(widths[0], 0)
        }
    }

    func testHTMLIsSelfContainedAndStatesTheMode() async throws {
        try await withSynced { analytics in
            for mode in Analytics.Mode.allCases {
                let (report, sdg) = try await Self.sdg(analytics, mode: mode)
                let html = report.rendered(as: .html)
                XCTAssertFalse(html.contains("http://"), "\(mode)")
                XCTAssertFalse(html.contains("https://"), "\(mode)")
                XCTAssertFalse(html.lowercased().contains("<script"), "\(mode)")
                XCTAssertFalse(html.lowercased().contains("<link"), "\(mode)")
                XCTAssertFalse(html.contains("@import"), "\(mode)")
                XCTAssertFalse(html.contains("url("), "\(mode)")
                XCTAssertTrue(html.contains("<html lang=\"ja\">"))
                XCTAssertTrue(html.contains("<meta charset=\"utf-8\">"))
                XCTAssertTrue(html.contains("<style>"))
                XCTAssertTrue(html.contains("sans-serif"))
                let headline = ReportText.modeHeadline(mode)
                XCTAssertTrue(html.contains("<p class=\"mode\">\(HTMLEscape.escape(headline))</p>"), "\(mode)")
                XCTAssertTrue(html.contains("<p>\(HTMLEscape.escape(sdg.counting))</p>"), "\(mode)")
                XCTAssertTrue(html.contains(mode == .gross ? "重複計上（gross）" : "按分（split）"))
            }
        }
    }

    func testHTMLTablesCarryTheTotals() async throws {
        try await withSynced { analytics in
            let (report, _) = try await Self.sdg(analytics)
            let html = report.rendered(as: .html)
            XCTAssertTrue(html.contains("<td class=\"goals\"><span class=\"goal\" style=\"background:#FD9D24\">11</span></td><td>住み続けられるまちづくりを</td><td class=\"num\">2</td><td class=\"num\">24,467</td>"))
            XCTAssertTrue(html.contains("<td>総額（重複除外）</td><td class=\"num\">6</td><td class=\"num\">290,665</td>"))
            let (duplicates, _) = try await Self.duplicates(analytics)
            XCTAssertTrue(duplicates.rendered(as: .html).contains("<td class=\"num\">385,588</td><td class=\"num\">290,665</td><td class=\"num\">94,923</td>"))
        }
    }

    func testCraftedNameIsEscapedAndAProgramWithoutGoalsIsListed() async throws {
        try await withSynced(try Self.craftedSample()) { analytics in
            let (report, sdg) = try await Self.sdg(analytics)
            XCTAssertTrue(sdg.allPrograms.contains { $0.name == Self.craftedName })
            // The program without a goal is listed, not dropped.
            XCTAssertEqual(sdg.noGoal.programs, 1)
            XCTAssertEqual(sdg.noGoal.programList.map(\.name), ["手続きオンライン化推進事業"])
            XCTAssertEqual(sdg.totalThousandYen, 290_665)
            XCTAssertEqual(sdg.totalWithGoalsThousandYen, 290_665 - 10_740)

            let html = report.rendered(as: .html)
            XCTAssertTrue(html.contains("ペーパーレス&lt;b&gt;&amp;&quot;&#39;事業"))
            XCTAssertFalse(html.contains("<b>"))
            XCTAssertFalse(html.contains(Self.craftedName))
            let noGoalSection = try XCTUnwrap(Self.between(html, "<h2>ゴールの記載がない事業</h2>", "</section>"))
            XCTAssertTrue(noGoalSection.contains("<td>手続きオンライン化推進事業</td>"))
            XCTAssertTrue(noGoalSection.contains("<td class=\"num\">10,740</td>"))

            let markdown = report.rendered(as: .md)
            XCTAssertTrue(markdown.contains("| ペーパーレス&lt;b&gt;&amp;\"'事業 | DX推進課 | 11, 16 | 20,520 |"))
            XCTAssertFalse(markdown.contains("<b>"))
            XCTAssertTrue(markdown.contains("## ゴールの記載がない事業\n\n| 事業 | 所管課 | 金額（千円） |\n|---|---|---:|\n| 手続きオンライン化推進事業 | DX推進課 | 10,740 |\n"))

            let records = CSV.parse(report.rendered(as: .csv))
            XCTAssertEqual(records.first { $0[0] == "no_goal" }?[2...3], ["1", "10740"])
            XCTAssertEqual(records.first { $0[0] == "total_with_goals" }?[2...3], ["5", "279925"])
        }
    }

    func testEscapingFunctions() {
        XCTAssertEqual(HTMLEscape.escape("<script>alert('x&\"y')</script>"), "&lt;script&gt;alert(&#39;x&amp;&quot;y&#39;)&lt;/script&gt;")
        XCTAssertEqual(MarkdownReport.escape("a|b *c* <d> [e](f)\nnext"), "a\\|b \\*c\\* &lt;d&gt; \\[e\\](f) next")
        XCTAssertEqual(ReportText.grouped(Decimal(1_234_567)), "1,234,567")
        XCTAssertEqual(ReportText.grouped(Decimal(string: "11575.667")!), "11,575.667")
        XCTAssertEqual(ReportText.grouped(Decimal(999)), "999")
        XCTAssertEqual(ReportText.grouped(Decimal(string: "90976.000")!), "90,976")
        XCTAssertEqual(ReportText.fiscalYear(2023), "2023年度（令和5年度）")
        XCTAssertEqual(ReportText.fiscalYear(2019), "2019年度（令和元年度）")
        XCTAssertEqual(ReportText.hexColor("#fd9d24"), "#FD9D24")
        XCTAssertNil(ReportText.hexColor("red\" onload=\"x"))
    }

    // MARK: - Helpers

    /// The text between the first `start` and the next `end`.
    static func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let open = text.range(of: start), let close = text.range(of: end, range: open.upperBound..<text.endIndex) else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }

    /// Each element starting with `opening`, up to its `>`.
    static func elements(_ text: String, opening: String) -> [String] {
        text.components(separatedBy: opening).dropFirst().map { String($0.prefix { $0 != ">" }) }
    }

    static func attribute(_ name: String, in element: String) -> String? {
        between(element, " \(name)=\"", "\"")
    }
}

/// An RFC 4180 reader for checking what the reports write: quoted fields may hold
/// commas, doubled quotes and line breaks; records end in CRLF (or LF); a leading
/// byte-order mark is skipped.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var scalars = Array(text.unicodeScalars)[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        while let scalar = scalars.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if scalars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        scalars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\r" where scalars.first == "\n":
                continue
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
