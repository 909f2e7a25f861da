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

    /// One row per duplicated program, its amount and `counted_extra` stated once, its
    /// listings in one cell; the three totals in their own section; the counting rule.
    package var csvTable: CSVTable {
        let context: [CSVField] = [.optional(fiscalYear.map(Int64.init)), .text(amount.rawValue)]
        let rows: [[CSVField]] = programs.map { program in
            context + [
                .number(program.id), .text(program.name), .text(program.department), .number(program.policies.count),
                .text(program.policies.map(Self.listingText).joined(separator: " / ")),
                .number(program.thousandYen), .number(program.countedExtra),
            ]
        }
        return CSVTable(
            header: ["fiscal_year", "amount", "program_id", "program", "department", "listings", "policies", "thousand_yen", "counted_extra"],
            headerJa: ["年度", "金額の種類", "事業ID", "事業", "所管課", "掲載数", "掲載施策（No.）", "金額（千円）", "重複計上額（千円）"],
            rows: rows,
            totals: [
                [.text("区分 / row_type"), .text("名称 / name"), .text("金額（千円） / thousand_yen")],
                [.text("naive_per_policy_total"), .text("施策別合計の和（重複あり）"), .number(naivePerPolicyTotal)],
                [.text("deduplicated_total"), .text("重複除外の総額"), .number(deduplicatedTotal)],
                [.text("double_counted"), .text("重複計上額"), .number(doubleCounted)],
            ],
            notes: [
                "集計方法 / counting: \(counting)。counted_extra（重複計上額）は事業ごとに1回、金額 ×（掲載数 − 1）/ once per program: its amount × (listings − 1).",
                "単位 / unit: 千円（thousand yen）。",
            ]
        )
    }
}
