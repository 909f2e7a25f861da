import Foundation

/// GitHub-flavoured Markdown: headings, the counting mode as a quote, facts as a
/// list, pipe tables (numbers right-aligned). Text is escaped so that names with
/// `|`, `*`, `<` and the like print as written and never become markup.
package struct MarkdownReport: Sendable {
    package init() {}

    package func render(_ document: ReportDocument) -> String {
        var out = "# \(Self.escape(document.title))\n\n"
        if let counting = document.counting {
            out += "> **\(Self.escape(counting.headline))**\n"
            for sentence in counting.sentences { out += ">\n> \(Self.escape(sentence))\n" }
            out += "\n"
        }
        for fact in document.facts {
            out += "- **\(Self.escape(fact.label))**: \(Self.escape(fact.value))\n"
        }
        if !document.facts.isEmpty { out += "\n" }
        if let chart = document.chart {
            // Markdown has no charts: the goal table below carries the same numbers.
            out += "_\(Self.escape(chart.title))は、下の表の金額列です（HTML 版では棒グラフ）。_\n\n"
        }
        for section in document.sections {
            out += "## \(Self.escape(section.heading))\n\n"
            if let note = section.note { out += "\(Self.escape(note))\n\n" }
            out += table(section.table) + "\n"
        }
        if let provenance = document.provenance { out += "---\n\n_\(Self.escape(provenance.text))_\n" }
        return out
    }

    func table(_ table: Table) -> String {
        var out = "| " + table.columns.map { Self.escape($0.title) }.joined(separator: " | ") + " |\n"
        out += "|" + table.columns.map { $0.numeric ? "---:|" : "---|" }.joined() + "\n"
        if table.rows.isEmpty {
            let blanks = Array(repeating: "", count: max(0, table.columns.count - 1))
            out += "| " + ([Self.escape(table.emptyText)] + blanks).joined(separator: " | ") + " |\n"
        }
        for row in table.rows {
            out += "| " + row.map(cell).joined(separator: " | ") + " |\n"
        }
        for row in table.footer {
            out += "| " + row.map { cell in
                let text = self.cell(cell)
                return text.isEmpty ? "" : "**\(text)**"
            }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    func cell(_ cell: Cell) -> String {
        switch cell {
        case .lines(let lines): lines.map(Self.escape).joined(separator: "<br>")
        default: Self.escape(cell.plainText)
        }
    }

    /// Escapes Markdown punctuation with backslashes and `&`, `<`, `>` as entities;
    /// line breaks become spaces (a table row is one line).
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "#", "~": out += "\\\(character)"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
