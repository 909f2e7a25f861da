public import Foundation

/// A report laid out for reading, independent of the output format: what Markdown
/// and HTML render. (CSV renders a `CSVTable` instead: one flat table.)
public struct ReportDocument: Sendable, Equatable {
    public var title: String
    /// Facts stated under the title: fiscal year, amount kind, totals.
    public var facts: [Fact]
    /// The counting rule, shown prominently (SDG and duplicates reports).
    public var counting: Counting?
    public var chart: BarChart?
    public var sections: [Section]

    public init(title: String, facts: [Fact] = [], counting: Counting? = nil, chart: BarChart? = nil, sections: [Section] = []) {
        self.title = title
        self.facts = facts
        self.counting = counting
        self.chart = chart
        self.sections = sections
    }

    public struct Fact: Sendable, Equatable {
        public var label: String
        public var value: String
        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    public struct Counting: Sendable, Equatable {
        /// One line naming the mode.
        public var headline: String
        /// Sentences explaining it (the SQL's `counting` text among them).
        public var sentences: [String]
        public init(headline: String, sentences: [String]) {
            self.headline = headline
            self.sentences = sentences
        }
    }

    public struct Section: Sendable, Equatable {
        public var heading: String
        public var note: String?
        public var table: Table
        public init(heading: String, note: String? = nil, table: Table) {
            self.heading = heading
            self.note = note
            self.table = table
        }
    }
}

/// A table of cells; `footer` rows are totals.
public struct Table: Sendable, Equatable {
    public var columns: [Column]
    public var rows: [[Cell]]
    public var footer: [[Cell]]
    /// Shown instead of an empty body.
    public var emptyText: String

    public init(columns: [Column], rows: [[Cell]], footer: [[Cell]] = [], emptyText: String = "該当なし") {
        self.columns = columns
        self.rows = rows
        self.footer = footer
        self.emptyText = emptyText
    }

    public struct Column: Sendable, Equatable {
        public var title: String
        /// Right-aligned, never wrapped.
        public var numeric: Bool
        /// Short text kept on one line (codes, departments, years).
        public var nowrap: Bool
        public init(_ title: String, numeric: Bool = false, nowrap: Bool = false) {
            self.title = title
            self.numeric = numeric
            self.nowrap = nowrap
        }
    }
}

public enum Cell: Sendable, Equatable {
    case text(String)
    /// Written with thousands separators.
    case number(Decimal)
    /// An SDG goal: its number, shown on its colour in HTML.
    case goal(Int, color: String)
    /// Several goals in one cell.
    case goals([GoalMark])
    /// Several lines in one cell (a program's policies).
    case lines([String])
    case empty

    public struct GoalMark: Sendable, Equatable {
        public var goal: Int
        public var color: String
        public init(_ goal: Int, color: String) {
            self.goal = goal
            self.color = color
        }
    }

    public static func number(_ value: Int64) -> Cell { .number(Decimal(value)) }
    public static func number(_ value: Int) -> Cell { .number(Decimal(value)) }

    /// The cell as plain text (Markdown, and HTML where no markup is needed).
    public var plainText: String {
        switch self {
        case .text(let text): text
        case .number(let value): ReportText.grouped(value)
        case .goal(let goal, _): "\(goal)"
        case .goals(let marks): marks.isEmpty ? "—" : marks.map { "\($0.goal)" }.joined(separator: ", ")
        case .lines(let lines): lines.joined(separator: " / ")
        case .empty: ""
        }
    }
}

/// A horizontal bar chart: one bar per entry, in the entry's colour.
public struct BarChart: Sendable, Equatable {
    public var title: String
    /// Written after each value: `千円`.
    public var unit: String
    public var bars: [Bar]

    public init(title: String, unit: String, bars: [Bar]) {
        self.title = title
        self.unit = unit
        self.bars = bars
    }

    public struct Bar: Sendable, Equatable {
        /// The goal number, drawn on a square of the bar's colour.
        public var number: Int
        public var label: String
        public var color: String
        public var value: Decimal
        public init(number: Int, label: String, color: String, value: Decimal) {
            self.number = number
            self.label = label
            self.color = color
            self.value = value
        }
    }
}

/// One flat table for CSV: a header row and records of equal width.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[CSVField]]
    public init(header: [String], rows: [[CSVField]]) {
        self.header = header
        self.rows = rows
    }
}

public enum CSVField: Sendable, Equatable {
    case text(String)
    /// Written plain (no grouping), so spreadsheets read it as a number.
    case number(Decimal)
    case empty

    public static func number(_ value: Int64) -> CSVField { .number(Decimal(value)) }
    public static func number(_ value: Int) -> CSVField { .number(Decimal(value)) }
    public static func optional(_ value: Int64?) -> CSVField { value.map { .number(Decimal($0)) } ?? .empty }
    public static func optional(_ value: String?) -> CSVField { value.map { .text($0) } ?? .empty }
}
