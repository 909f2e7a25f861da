import CrosswalkModel
import Foundation

/// The SDG contribution report laid out: counting mode, chart, goal table, programs.
extension SDGReport {
    package var document: ReportDocument {
        let withGoals = programs - noGoal.programs
        var facts = [
            ReportDocument.Fact("年度", ReportText.fiscalYear(fiscalYear)),
            ReportDocument.Fact("金額", "\(ReportText.amountKindLabel(amount))、単位 千円"),
            ReportDocument.Fact("自治体", ReportText.municipalities(asked: municipality, covered: municipalities)),
            ReportDocument.Fact("組織", organization ?? "すべて"),
            ReportDocument.Fact("事業数", "\(ReportText.grouped(programs)) 件（複数の施策に掲載された事業も1件）"),
            ReportDocument.Fact("総額（重複除外）", "\(ReportText.grouped(totalThousandYen)) 千円"),
            ReportDocument.Fact("ゴールのある事業の総額", "\(ReportText.grouped(totalWithGoalsThousandYen)) 千円（\(ReportText.grouped(withGoals)) 件）"),
            ReportDocument.Fact("ゴールの記載がない事業", "\(ReportText.grouped(noGoal.programs)) 件、\(ReportText.grouped(noGoal.thousandYen)) 千円"),
        ]
        if programsMissingAmount > 0 {
            facts.append(.init("金額の記載がない事業", "\(ReportText.grouped(programsMissingAmount)) 件（0 として集計）"))
        }
        let colors = Dictionary(goals.map { ($0.goal, $0.color) }, uniquingKeysWith: { first, _ in first })
        let marks = { (list: [Int]?) in (list ?? []).map { Cell.GoalMark($0, color: colors[$0] ?? "") } }

        let goalTable = Table(
            columns: [.init("ゴール", nowrap: true), .init("名称"), .init("事業数", numeric: true), .init("金額（千円）", numeric: true)],
            rows: goals.map { [.goal($0.goal, color: $0.color), .text($0.nameJa), .number($0.programs), .number(shown($0.thousandYen))] },
            footer: [
                [.empty, .text("ゴールのある事業の総額"), .number(withGoals), .number(totalWithGoalsThousandYen)],
                [.empty, .text("ゴールの記載がない事業"), .number(noGoal.programs), .number(noGoal.thousandYen)],
                [.empty, .text("総額（重複除外）"), .number(programs), .number(totalThousandYen)],
            ]
        )
        let programTable = Table(
            columns: [.init("事業"), .init("所管課", nowrap: true), .init("ゴール", nowrap: true), .init("金額（千円）", numeric: true)],
            rows: allPrograms.map { [.program($0.name, id: $0.id), .text($0.department), .goals(marks($0.goals)), .number($0.thousandYen)] }
        )
        let noGoalTable = Table(
            columns: [.init("事業"), .init("所管課", nowrap: true), .init("金額（千円）", numeric: true)],
            rows: noGoal.programList.map { [.program($0.name, id: $0.id), .text($0.department), .number($0.thousandYen)] },
            emptyText: "なし（すべての事業にゴールの記載があります）"
        )
        return ReportDocument(
            title: "SDGsゴール別の事業費 \(ReportText.fiscalYear(fiscalYear)) \(ReportText.amountKind(amount))",
            facts: facts,
            counting: .init(headline: ReportText.modeHeadline(mode), sentences: [ReportText.modeExplanation(mode), counting]),
            chart: BarChart(
                title: "ゴール別の\(ReportText.amountKind(amount))（千円、\(mode.rawValue)）",
                unit: "千円",
                bars: goals.map { .init(number: $0.goal, label: $0.nameJa, color: $0.color, value: shown($0.thousandYen)) }
            ),
            sections: [
                .init(heading: "ゴール別", note: mode == .gross ? "ゴールどうしが重なるため、この列の和は総額を上回ります。" : ReportText.splitRounding, table: goalTable),
                .init(heading: "事業一覧", table: programTable),
                .init(heading: "ゴールの記載がない事業", table: noGoalTable),
            ]
        )
    }

    /// A goal's amount as shown: whole 千円 in split mode (the JSON keeps the exact figure).
    func shown(_ amount: Decimal) -> Decimal {
        mode == .split ? ReportText.wholeThousandYen(amount) : amount
    }

    /// One row per goal (the rows to sum); the totals in their own section; the counting
    /// and rounding rules as notes.
    package var csvTable: CSVTable {
        let context: [CSVField] = [.optional(fiscalYear.map(Int64.init)), .text(amount.rawValue), .text(mode.rawValue), .optional(organization)]
        let rows = goals.map { goal in
            context + [.number(goal.goal), .text(goal.nameJa), .text(goal.nameEn), .number(goal.programs), .number(shown(goal.thousandYen))]
        }
        var notes = [
            "集計方法 / counting: \(ReportText.modeExplanation(mode)) \(counting)",
            "単位 / unit: 千円（thousand yen）。金額の記載がない事業は 0 として集計 / a program without the amount counts as 0.",
        ]
        if mode == .split { notes.append("丸め / rounding: \(ReportText.splitRounding)") }
        return CSVTable(
            header: ["fiscal_year", "amount", "mode", "organization", "goal", "name_ja", "name_en", "programs", "thousand_yen"],
            headerJa: ["年度", "金額の種類", "集計方法", "組織", "ゴール", "名称", "名称（英語）", "事業数", "金額（千円）"],
            rows: rows,
            totals: [
                [.text("区分 / row_type"), .text("名称 / name"), .text("事業数 / programs"), .text("金額（千円） / thousand_yen")],
                [.text("total_with_goals"), .text("ゴールのある事業の総額"), .number(programs - noGoal.programs), .number(totalWithGoalsThousandYen)],
                [.text("no_goal"), .text("ゴールの記載がない事業"), .number(noGoal.programs), .number(noGoal.thousandYen)],
                [.text("total"), .text("総額（重複除外） / each program once"), .number(programs), .number(totalThousandYen)],
            ],
            notes: notes
        )
    }
}
