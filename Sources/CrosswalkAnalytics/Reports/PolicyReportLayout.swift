import Foundation

/// Policies of a year with their program counts and the bureau's grade.
extension PoliciesReport {
    package var document: ReportDocument {
        ReportDocument(
            title: "施策一覧 \(ReportText.fiscalYear(fiscalYear))",
            facts: [
                .init("年度", ReportText.fiscalYear(fiscalYear)),
                .init("施策数", "\(ReportText.grouped(policies.count)) 件"),
            ],
            sections: [
                .init(
                    heading: "施策",
                    note: "事業数は、その年度にその施策の下に掲載された事業の数です（事業は施策ごとに数えます）。",
                    table: Table(
                        columns: [.init("施策", nowrap: true), .init("施策名"), .init("事業数", numeric: true), .init("局施策評価", nowrap: true)],
                        rows: policies.map { [.text($0.code), .text($0.name), .number($0.programs), .text($0.evaluation ?? "—")] },
                        emptyText: "なし（この年度に掲載された施策はありません）"
                    )
                ),
            ]
        )
    }

    package var csvTable: CSVTable {
        CSVTable(
            header: ["fiscal_year", "code", "name", "programs", "evaluation"],
            headerJa: ["年度", "施策コード", "施策名", "事業数", "評価"],
            rows: policies.map { [.optional(fiscalYear.map(Int64.init)), .text($0.code), .text($0.name), .number($0.programs), .optional($0.evaluation)] }
        )
    }
}

/// One policy: its evaluations and the programs listed under it, newest year first.
extension PolicyDetailReport {
    package var document: ReportDocument {
        ReportDocument(
            title: "施策 \(code) \(name)",
            facts: [
                .init("施策", "\(code) \(name)"),
                .init("評価", "\(ReportText.grouped(evaluations.count)) 件"),
                .init("掲載事業", "\(ReportText.grouped(programs.count)) 件"),
            ],
            sections: [
                .init(heading: "局施策評価", table: Table(
                    columns: [.init("年度", nowrap: true), .init("評価", nowrap: true), .init("組織", nowrap: true), .init("評価の理由及び課題"), .init("出典")],
                    rows: evaluations.map { [.text(ReportText.fiscalYear($0.fiscalYear)), .text($0.grade ?? "—"), .text($0.organization), .text($0.text ?? ""), .text($0.source)] }
                )),
                .init(heading: "掲載事業", table: Table(
                    columns: [.init("年度", nowrap: true), .init("No.", numeric: true), .init("事業"), .init("所管課", nowrap: true), .init("ゴール", nowrap: true), .init("事業評価", nowrap: true), .init("決算額（千円）", numeric: true)],
                    rows: programs.map { program in
                        [.text(ReportText.fiscalYear(program.fiscalYear)), .number(program.no),
                         .program(program.name + (program.relisted ? ReportText.relistedMark : ""), id: program.id), .text(program.department),
                         .goals(program.goals.map { Cell.GoalMark($0, color: "") }), .text(program.grade ?? "—"),
                         program.settledThousandYen.map { .number($0) } ?? .text("—")]
                    }
                )),
            ]
        )
    }

    /// One row per program listing.
    package var csvTable: CSVTable {
        CSVTable(
            header: ["code", "policy_name", "fiscal_year", "no", "program_id", "program", "department", "relisted", "goals", "grade", "settled_thousand_yen"],
            headerJa: ["施策コード", "施策名", "年度", "No.", "事業ID", "事業", "所管課", "再掲", "ゴール", "事業評価", "決算額（千円）"],
            rows: programs.map { program in
                [.text(code), .text(name), .number(program.fiscalYear), .number(program.no), .number(program.id), .text(program.name),
                 .text(program.department), .text(program.relisted ? "true" : "false"),
                 .text(program.goals.map(String.init).joined(separator: " ")), .optional(program.grade), .optional(program.settledThousandYen)]
            }
        )
    }
}
