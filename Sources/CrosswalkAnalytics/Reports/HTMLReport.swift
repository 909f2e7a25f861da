import Foundation

/// One self-contained HTML file: inline CSS and inline SVG, no scripts, no fonts or
/// images from the network. Japanese text uses a stack of common Japanese system
/// fonts and falls back to the browser's sans-serif. Every text value is escaped.
package struct HTMLReport: Sendable {
    package var chart = SVGBarChart()

    package init() {}

    package static let fontStack = """
        "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic UI", "Yu Gothic", YuGothic, Meiryo, \
        "Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAPGothic", sans-serif
        """

    package func render(_ document: ReportDocument) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="ja">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(document.title))</title>
            <style>
            \(Self.style)
            </style>
            </head>
            <body>
            <main>
            <h1>\(e(document.title))</h1>\n
            """
        if let counting = document.counting {
            out += "<section class=\"counting\">\n<p class=\"mode\">\(e(counting.headline))</p>\n"
            for sentence in counting.sentences { out += "<p>\(e(sentence))</p>\n" }
            out += "</section>\n"
        }
        if !document.facts.isEmpty {
            out += "<dl class=\"facts\">\n"
            for fact in document.facts { out += "<div><dt>\(e(fact.label))</dt><dd>\(e(fact.value))</dd></div>\n" }
            out += "</dl>\n"
        }
        if let barChart = document.chart {
            out += "<figure>\n<figcaption>\(e(barChart.title))</figcaption>\n\(chart.render(barChart))\n</figure>\n"
        }
        for section in document.sections {
            out += "<section>\n<h2>\(e(section.heading))</h2>\n"
            if let note = section.note { out += "<p class=\"note\">\(e(note))</p>\n" }
            out += table(section.table) + "</section>\n"
        }
        out += "<footer>crosswalk report</footer>\n</main>\n</body>\n</html>\n"
        return out
    }

    func table(_ table: Table) -> String {
        var out = "<table>\n<thead><tr>"
        for column in table.columns {
            out += "<th\(Self.classAttribute(column))>\(e(column.title))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        if table.rows.isEmpty {
            out += "<tr><td class=\"empty\" colspan=\"\(table.columns.count)\">\(e(table.emptyText))</td></tr>\n"
        }
        for row in table.rows { out += self.row(row, columns: table.columns) }
        out += "</tbody>\n"
        if !table.footer.isEmpty {
            out += "<tfoot>\n"
            for row in table.footer { out += self.row(row, columns: table.columns) }
            out += "</tfoot>\n"
        }
        return out + "</table>\n"
    }

    func row(_ cells: [Cell], columns: [Table.Column]) -> String {
        var out = "<tr>"
        for (index, cell) in cells.enumerated() {
            let column = index < columns.count ? columns[index] : Table.Column("")
            switch cell {
            case .goal, .goals: out += "<td class=\"goals\">"
            default: out += "<td\(Self.classAttribute(column))>"
            }
            out += content(cell) + "</td>"
        }
        return out + "</tr>\n"
    }

    func content(_ cell: Cell) -> String {
        switch cell {
        case .goal(let goal, let color):
            return badge(goal, color: color)
        case .goals(let marks):
            return marks.isEmpty ? "—" : marks.map { badge($0.goal, color: $0.color) }.joined(separator: " ")
        case .lines(let lines):
            return lines.map(e).joined(separator: "<br>")
        default:
            return e(cell.plainText)
        }
    }

    static func classAttribute(_ column: Table.Column) -> String {
        column.numeric ? " class=\"num\"" : column.nowrap ? " class=\"nowrap\"" : ""
    }

    func badge(_ goal: Int, color: String) -> String {
        let fill = ReportText.goalColor(goal, given: color) ?? SVGBarChart.fallbackColor
        return "<span class=\"goal\" style=\"background:\(fill)\">\(goal)</span>"
    }

    private func e(_ text: String) -> String { HTMLEscape.escape(text) }

    static let style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #F4F6F8; color: #1D2731;
          font-family: \(fontStack);
          font-size: 15px; line-height: 1.6; }
        main { max-width: 1080px; margin: 0 auto; padding: 28px 32px 40px; background: #FFFFFF; min-height: 100vh; }
        h1 { font-size: 26px; line-height: 1.35; margin: 0 0 18px; }
        h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #DDE3E8; }
        .counting { border-left: 8px solid #19486A; background: #EAF2F8; padding: 12px 18px; margin: 0 0 20px; border-radius: 4px; }
        .counting .mode { font-size: 19px; font-weight: 700; color: #19486A; margin: 0 0 6px; }
        .counting p { margin: 4px 0; }
        .facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 8px 24px; margin: 0 0 20px; }
        .facts div { border-bottom: 1px solid #E5E9ED; padding: 4px 0; }
        .facts dt { font-size: 13px; color: #5A6772; }
        .facts dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
        figure { margin: 8px 0 12px; }
        figcaption { font-weight: 700; margin-bottom: 8px; }
        svg.chart { display: block; max-width: 100%; height: auto; }
        svg.chart text { font-family: \(fontStack); font-size: 15px; fill: #1D2731; }
        svg.chart text.badge-number { fill: #FFFFFF; font-weight: 700; font-size: 14px; }
        svg.chart text.value { font-variant-numeric: tabular-nums; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0 8px; }
        th, td { border: 1px solid #D5DCE2; padding: 6px 10px; text-align: left; vertical-align: top; }
        thead th { background: #EEF2F5; font-weight: 700; }
        tbody tr:nth-child(even) td { background: #FAFBFC; }
        tfoot td { background: #F3F6F8; font-weight: 700; }
        .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        .nowrap { white-space: nowrap; }
        td.goals { white-space: nowrap; width: 1%; }
        .empty { color: #5A6772; text-align: center; }
        .note { color: #46525C; font-size: 14px; margin: 4px 0 8px; }
        .goal { display: inline-block; min-width: 28px; padding: 1px 6px; border-radius: 3px; color: #FFFFFF;
          font-weight: 700; text-align: center; font-variant-numeric: tabular-nums; }
        footer { margin-top: 36px; color: #7A8690; font-size: 12px; }
        @media print { body { background: #FFFFFF; } main { padding: 0; } }
        """
}
