import Foundation

/// One self-contained HTML file: inline CSS and inline SVG, no scripts, no fonts or
/// images from the network. Japanese text uses a stack of common Japanese system
/// fonts and falls back to the browser's sans-serif. Every text value is escaped.
package struct HTMLReport: Sendable {
    package var chart = SVGBarChart()
    /// Set when serving pages: goal badges, bars and program names become links.
    package var links: ReportLinks? {
        didSet { chart.goalLink = links?.goal }
    }

    package init() {}

    package static let fontStack = """
        "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic UI", "Yu Gothic", YuGothic, Meiryo, \
        "Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAPGothic", sans-serif
        """

    package func render(_ document: ReportDocument) -> String {
        page(title: document.title, body: body(document), footer: document.provenance?.text ?? "crosswalk report")
    }

    /// A whole HTML file around `body` (already HTML), with the report's style and
    /// `extraStyle` (trusted CSS, not from data); `header` goes above the title.
    package func page(title: String, header: String = "", body: String, footer: String, extraStyle: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="ja">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(title))</title>
        <style>
        \(Self.style)
        \(extraStyle)
        </style>
        </head>
        <body>
        <main>
        \(header)<h1>\(e(title))</h1>
        \(body)<footer>\(e(footer))</footer>
        </main>
        </body>
        </html>\n
        """
    }

    /// The document's content under its title: counting rule, facts, chart, sections.
    package func body(_ document: ReportDocument) -> String {
        var out = ""
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
        case .program(let name, let id):
            guard let links else { return e(name) }
            return "<a href=\"\(e(links.program(id)))\">\(e(name))</a>"
        default:
            return e(cell.plainText)
        }
    }

    static func classAttribute(_ column: Table.Column) -> String {
        column.numeric ? " class=\"num\"" : column.nowrap ? " class=\"nowrap\"" : ""
    }

    func badge(_ goal: Int, color: String) -> String {
        let fill = ReportText.goalColor(goal, given: color) ?? SVGBarChart.fallbackColor
        let mark = "<span class=\"goal\" style=\"background:\(fill)\">\(goal)</span>"
        guard let links else { return mark }
        return "<a href=\"\(e(links.goal(goal)))\">\(mark)</a>"
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
