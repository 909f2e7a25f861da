import CrosswalkModel
import Foundation

/// The year-over-year report laid out: totals, per-goal changes (gross and split), then
/// programs new, ended, renamed or moved (candidates), continuing, grades, indicators, goals.
extension CompareReport {
    package var document: ReportDocument {
        let years = "\(ReportText.fiscalYear(from)) → \(ReportText.fiscalYear(to))"
        var facts: [ReportDocument.Fact] = [
            .init("比較する年度", years),
            .init("自治体", ReportText.municipalities(asked: municipality, covered: municipalities)),
            .init("組織", organization ?? "すべて"),
            .init("金額", "\(ReportText.amountKindLabel(amount))、単位 千円"),
            .init("事業数", "\(ReportText.grouped(totals.programsFrom)) 件 → \(ReportText.grouped(totals.programsTo)) 件"),
            .init("総額（重複除外）", "\(ReportText.grouped(totals.thousandYenFrom)) 千円 → \(ReportText.grouped(totals.thousandYenTo)) 千円"
                  + "（\(Self.signed(Decimal(totals.change)))\(Self.percentSuffix(Self.percent(Decimal(totals.change), of: Decimal(totals.thousandYenFrom))))）"),
            .init("新規・終了・継続", "新規 \(totals.new) 件、終了 \(totals.ended) 件、継続 \(totals.continuing) 件"),
            .init("名称変更・移管の候補", "\(totals.renamedCandidates) 組（統合はしていません）"),
        ]
        // The goals that moved most (gross), as a planner would say it: `SDG 13: +12.0 %`.
        let moved = goals.filter { $0.grossChange != 0 }.sorted { abs($0.grossChange) > abs($1.grossChange) }.prefix(5)
        if !moved.isEmpty {
            facts.append(.init("ゴール別の主な増減（総額）", moved.map { goal in
                "SDG \(goal.goal): " + (goal.grossChangePercent.map { Self.signed($0) + " %" } ?? "新規 \(ReportText.grouped(goal.grossTo)) 千円")
            }.joined(separator: "、")))
        }
        let colors = Dictionary(goals.map { ($0.goal, $0.color) }, uniquingKeysWith: { first, _ in first })
        let marks = { (list: [Int]) in Cell.goals(list.map { Cell.GoalMark($0, color: colors[$0] ?? "") }) }
        let from = "\(from)年度", to = "\(to)年度"

        // Goals without programs in either year are left out of the tables (CSV and JSON keep all 17).
        let activeGoals = goals.filter { $0.programsFrom > 0 || $0.programsTo > 0 }
        let grossTable = Table(
            columns: [.init("ゴール", nowrap: true), .init("名称"), .init("事業数 \(from)", numeric: true), .init("事業数 \(to)", numeric: true),
                      .init(from, numeric: true), .init(to, numeric: true), .init("増減", numeric: true), .init("増減率", numeric: true)],
            rows: activeGoals.map { goal in
                [.goal(goal.goal, color: goal.color), .text(goal.nameJa), .number(goal.programsFrom), .number(goal.programsTo),
                 .number(goal.grossFrom), .number(goal.grossTo), .text(Self.signed(goal.grossChange)), .text(Self.percentText(goal.grossChangePercent))]
            },
            emptyText: "なし（どちらの年度にもゴールのある事業はありません）"
        )
        let splitTable = Table(
            columns: [.init("ゴール", nowrap: true), .init("名称"), .init(from, numeric: true), .init(to, numeric: true),
                      .init("増減", numeric: true), .init("増減率", numeric: true)],
            rows: activeGoals.map { goal in
                [.goal(goal.goal, color: goal.color), .text(goal.nameJa), .number(goal.splitFrom), .number(goal.splitTo),
                 .text(Self.signed(goal.splitChange)), .text(Self.percentText(goal.splitChangePercent))]
            },
            emptyText: "なし（どちらの年度にもゴールのある事業はありません）"
        )
        let programColumns: [Table.Column] = [.init("事業"), .init("所管課", nowrap: true), .init("ゴール", nowrap: true), .init("金額（千円）", numeric: true)]
        let programRows = { (list: [Program]) in
            list.map { [Cell.program($0.name, id: $0.id), .text($0.department), marks($0.goals), $0.amountMissing ? .text("—") : .number($0.thousandYen)] }
        }
        let renamedTable = Table(
            columns: [.init("終了した事業"), .init("所管課", nowrap: true), .init("新規の事業"), .init("所管課", nowrap: true),
                      .init("類似度", numeric: true), .init("一致した点")],
            rows: renamed.map { pair in
                [.program(pair.ended.name, id: pair.ended.id), .text(pair.ended.department),
                 .program(pair.new.name, id: pair.new.id), .text(pair.new.department),
                 .text(String(format: "%.3f", pair.score)), .lines(Self.candidateNotes(pair))]
            },
            emptyText: "なし（終了した事業と似た新規の事業はありません）"
        )
        let continuingTable = Table(
            columns: [.init("事業"), .init("所管課", nowrap: true), .init("\(from)（千円）", numeric: true), .init("\(to)（千円）", numeric: true),
                      .init("増減（千円）", numeric: true)],
            rows: continuing.map { program in
                [.program(program.name, id: program.id), .text(program.department),
                 program.amountMissingFrom ? .text("—") : .number(program.thousandYenFrom),
                 program.amountMissingTo ? .text("—") : .number(program.thousandYenTo),
                 .text(Self.signed(Decimal(program.change)))]
            }
        )
        let gradeRows = { (list: [GradeChange]) in
            list.map { [Cell.program($0.name, id: $0.id), .text($0.department), .text($0.from), .text($0.to)] }
        }
        let gradeColumns: [Table.Column] = [.init("事業"), .init("所管課", nowrap: true), .init("\(from)の評価", nowrap: true), .init("\(to)の評価", nowrap: true)]
        let indicatorRows = { (list: [IndicatorChange]) in
            list.map { change -> [Cell] in
                [.program(change.name, id: change.id), .text(change.indicator ?? "—"),
                 .text("目標 \(change.from.target) / 実績 \(change.from.actual)"), .text("\(ReportText.plain(change.from.achievementPercent)) %"),
                 .text("目標 \(change.to.target) / 実績 \(change.to.actual)"), .text("\(ReportText.plain(change.to.achievementPercent)) %")]
            }
        }
        let indicatorColumns: [Table.Column] = [.init("事業"), .init("成果指標"), .init(from), .init("達成率", numeric: true), .init(to), .init("達成率", numeric: true)]
        let goalsChangedTable = Table(
            columns: [.init("事業"), .init("所管課", nowrap: true), .init(from, nowrap: true), .init(to, nowrap: true),
                      .init("追加", nowrap: true), .init("削除", nowrap: true)],
            rows: goalsChanged.map { change in
                [.program(change.name, id: change.id), .text(change.department), marks(change.goalsFrom), marks(change.goalsTo),
                 marks(change.added), marks(change.removed)]
            },
            emptyText: "なし（継続する事業のゴールは変わっていません）"
        )
        return ReportDocument(
            title: "前年度との比較 \(years) \(ReportText.amountKind(amount))",
            facts: facts,
            counting: .init(
                headline: "集計方法: 自治体・事業名・所管課が同じ事業を同じ事業とし、各年度に1回だけ数えます",
                sentences: [
                    "名称や所管課が変わった事業は、終了した事業と新規の事業になります。似ている組は「名称変更・移管の候補」に示しますが、統合はしません。",
                    "ゴール別の総額は事業の金額を各ゴールに全額計上し（ゴールどうしが重なります）、按分は事業のゴール数で均等に割ります。",
                    counting,
                ]),
            sections: [
                .init(heading: "ゴール別の増減（千円、総額: 各ゴールに全額計上）",
                      note: "増減率は前の年度の金額に対する割合です（前の年度が 0 のゴールは —）。どちらの年度にも事業のないゴールは省いています。",
                      table: grossTable),
                .init(heading: "ゴール別の増減（千円、按分: ゴール数で等分）", table: splitTable),
                .init(heading: "新規の事業（\(to)）", table: Table(columns: programColumns, rows: programRows(new), emptyText: "なし")),
                .init(heading: "終了した事業（\(from)）", table: Table(columns: programColumns, rows: programRows(ended), emptyText: "なし")),
                .init(heading: "名称変更・移管の候補", note: "終了した事業と、それに似た新規の事業の組です（n-gram 類似度）。同じ事業かどうかは確認してください。", table: renamedTable),
                .init(heading: "継続する事業の金額", table: continuingTable),
                .init(heading: "評価が上がった事業", table: Table(columns: gradeColumns, rows: gradeRows(grades.improved), emptyText: "なし")),
                .init(heading: "評価が下がった事業", table: Table(columns: gradeColumns, rows: gradeRows(grades.worsened), emptyText: "なし")),
                .init(heading: "目標に近づいた成果指標", note: "達成率（実績 ÷ 目標）が上がった指標です。", table: Table(columns: indicatorColumns, rows: indicatorRows(indicators.toward), emptyText: "なし")),
                .init(heading: "目標から遠ざかった成果指標", note: "達成率（実績 ÷ 目標）が下がった指標です。", table: Table(columns: indicatorColumns, rows: indicatorRows(indicators.away), emptyText: "なし")),
                .init(heading: "SDGsゴールが変わった事業", table: goalsChangedTable),
            ]
        )
    }

    /// `same name, other department` and what matched, for a candidate pair.
    static func candidateNotes(_ pair: RenamedCandidate) -> [String] {
        let kind = switch (pair.sameName, pair.sameDepartment) {
        case (true, false): "名称同じ・所管課が異なる（移管？）"
        case (false, true): "所管課同じ・名称が異なる（名称変更？）"
        case (false, false): "名称・所管課とも異なる"
        case (true, true): "名称・所管課とも同じ"
        }
        return [kind] + pair.matched
    }

    /// `+1,234`, `-56.5`, `0`.
    static func signed(_ value: Decimal) -> String {
        (value > 0 ? "+" : "") + ReportText.grouped(value)
    }

    static func percent(_ change: Decimal, of base: Decimal) -> Decimal? {
        guard base > 0 else { return nil }
        var value = change * 100 / base
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 1, .plain)
        return rounded
    }

    /// `+12.3 %`; `—` when there was nothing to compare with.
    static func percentText(_ value: Decimal?) -> String {
        value.map { signed($0) + " %" } ?? "—"
    }

    static func percentSuffix(_ value: Decimal?) -> String {
        value.map { "、" + signed($0) + " %" } ?? ""
    }

    /// One row per goal, program and pair, each saying what it is in `row_type`.
    package var csvTable: CSVTable {
        let context: [CSVField] = [.number(from), .number(to), .text(amount.rawValue), .optional(organization)]
        func row(_ type: String, goal: Int? = nil, id: Int64? = nil, name: String? = nil, department: String? = nil,
                 otherID: Int64? = nil, otherName: String? = nil, otherDepartment: String? = nil,
                 valueFrom: CSVField = .empty, valueTo: CSVField = .empty, change: CSVField = .empty, percent: CSVField = .empty,
                 splitFrom: CSVField = .empty, splitTo: CSVField = .empty, splitChange: CSVField = .empty, splitPercent: CSVField = .empty,
                 detail: String? = nil) -> [CSVField] {
            context + [.text(type), goal.map { .number($0) } ?? .empty, .optional(id), .optional(name), .optional(department),
                       .optional(otherID), .optional(otherName), .optional(otherDepartment),
                       valueFrom, valueTo, change, percent, splitFrom, splitTo, splitChange, splitPercent, .optional(detail)]
        }
        let decimal = { (value: Decimal?) in value.map(CSVField.number) ?? .empty }
        var rows: [[CSVField]] = []
        rows.append(row("total", valueFrom: .number(totals.thousandYenFrom), valueTo: .number(totals.thousandYenTo), change: .number(totals.change),
                        percent: decimal(Self.percent(Decimal(totals.change), of: Decimal(totals.thousandYenFrom))),
                        detail: "programs \(totals.programsFrom) → \(totals.programsTo); new \(totals.new), ended \(totals.ended), continuing \(totals.continuing)"))
        for goal in goals {
            rows.append(row("goal", goal: goal.goal, name: goal.nameJa,
                            valueFrom: .number(goal.grossFrom), valueTo: .number(goal.grossTo), change: .number(goal.grossChange), percent: decimal(goal.grossChangePercent),
                            splitFrom: .number(goal.splitFrom), splitTo: .number(goal.splitTo), splitChange: .number(goal.splitChange),
                            splitPercent: decimal(goal.splitChangePercent), detail: "programs \(goal.programsFrom) → \(goal.programsTo)"))
        }
        for program in new {
            rows.append(row("new", id: program.id, name: program.name, department: program.department,
                            valueTo: program.amountMissing ? .empty : .number(program.thousandYen), detail: Self.goalList(program.goals)))
        }
        for program in ended {
            rows.append(row("ended", id: program.id, name: program.name, department: program.department,
                            valueFrom: program.amountMissing ? .empty : .number(program.thousandYen), detail: Self.goalList(program.goals)))
        }
        for pair in renamed {
            rows.append(row("renamed_candidate", id: pair.ended.id, name: pair.ended.name, department: pair.ended.department,
                            otherID: pair.new.id, otherName: pair.new.name, otherDepartment: pair.new.department,
                            detail: "score \(String(format: "%.3f", pair.score)); " + pair.matched.joined(separator: "; ")))
        }
        for program in continuing {
            rows.append(row("continuing", id: program.id, name: program.name, department: program.department,
                            valueFrom: program.amountMissingFrom ? .empty : .number(program.thousandYenFrom),
                            valueTo: program.amountMissingTo ? .empty : .number(program.thousandYenTo), change: .number(program.change)))
        }
        for (type, list) in [("grade_improved", grades.improved), ("grade_worsened", grades.worsened)] {
            for change in list {
                rows.append(row(type, id: change.id, name: change.name, department: change.department, detail: "\(change.from) → \(change.to)"))
            }
        }
        for (type, list) in [("indicator_toward", indicators.toward), ("indicator_away", indicators.away)] {
            for change in list {
                rows.append(row(type, id: change.id, name: change.name, department: change.department,
                                valueFrom: .number(change.from.achievementPercent), valueTo: .number(change.to.achievementPercent),
                                detail: change.indicator))
            }
        }
        for change in goalsChanged {
            rows.append(row("goals_changed", id: change.id, name: change.name, department: change.department,
                            detail: "\(Self.goalList(change.goalsFrom)) → \(Self.goalList(change.goalsTo)); added \(Self.goalList(change.added)); removed \(Self.goalList(change.removed))"))
        }
        return CSVTable(
            header: ["from", "to", "amount", "organization", "row_type", "goal", "program_id", "program", "department",
                     "other_program_id", "other_program", "other_department", "value_from", "value_to", "change", "change_percent",
                     "split_from", "split_to", "split_change", "split_change_percent", "detail"],
            rows: rows
        )
    }

    static func goalList(_ goals: [Int]) -> String {
        goals.isEmpty ? "—" : goals.map(String.init).joined(separator: " ")
    }
}
