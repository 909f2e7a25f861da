package import Foundation

/// A report laid out for reading, independent of the output format: what Markdown
/// and HTML render. (CSV renders a `CSVTable` instead: one flat table.)
package struct ReportDocument: Sendable, Equatable {
    package var title: String
    /// When, from which documents and by which version the report was made; the footer.
    package var provenance: ReportProvenance?
    /// Facts stated under the title: fiscal year, amount kind, totals.
    package var facts: [Fact]
    /// The counting rule, shown prominently (SDG and duplicates reports).
    package var counting: Counting?
    package var chart: BarChart?
    package var sections: [Section]

    package init(title: String, facts: [Fact] = [], counting: Counting? = nil, chart: BarChart? = nil, sections: [Section] = []) {
        self.title = title
        self.facts = facts
        self.counting = counting
        self.chart = chart
        self.sections = sections
    }

    package struct Fact: Sendable, Equatable {
        package var label: String
        package var value: String
        package init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    package struct Counting: Sendable, Equatable {
        /// One line naming the mode.
        package var headline: String
        /// Sentences explaining it (the SQL's `counting` text among them).
        package var sentences: [String]
        package init(headline: String, sentences: [String]) {
            self.headline = headline
            self.sentences = sentences
        }
    }

    package struct Section: Sendable, Equatable {
        package var heading: String
        package var note: String?
        package var table: Table
        package init(heading: String, note: String? = nil, table: Table) {
            self.heading = heading
            self.note = note
            self.table = table
        }
    }
}

/// A table of cells; `footer` rows are totals.
package struct Table: Sendable, Equatable {
    package var columns: [Column]
    package var rows: [[Cell]]
    package var footer: [[Cell]]
    /// Shown instead of an empty body.
    package var emptyText: String

    package init(columns: [Column], rows: [[Cell]], footer: [[Cell]] = [], emptyText: String = "該当なし") {
        self.columns = columns
        self.rows = rows
        self.footer = footer
        self.emptyText = emptyText
    }

    package struct Column: Sendable, Equatable {
        package var title: String
        /// Right-aligned, never wrapped.
        package var numeric: Bool
        /// Short text kept on one line (codes, departments, years).
        package var nowrap: Bool
        package init(_ title: String, numeric: Bool = false, nowrap: Bool = false) {
            self.title = title
            self.numeric = numeric
            self.nowrap = nowrap
        }
    }
}

package enum Cell: Sendable, Equatable {
    case text(String)
    /// Written with thousands separators.
    case number(Decimal)
    /// An SDG goal: its number, shown on its colour in HTML.
    case goal(Int, color: String)
    /// Several goals in one cell.
    case goals([GoalMark])
    /// Several lines in one cell (a program's policies).
    case lines([String])
    /// A program's name; a link to its page where the renderer has `ReportLinks`.
    case program(String, id: Int64)
    case empty

    package struct GoalMark: Sendable, Equatable {
        package var goal: Int
        package var color: String
        package init(_ goal: Int, color: String) {
            self.goal = goal
            self.color = color
        }
    }

    package static func number(_ value: Int64) -> Cell { .number(Decimal(value)) }
    package static func number(_ value: Int) -> Cell { .number(Decimal(value)) }

    /// The cell as plain text (Markdown, and HTML where no markup is needed).
    package var plainText: String {
        switch self {
        case .text(let text): text
        case .number(let value): ReportText.grouped(value)
        case .goal(let goal, _): "\(goal)"
        case .goals(let marks): marks.isEmpty ? "—" : marks.map { "\($0.goal)" }.joined(separator: ", ")
        case .lines(let lines): lines.joined(separator: " / ")
        case .program(let name, _): name
        case .empty: ""
        }
    }
}

/// Where goals and programs link to, for a renderer serving pages; a report file has none.
package struct ReportLinks: Sendable {
    package var goal: @Sendable (Int) -> String
    package var program: @Sendable (Int64) -> String
    package init(goal: @escaping @Sendable (Int) -> String, program: @escaping @Sendable (Int64) -> String) {
        self.goal = goal
        self.program = program
    }
}

/// A horizontal bar chart: one bar per entry, in the entry's colour.
package struct BarChart: Sendable, Equatable {
    package var title: String
    /// Written after each value: `千円`.
    package var unit: String
    package var bars: [Bar]

    package init(title: String, unit: String, bars: [Bar]) {
        self.title = title
        self.unit = unit
        self.bars = bars
    }

    package struct Bar: Sendable, Equatable {
        /// The goal number, drawn on a square of the bar's colour.
        package var number: Int
        package var label: String
        package var color: String
        package var value: Decimal
        package init(number: Int, label: String, color: String, value: Decimal) {
            self.number = number
            self.label = label
            self.color = color
            self.value = value
        }
    }
}

/// One flat table for CSV: a header row and records of equal width.
package struct CSVTable: Sendable, Equatable {
    /// The English keys (`fiscal_year`, `thousand_yen`): the second header row, or the
    /// only one when `headerJa` is empty.
    package var header: [String]
    /// The Japanese column names: the first header row.
    package var headerJa: [String]
    /// The rows a spreadsheet sums: never a total among them.
    package var rows: [[CSVField]]
    /// Totals, in a section of their own below the rows (after a blank record), whose
    /// numbers sit under the text columns of the rows above, so summing a column of the
    /// rows never adds a total.
    package var totals: [[CSVField]]
    /// The counting and rounding rules, one record each, in a last section.
    package var notes: [String]

    package init(header: [String], headerJa: [String] = [], rows: [[CSVField]], totals: [[CSVField]] = [], notes: [String] = []) {
        self.header = header
        self.headerJa = headerJa
        self.rows = rows
        self.totals = totals
        self.notes = notes
    }

    /// The title record of the totals section.
    package static let totalsTitle = "合計（上の表の列には含めない） / totals, kept out of the columns above"
    /// The title record of the notes section.
    package static let notesTitle = "注記 / notes"
}

package enum CSVField: Sendable, Equatable {
    case text(String)
    /// Written plain (no grouping), so spreadsheets read it as a number.
    case number(Decimal)
    case empty

    package static func number(_ value: Int64) -> CSVField { .number(Decimal(value)) }
    package static func number(_ value: Int) -> CSVField { .number(Decimal(value)) }
    package static func optional(_ value: Int64?) -> CSVField { value.map { .number(Decimal($0)) } ?? .empty }
    package static func optional(_ value: String?) -> CSVField { value.map { .text($0) } ?? .empty }
}
