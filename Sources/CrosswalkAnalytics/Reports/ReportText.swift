package import CrosswalkModel
package import Foundation

/// How reports write numbers, years, amount kinds and counting modes.
package enum ReportText {
    /// `1234567` → `1,234,567`; `1315.667` → `1,315.667` (the decimals as the SQL rounded them).
    package static func grouped(_ value: Decimal) -> String {
        let plain = self.plain(value)
        let negative = plain.hasPrefix("-")
        let unsigned = negative ? String(plain.dropFirst()) : plain
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var digits = Array(parts[0])
        var groupedDigits = ""
        while digits.count > 3 {
            groupedDigits = "," + String(digits.suffix(3)) + groupedDigits
            digits.removeLast(3)
        }
        groupedDigits = String(digits) + groupedDigits
        let fraction = parts.count > 1 ? "." + parts[1] : ""
        return (negative ? "-" : "") + groupedDigits + fraction
    }

    package static func grouped(_ value: Int64) -> String { grouped(Decimal(value)) }
    package static func grouped(_ value: Int) -> String { grouped(Decimal(value)) }

    /// The number without grouping, decimals only when there are any: `1315.667`, `24467`.
    package static func plain(_ value: Decimal) -> String {
        var rounded = Decimal()
        var source = value
        NSDecimalRound(&rounded, &source, 3, .plain)
        let text = "\(rounded)"
        guard text.contains(".") else { return text }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    /// The municipality a report was limited to, or those it covers: `北九州市`, `すべて（北九州市、福岡市）`,
    /// or `すべて` when no source declares one.
    package static func municipalities(asked: String?, covered: [String]) -> String {
        if let asked { return covered.first ?? asked }
        return covered.isEmpty ? "すべて" : "すべて（\(covered.joined(separator: "、"))）"
    }

    /// `2023年度（令和5年度）`; `—` when unknown.
    package static func fiscalYear(_ year: Int?) -> String {
        year.map(FiscalYear.label) ?? "—"
    }

    /// The column heading of an amount kind in the published tables.
    package static func amountKind(_ kind: AmountKind) -> String {
        switch kind {
        case .settled: "決算額"
        case .budget: "予算額"
        case .personnel: "人件費（目安）"
        }
    }

    /// `決算額（settled）`
    package static func amountKindLabel(_ kind: AmountKind) -> String {
        "\(amountKind(kind))（\(kind.rawValue)）"
    }

    /// The counting mode as a heading: `集計方法: 重複計上（gross）`.
    package static func modeHeadline(_ mode: Analytics.Mode) -> String {
        switch mode {
        case .gross: "集計方法: 重複計上（gross）— 事業の金額を、その事業が貢献するすべてのゴールに全額計上"
        case .split: "集計方法: 按分（split）— 事業の金額を、その事業のゴール数で均等に按分"
        }
    }

    /// What the mode means for reading the numbers, in Japanese.
    package static func modeExplanation(_ mode: Analytics.Mode) -> String {
        switch mode {
        case .gross:
            "ゴールどうしが重なるため、ゴール別金額の合計は総額を上回ります。複数の施策に掲載された事業も1回だけ数えます。"
        case .split:
            "ゴール別金額の合計は、ゴールのある事業の総額（重複除外）に一致します。複数の施策に掲載された事業も1回だけ数えます。"
        }
    }

    /// `KitaQ DX推進事業` listed again: `（再掲）`.
    /// Rounded to a whole 千円, half away from zero (四捨五入): how split amounts are shown.
    /// The JSON answer keeps the exact figure.
    package static func wholeThousandYen(_ value: Decimal) -> Decimal {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return rounded
    }

    /// The display rule for split amounts, as reports state it.
    package static let splitRounding = "split の金額は千円未満を四捨五入して表示しています（JSON の回答は小数点以下3桁まで保持）。このため、ゴール別の金額の和が総額と数千円ずれることがあります。"

    package static let relistedMark = "（再掲）"

    /// The official SDG colours (also in the database's `sdg_goals`), for answers
    /// that name goals without their colours.
    package static let officialColors: [Int: String] = [
        1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2", 7: "#FCC30B",
        8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E", 13: "#3F7E44", 14: "#0A97D9",
        15: "#56C02B", 16: "#00689D", 17: "#19486A",
    ]

    /// The colour to draw goal `goal` in: `given` when it is `#RRGGBB`, else the official one.
    package static func goalColor(_ goal: Int, given: String) -> String? {
        hexColor(given) ?? officialColors[goal]
    }

    /// A `#RRGGBB` colour, or nil when the text is anything else (never written into markup unchecked).
    package static func hexColor(_ text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 7, scalars[0] == "#",
              scalars.dropFirst().allSatisfy({ $0.properties.isASCIIHexDigit }) else { return nil }
        return text.uppercased()
    }
}
