package import CrosswalkModel
import Foundation
import Postgres

/// The number an indicator text states, and its unit: `46,549時間` → (46549, 時間),
/// `年間削減作業時間：46,549時間` → (46549, 時間), `事務作業時間100,000時間削減 (R7年度)`
/// → (100000, 時間), `１，５００台` → (1500, 台), `85％` → (85, %). Texts without a
/// number (`計画の着実な推進`, `単年度目標 なし`, `—`) give nil: no number is invented.
package enum IndicatorNumber {
    /// Units written after numbers in evaluation sheets, matched longest first. The
    /// list keeps `100,000時間削減` from reading as the unit `時間削減`.
    static let units: [[Unicode.Scalar]] = ([
        "%", "‰", "パーセント", "ポイント", "万人", "千人", "人日", "人泊", "人", "名", "件", "回", "台", "時間",
        "分", "秒", "日", "か所", "ヶ所", "カ所", "ヵ所", "箇所", "所", "団体", "社", "校", "園", "店舗", "店",
        "施設", "世帯", "戸", "棟", "本", "冊", "枚", "個", "基", "区", "地区", "路線", "便", "頭", "種類", "種",
        "品目", "ページ", "アクセス", "トン", "億円", "万円", "千円", "円", "万", "億", "倍", "割", "歳", "か月",
        "ヶ月", "カ月", "ヵ月", "月", "週", "年", "席", "床", "泊", "駅", "人分", "食", "講座", "コース", "事業",
        "システム", "手続", "機関", "ヘクタール", "キロ", "件数",
    ] as [String]).map { Array($0.unicodeScalars) }.sorted { $0.count > $1.count }

    package static func parse(_ text: String) -> (number: Double, unit: String?)? {
        let s = Array(text.precomposedStringWithCompatibilityMapping.unicodeScalars)
        var i = 0
        while i < s.count {
            guard isDigit(s[i]) else { i += 1; continue }
            // Digits glued to a Latin letter are names, not values: `R7`, `H30`, `CO2`.
            if i > 0, isLatinLetter(s[i - 1]) {
                while i < s.count, isDigit(s[i]) || s[i] == "." { i += 1 }
                continue
            }
            var digits = ""
            var k = i
            var seenPoint = false
            while k < s.count {
                if isDigit(s[k]) {
                    digits.unicodeScalars.append(s[k])
                } else if s[k] == ",", k + 1 < s.count, isDigit(s[k + 1]) {
                    // thousands separator
                } else if s[k] == ".", !seenPoint, k + 1 < s.count, isDigit(s[k + 1]) {
                    digits.append(".")
                    seenPoint = true
                } else {
                    break
                }
                k += 1
            }
            // Years are dates, not values: `7年度`, `2030年`, `令和5年`.
            if k < s.count, s[k] == "年",
               (k + 1 < s.count && s[k + 1] == "度") || digits.count == 4 || (i > 0 && (s[i - 1] == "和" || s[i - 1] == "成")) {
                i = k
                continue
            }
            guard var number = Double(digits) else { i = k; continue }
            if i > 0 {
                let p = s[i - 1]
                if p == "△" || p == "▲" || p == "−" || (p == "-" && (i == 1 || !isAlphanumeric(s[i - 2]))) {
                    number = -number
                }
            }
            return (number, unit(s, from: k))
        }
        return nil
    }

    /// The unit after a number: a known unit (longest match), else a run of Latin
    /// letters (`MW`, `kWh`, `m2`), else a run of katakana; nil when none.
    static func unit(_ s: [Unicode.Scalar], from k: Int) -> String? {
        var k = k
        while k < s.count, s[k] == " " { k += 1 }
        guard k < s.count else { return nil }
        for unit in units where k + unit.count <= s.count && Array(s[k..<(k + unit.count)]) == unit {
            return normalizedUnit(String(String.UnicodeScalarView(unit)))
        }
        var end = k
        while end < s.count, isLatinLetter(s[end]) { end += 1 }
        if end > k {
            if end < s.count, s[end] == "2" || s[end] == "3", end + 1 == s.count || !isDigit(s[end + 1]) { end += 1 }
            return String(String.UnicodeScalarView(s[k..<end]))
        }
        while end < s.count, (0x30A1...0x30FA).contains(s[end].value) || s[end] == "ー" { end += 1 }
        return end > k ? String(String.UnicodeScalarView(s[k..<end])) : nil
    }

    /// One spelling per unit, so `85%` and `85パーセント` compare.
    static func normalizedUnit(_ unit: String) -> String {
        switch unit {
        case "パーセント": "%"
        case "か所", "ヶ所", "カ所", "ヵ所": "箇所"
        case "ヶ月", "カ月", "ヵ月": "か月"
        case "トン": "t"
        default: unit
        }
    }

    /// Units agree when they are the same, or one side is a bare number.
    static func unitsAgree(_ a: String?, _ b: String?) -> Bool {
        a == nil || b == nil || a == b
    }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }
    private static func isLatinLetter(_ s: Unicode.Scalar) -> Bool {
        (s.value >= 0x41 && s.value <= 0x5A) || (s.value >= 0x61 && s.value <= 0x7A)
    }
    private static func isAlphanumeric(_ s: Unicode.Scalar) -> Bool { isDigit(s) || isLatinLetter(s) }
}

/// Indicator progress of the listings of a year: targets and actuals read as
/// numbers, achievement recomputed and checked against the stated 達成率, and
/// progress toward the mid-term target.
package struct IndicatorProgressAnswer: JSONAnswer, Codable, Sendable, Equatable {
    /// A text as written and the number read from it (absent when it states none).
    package struct Reading: Codable, Sendable, Equatable {
        package var text: String
        package var number: Double?
        package var unit: String?

        package init(text: String) {
            self.text = text
            if let parsed = IndicatorNumber.parse(text) {
                number = parsed.number
                unit = parsed.unit
            }
        }
    }

    package struct Year: Codable, Sendable, Equatable {
        package var fiscalYear: Int
        package var target: Reading?
        package var actual: Reading?
        /// 達成率 as written.
        package var statedAchievement: Reading?
        /// actual ÷ target × 100, when both are numbers in agreeing units and the target is not 0.
        package var recomputedAchievement: Double?
        /// True when both achievements exist and differ by more than the tolerance;
        /// nil when there is nothing to compare.
        package var mismatch: Bool?

        enum CodingKeys: String, CodingKey {
            case target, actual, mismatch
            case fiscalYear = "fiscal_year", statedAchievement = "stated_achievement", recomputedAchievement = "recomputed_achievement"
        }
    }

    package struct MidtermProgress: Codable, Sendable, Equatable {
        /// The year of the actual used: the latest with a number in an agreeing unit.
        package var fiscalYear: Int
        package var actual: Double
        package var target: Double
        package var unit: String?
        /// actual ÷ mid-term target × 100.
        package var percent: Double

        enum CodingKeys: String, CodingKey {
            case actual, target, unit, percent
            case fiscalYear = "fiscal_year"
        }
    }

    package typealias Program = ProgramRef

    package struct Policy: Codable, Sendable, Equatable {
        package var code: String
        package var name: String

        package init(code: String, name: String) {
            self.code = code
            self.name = name
        }
    }

    package struct Listing: Codable, Sendable, Equatable {
        package var listingId: Int64
        package var no: Int
        package var program: Program
        package var policy: Policy
        package var indicator: String?
        package var indicatorInferred: Bool
        package var baseline: Reading?
        package var midterm: Reading?
        package var years: [Year]
        package var midtermProgress: MidtermProgress?
        /// True when any year's stated achievement disagrees with the recomputed one.
        package var mismatch: Bool

        enum CodingKeys: String, CodingKey {
            case no, program, policy, indicator, baseline, midterm, years, mismatch
            case listingId = "listing_id", indicatorInferred = "indicator_inferred", midtermProgress = "midterm_progress"
        }
    }

    package var fiscalYear: Int?
    /// Stated and recomputed achievements further apart than this (points) are a mismatch.
    package var tolerance: Double
    package var listings: [Listing]
    /// Listings with a mismatch.
    package var mismatches: Int

    enum CodingKeys: String, CodingKey {
        case tolerance, listings, mismatches
        case fiscalYear = "fiscal_year"
    }


    /// One listing's years and mid-term progress from its texts. Pure: no database.
    package static func listing(
        listingId: Int64, no: Int, program: Program, policy: Policy, indicator: String?, indicatorInferred: Bool,
        baseline: String?, midterm: String?, values: [(fiscalYear: Int, kind: IndicatorValueKind, text: String)],
        tolerance: Double = 0.5
    ) -> Listing {
        var byYear: [Int: Year] = [:]
        for value in values {
            var year = byYear[value.fiscalYear] ?? Year(fiscalYear: value.fiscalYear)
            let reading = Reading(text: value.text)
            switch value.kind {
            case .target: year.target = reading
            case .actual: year.actual = reading
            case .achievement: year.statedAchievement = reading
            }
            byYear[value.fiscalYear] = year
        }
        var years = byYear.values.sorted { $0.fiscalYear < $1.fiscalYear }
        for index in years.indices {
            var year = years[index]
            if let target = year.target, let t = target.number, t != 0,
               let actual = year.actual, let a = actual.number, IndicatorNumber.unitsAgree(target.unit, actual.unit) {
                year.recomputedAchievement = rounded(a / t * 100)
                if let stated = year.statedAchievement?.number, year.statedAchievement?.unit == "%" || year.statedAchievement?.unit == nil {
                    year.mismatch = abs(a / t * 100 - stated) > tolerance
                }
            }
            years[index] = year
        }
        let midtermReading = midterm.flatMap { $0.isEmpty ? nil : Reading(text: $0) }
        var progress: MidtermProgress?
        if let goal = midtermReading, let g = goal.number, g != 0 {
            for year in years.reversed() {
                guard let actual = year.actual, let a = actual.number, IndicatorNumber.unitsAgree(goal.unit, actual.unit) else { continue }
                progress = MidtermProgress(fiscalYear: year.fiscalYear, actual: a, target: g, unit: goal.unit ?? actual.unit,
                                           percent: rounded(a / g * 100))
                break
            }
        }
        return Listing(
            listingId: listingId, no: no, program: program, policy: policy, indicator: indicator,
            indicatorInferred: indicatorInferred, baseline: baseline.flatMap { $0.isEmpty ? nil : Reading(text: $0) },
            midterm: midtermReading, years: years, midtermProgress: progress,
            mismatch: years.contains { $0.mismatch == true })
    }

    private static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

extension IndicatorProgressAnswer.Year {
    init(fiscalYear: Int) {
        self.init(fiscalYear: fiscalYear, target: nil, actual: nil, statedAchievement: nil, recomputedAchievement: nil, mismatch: nil)
    }
}

extension Analytics {
    /// Indicator progress of every current listing of `fiscalYear` (default: the
    /// newest year) that has an indicator, in policy and row order. One query reads
    /// the listings with their indicators and values; the texts are read here.
    package func indicatorProgress(
        fiscalYear: Int? = nil, tolerance: Double = 0.5, municipality: String? = nil
    ) async throws -> IndicatorProgressAnswer {
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        let rows = try await pool.query("SELECT * FROM crosswalk_indicator_rows($1, $2)", [fiscalYear, municipality])
        struct Value: Decodable {
            var fiscal_year: Int
            var kind: String
            var text: String
        }
        var year = fiscalYear
        var listings: [IndicatorProgressAnswer.Listing] = []
        for row in rows {
            year = try row.decodeIfPresent("fiscal_year", as: Int.self) ?? year
            guard let listingID = try row.decodeIfPresent("listing_id", as: Int64.self) else { continue }
            let values = try row.decode("indicator_values", as: PostgresJSON.self).decode([Value].self)
            listings.append(IndicatorProgressAnswer.listing(
                listingId: listingID, no: try row.decode("row_no", as: Int.self),
                program: .init(id: try row.decode("program_id", as: Int64.self), name: try row.decode("program_name", as: String.self),
                               department: try row.decode("department", as: String.self)),
                policy: .init(code: try row.decode("policy_code", as: String.self), name: try row.decode("policy_name", as: String.self)),
                indicator: try row.decodeIfPresent("indicator_name", as: String.self),
                indicatorInferred: try row.decode("name_inferred", as: Bool.self),
                baseline: try row.decodeIfPresent("baseline", as: String.self),
                midterm: try row.decodeIfPresent("midterm_target", as: String.self),
                values: values.compactMap { value in
                    IndicatorValueKind(rawValue: value.kind).map { (value.fiscal_year, $0, value.text) }
                },
                tolerance: tolerance))
        }
        return IndicatorProgressAnswer(fiscalYear: year, tolerance: tolerance, listings: listings,
                                       mismatches: listings.filter(\.mismatch).count)
    }
}
