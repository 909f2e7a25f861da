/// Fiscal years as people write them: Gregorian (`2023`) or by era (`R5`, `令和5`,
/// `令和5年度`, `令和元年度`, `H30`, `平成30`), in either width. Everything inside Crosswalk
/// uses the Gregorian start year.
package enum FiscalYear {
    /// The years an evaluation table can be about (平成 starts in 1989).
    package static let range = 1989...2200

    /// The Gregorian start year `text` names, or nil.
    package static func parse(_ text: String) -> Int? {
        var text = Substring(String(text.unicodeScalars.map(halfWidth)).uppercased())
        text = text.drop { $0 == " " }
        if text.hasSuffix("年度") { text = text.dropLast(2) } else if text.hasSuffix("年") { text = text.dropLast() }
        let eras: [(prefixes: [String], offset: Int, last: Int)] = [
            (["令和", "R"], 2018, Int.max), (["平成", "H"], 1988, 31),
        ]
        for era in eras {
            guard let prefix = era.prefixes.first(where: { text.hasPrefix($0) }) else { continue }
            let number = text.dropFirst(prefix.count)
            let n = number == "元" ? 1 : Int(number)
            guard let n, n >= 1, n <= era.last else { return nil }
            return check(n + era.offset)
        }
        return Int(text).flatMap(check)
    }

    /// `2023年度（令和5年度）`.
    package static func label(_ year: Int) -> String {
        switch year {
        case 2019...: "\(year)年度（令和\(year == 2019 ? "元" : String(year - 2018))年度）"
        case 1989...2018: "\(year)年度（平成\(year == 1989 ? "元" : String(year - 1988))年度）"
        default: "\(year)年度"
        }
    }

    private static func check(_ year: Int) -> Int? { range.contains(year) ? year : nil }

    /// Full-width ASCII (`Ｒ５`, `２０２３`) as half-width.
    private static func halfWidth(_ scalar: Unicode.Scalar) -> Character {
        (0xFF01...0xFF5E).contains(scalar.value) ? Character(Unicode.Scalar(scalar.value - 0xFEE0)!) : Character(scalar)
    }
}
