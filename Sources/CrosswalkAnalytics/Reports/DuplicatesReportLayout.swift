import CrosswalkModel
import Foundation

/// Programs listed under several policies, and what adding up per-policy totals double counts.
extension DuplicatesReport {
    package var document: ReportDocument {
        let totals = Table(
            columns: [.init("施策別合計の和（重複あり）", numeric: true), .init("重複除外の総額", numeric: true), .init("重複計上額", numeric: true)],
            rows: [[.number(naivePerPolicyTotal), .number(deduplicatedTotal), .number(doubleCounted)]]
        )
        let programTable = Table(
            columns: [.init("事業"), .init("所管課", nowrap: true), .init("掲載施策（No.）"), .init("金額（千円）", numeric: true), .init("重複計上額（千円）", numeric: true)],
            rows: programs.map { program in
                [.program(program.name, id: program.id), .text(program.department), .lines(program.policies.map(Self.listingText)),
                 .number(program.thousandYen), .number(program.countedExtra)]
            },
            footer: [[.text("合計"), .empty, .empty, .empty, .number(doubleCounted)]],
            emptyText: "なし（複数の施策に掲載された事業はありません）"
        )
        return ReportDocument(
            title: "複数の施策に掲載された事業 \(ReportText.fiscalYear(fiscalYear)) \(ReportText.amountKind(amount))",
            facts: [
                .init("年度", ReportText.fiscalYear(fiscalYear)),
                .init("自治体", ReportText.municipalities(asked: municipality, covered: municipalities)),
                .init("金額", "\(ReportText.amountKindLabel(amount))、単位 千円"),
                .init("重複して掲載された事業", "\(ReportText.grouped(programs.count)) 件"),
            ],
            counting: .init(
                headline: "集計方法: 施策別の合計は事業を掲載施策ごとに数え、重複除外の総額は各事業を1回だけ数えます",
                sentences: ["施策別の合計を足し上げると、重複計上額 \(ReportText.grouped(doubleCounted)) 千円が余分に数えられます。", counting]
            ),
            sections: [
                .init(heading: "総額の比較（千円）", table: totals),
                .init(heading: "重複して掲載された事業", note: "\(ReportText.relistedMark) は資料で再掲と記された掲載です。", table: programTable),
            ]
        )
    }

    /// `II-3-(2)-② No.1 ワーク・ライフ・バランス…（再掲）`
    static func listingText(_ listing: Listing) -> String {
        "\(listing.code) No.\(listing.no) \(listing.name)\(listing.relisted ? ReportText.relistedMark : "")"
    }

    /// One row per listing of a duplicated program, then the three totals.
    package var csvTable: CSVTable {
        let context: [CSVField] = [.optional(fiscalYear.map(Int64.init)), .text(amount.rawValue)]
        var rows: [[CSVField]] = []
        for program in programs {
            for listing in program.policies {
                rows.append(context + [
                    .text("listing"), .number(program.id), .text(program.name), .text(program.department),
                    .number(program.thousandYen), .number(program.countedExtra),
                    .text(listing.code), .text(listing.name), .number(listing.no), .text(listing.relisted ? "true" : "false"),
                ])
            }
        }
        for (type, value) in [("naive_per_policy_total", naivePerPolicyTotal), ("deduplicated_total", deduplicatedTotal), ("double_counted", doubleCounted)] {
            rows.append(context + [.text(type), .empty, .empty, .empty, .number(value), .empty, .empty, .empty, .empty, .empty])
        }
        return CSVTable(
            header: ["fiscal_year", "amount", "row_type", "program_id", "program", "department", "thousand_yen", "counted_extra",
                     "policy_code", "policy_name", "no", "relisted"],
            rows: rows
        )
    }
}
