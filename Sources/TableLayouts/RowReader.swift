import CrosswalkModel
import Foundation
import EvaluationTables

/// The rows under the header → policies and listings. One row per program; a row with
/// a policy and no program is the policy's own row; blank and 小計/合計/計 rows are
/// skipped; a blank (or vertically merged) policy cell continues the policy above.
struct RowReader {
    let grid: Grid
    let map: ColumnMap
    let layout: TableLayout?
    let fiscalYear: Int
    /// The unit of amount columns whose header states none.
    let unit: TableLayout.Unit

    private(set) var policies: [PolicyRecord] = []
    private(set) var listings: [ListingRecord] = []
    private(set) var warnings: [ReaderWarning] = []
    /// Goals stated per policy, by policy code key.
    private var policyGoals: [String: Set<Int>] = [:]
    private var policyIndex: [String: Int] = [:]
    private var current: (code: String, key: String)? = nil

    init(grid: Grid, map: ColumnMap, layout: TableLayout?, fiscalYear: Int, unit: TableLayout.Unit) {
        self.grid = grid
        self.map = map
        self.layout = layout
        self.fiscalYear = fiscalYear
        self.unit = unit
    }

    mutating func read() throws(ReadError) {
        for row in (map.headerRows.upperBound + 1)..<max(grid.rows.count, map.headerRows.upperBound + 1) {
            try readRow(row)
        }
        for i in listings.indices {
            let key = PolicyCode.key(listings[i].policyCode)
            listings[i].inheritedSdgGoals = (policyGoals[key] ?? []).sorted()
        }
    }

    private func text(_ row: Int, _ field: Field) -> String? {
        guard let column = map.first(field) else { return nil }
        let value = grid.cell(row, column).trimmingWhitespace()
        return value.isEmpty ? nil : value
    }

    private mutating func warn(_ row: Int, _ column: Int?, _ code: String, _ message: String) {
        let place = column.map { grid.position(row: row, column: $0) } ?? grid.position(row: row)
        warnings.append(ReaderWarning(line: row + 1, code: code, message: "\(place): \(message)"))
    }

    /// 小計, 合計, 計, 総計 alone, with a unit (`合計（千円）`), or ending a short label
    /// (`施策小計`, `I-1計`); not a program that merely starts with one (`合計特殊出生率…`).
    static func isTotal(_ cell: String) -> Bool {
        var t = TextKey.fold(cell)
        if let paren = t.firstIndex(of: "(") { t = String(t[..<paren]) }
        if ["計", "小計", "合計", "総計", "総合計"].contains(t) { return true }
        if t.count <= 10, ["小計", "合計", "総計"].contains(where: { t.hasSuffix($0) }) { return true }
        // `I-1計`; a word ending in 計 (統計, 推計, 会計) is not a total.
        let written = cell.trimmingWhitespace()
        return written.hasSuffix("計") && CellText.policyCode(String(written.dropLast()))?.name.isEmpty == true
    }

    private mutating func readRow(_ row: Int) throws(ReadError) {
        let cells = grid.rows[row]
        guard cells.contains(where: { !$0.trimmingWhitespace().isEmpty }) else { return }
        let labelled = [Field.policy, .policyCode, .policyName, .program, .number].compactMap { text(row, $0) }
        let firstCell = cells.first { !$0.trimmingWhitespace().isEmpty } ?? ""
        if labelled.contains(where: Self.isTotal) || Self.isTotal(firstCell) { return }
        // A header repeated further down (an export of several printed pages).
        if let column = map.first(.program), let label = map.entries.first(where: { $0.column == column })?.label,
            TextKey.fold(grid.cell(row, column)) == TextKey.fold(label) || TextKey.fold(grid.cell(row, column)) == TextKey.fold(grid.cell(map.headerRows.lowerBound, column))
        {
            return
        }

        notePolicy(row)
        let programColumn = map.first(.program)
        if let rawProgram = text(row, .program), !(programColumn.map { grid.isMergedCopy(row, $0) } ?? false) {
            try addListing(row, rawProgram)
        } else if text(row, .program) == nil, statesPolicy(row), let current {
            // A policy's own row: goals in the goal columns are the policy's.
            let stated = goals(row, cell: .sdgGoals, mark: { if case .sdgMark(let n) = $0 { n } else { nil } })
            if !stated.isEmpty { policyGoals[current.key, default: []].formUnion(stated) }
        } else if !listings.isEmpty {
            continueListing(row)
        } else {
            warn(row, nil, "not_a_program", "row has neither a program nor a policy; skipped")
        }
    }

    /// True when the row writes a policy cell itself (not blank, not a merged copy).
    private func statesPolicy(_ row: Int) -> Bool {
        [Field.policy, .policyCode, .policyName].contains { field in
            guard let column = map.first(field) else { return false }
            return text(row, field) != nil && !grid.isMergedCopy(row, column)
        }
    }

    /// A row under a program whose program cell is blank or merged from above: more of
    /// that program (an indicator's second row). Its indicator values join the listing's;
    /// a second, different indicator is not kept (the format holds one per listing).
    private mutating func continueListing(_ row: Int) {
        let i = listings.count - 1
        listings[i].lines.append(row + 1)
        guard let more = indicator(row, skippingMergedCopies: true) else { return }
        var kept = listings[i].indicator ?? IndicatorRecord(name: nil, nameInferred: false, baseline: nil, midtermTarget: nil, values: [])
        if let name = more.name, let existing = kept.name, TextKey.fold(name) != TextKey.fold(existing) {
            warn(row, map.first(.indicatorName), "extra_indicator",
                 "program `\(listings[i].program)` has a second indicator `\(name)`; only the first (`\(existing)`) is kept")
            return
        }
        kept.name = kept.name ?? more.name
        kept.values += more.values
        listings[i].indicator = kept
    }

    /// A policy cell (code and name, or separate code and name cells) starts a policy;
    /// a blank one continues the one above.
    private mutating func notePolicy(_ row: Int) {
        var code: String? = nil
        var name: String? = nil
        if let cell = text(row, .policy) ?? (map.first(.policyCode) == nil ? text(row, .policyName) : nil) {
            if let split = CellText.policyCode(cell) {
                code = split.code
                name = split.name.isEmpty ? nil : split.name
            } else {
                // A policy written by name only: the name is its code.
                code = cell
                name = cell
            }
        }
        if let written = text(row, .policyCode) {
            code = written
            name = text(row, .policyName) ?? name
        }
        if let code {
            let key = PolicyCode.key(code)
            current = (code, key)
            if policyIndex[key] == nil {
                policyIndex[key] = policies.count
                policies.append(PolicyRecord(code: code, codeKey: key, name: name ?? "", evaluation: nil, evaluationText: nil, lines: []))
            }
        }
        guard let current, let p = policyIndex[current.key] else { return }
        if !policies[p].lines.contains(row + 1) { policies[p].lines.append(row + 1) }
        if policies[p].name.isEmpty, let name { policies[p].name = name }
        if policies[p].evaluation == nil, let grade = text(row, .policyEvaluation) { policies[p].evaluation = grade }
        if let reason = text(row, .policyEvaluationText), !(policies[p].evaluationText ?? "").contains(reason) {
            policies[p].evaluationText = [policies[p].evaluationText, reason].compactMap { $0 }.joined(separator: "\n")
        }
        let stated = goals(row, cell: .policySdgGoals, mark: { if case .policySdgMark(let n) = $0 { n } else { nil } })
        if !stated.isEmpty { policyGoals[current.key, default: []].formUnion(stated) }
    }

    /// Goals from a goals cell and from mark columns, 1–17, ascending; warnings for the rest.
    private mutating func goals(_ row: Int, cell field: Field, mark: (Field) -> Int?) -> [Int] {
        var out = Set<Int>()
        if let column = map.first(field) {
            switch GoalCell.read(grid.cell(row, column)) {
            case .goals(let goals):
                for goal in goals {
                    if SDGGoal.range.contains(goal) { out.insert(goal) } else {
                        warn(row, column, "sdg_out_of_range", "SDG goal \(goal) is not 1–17; left out")
                    }
                }
            case .unreadable:
                warn(row, column, "unreadable_goals", "`\(grid.cell(row, column))` is not a list of SDG goals; left out")
            }
        }
        for entry in map.entries {
            guard let goal = mark(entry.field) else { continue }
            switch GoalCell.isMarked(grid.cell(row, entry.column)) {
            case true?: out.insert(goal)
            case false?: break
            case nil: warn(row, entry.column, "unreadable_mark", "`\(grid.cell(row, entry.column))` in the goal \(goal) column is not a mark (○); left out")
            }
        }
        return out.sorted()
    }

    private mutating func addListing(_ row: Int, _ rawProgram: String) throws(ReadError) {
        // The published tables' marker rule: （再 掲）, 【再掲】 … in any width and spacing.
        let (unmarked, relisted) = ProgramKey.removingMarkers(rawProgram)
        let program = unmarked.trimmingWhitespace()
        let department = text(row, .department) ?? ""
        if department.isEmpty, map.first(.department) != nil {
            warn(row, map.first(.department), "no_department", "program `\(program)` has no department")
        }
        if current == nil {
            warn(row, map.first(.policy) ?? map.first(.policyCode), "no_policy", "program `\(program)` comes before any policy")
        }
        let own = goals(row, cell: .sdgGoals, mark: { if case .sdgMark(let n) = $0 { n } else { nil } })
        let number = text(row, .number).flatMap { Int(TextKey.fold($0)) } ?? listings.count + 1
        listings.append(ListingRecord(
            no: number, policyCode: current?.code ?? "", program: program,
            programKey: ProgramKey.make(name: program, department: department), relisted: relisted,
            department: department, formerDepartment: text(row, .formerDepartment), summary: text(row, .summary),
            sdgGoals: own, indicator: indicator(row), amounts: try amounts(row),
            evaluation: grade(row), evaluationReason: text(row, .evaluationReason), lines: [row + 1]))
    }

    private mutating func amounts(_ row: Int) throws(ReadError) -> [AmountRecord] {
        let converter = AmountConverter(rounding: layout?.yenRounding ?? .exact)
        var out: [AmountRecord] = []
        for entry in map.entries {
            guard case .amount(let year, let kind) = entry.field else { continue }
            // The layout's unit wins over a header's; a header's over the title's.
            let unit = layout?.unit ?? entry.unit ?? self.unit
            let cell = grid.cell(row, entry.column)
            let value: Int?
            switch converter.convert(cell, unit: unit) {
            case .amount(let v): value = v
            case .garbled:
                value = nil
                warn(row, entry.column, "garbled_amount", "`\(cell)` is not an amount; stored as none")
            case .rounded(let yen, let thousand):
                value = thousand
                warn(row, entry.column, "rounded_amount", "\(yen) 円 is not whole 千円; rounded to \(thousand) 千円 (yen-rounding = nearest)")
            case .inexact(let yen):
                throw ReadError(source: grid.source, line: row + 1, kind: .inexactAmount,
                    reason: "\(yen) 円 is not a whole number of 千円 and amounts are stored in 千円; declare `yen-rounding = nearest` in a layout to round (with a warning per cell), or check the unit",
                    location: grid.position(row: row, column: entry.column))
            }
            out.append(AmountRecord(fiscalYear: year ?? fiscalYear, kind: kind, thousandYen: value))
        }
        return out
    }

    private func indicator(_ row: Int, skippingMergedCopies: Bool = false) -> IndicatorRecord? {
        var name = text(row, .indicatorName)
        if let n = name, CellText.isDash(n) { name = nil }
        if skippingMergedCopies, let column = map.first(.indicatorName), grid.isMergedCopy(row, column) { name = nil }
        var values: [IndicatorValue] = []
        for entry in map.entries {
            guard case .indicatorValue(let year, let kind) = entry.field else { continue }
            if skippingMergedCopies, grid.isMergedCopy(row, entry.column) { continue }
            let value = grid.cell(row, entry.column).trimmingWhitespace()
            guard !value.isEmpty, !CellText.isDash(value) else { continue }
            let (number, unit) = CellText.indicatorNumber(value)
            values.append(IndicatorValue(fiscalYear: year ?? fiscalYear, kind: kind, text: value, number: number, unit: unit))
        }
        if name == nil && values.isEmpty { return nil }
        return IndicatorRecord(name: name, nameInferred: false, baseline: nil, midtermTarget: nil, values: values)
    }

    /// The grade as written; a warning when it is on no scale the reader or layout knows.
    private mutating func grade(_ row: Int) -> String? {
        guard let grade = text(row, .evaluation), !CellText.isDash(grade) else { return nil }
        let declared = layout?.grades ?? [:]
        let known = declared.isEmpty
            ? CellText.isKnownGrade(grade) || Self.otherScales.contains(TextKey.fold(grade))
            : declared[grade] != nil || declared.keys.contains { TextKey.fold($0) == TextKey.fold(grade) }
        if !known {
            warn(row, map.first(.evaluation), "unknown_grade", "grade `\(grade)` is on no known scale; kept as written")
        }
        return grade
    }

    /// Grade scales other cities use: A–D (and S), ◎○△×, 1–5.
    static let otherScales: Set<String> = ["s", "a", "b", "c", "d", "◎", "○", "△", "×", "1", "2", "3", "4", "5"]
}
