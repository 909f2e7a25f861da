import CrosswalkAnalytics
import CrosswalkModel
import Foundation

/// An answer with no report layout of its own (SDG n, PROGRAM, SEARCH) laid out as a
/// `ReportDocument`: top-level values become facts, lists of objects become tables, so
/// the shared HTML template renders (and escapes) it.
struct JSONDocument {
    /// Japanese labels for the keys the answers use; any other key is shown as it is.
    static let labels: [String: String] = [
        "id": "ID", "name": "名称", "name_ja": "名称", "name_en": "英語名", "goal": "ゴール", "goals": "ゴール",
        "inherited_goals": "施策から継承したゴール", "department": "所管課", "former_department": "旧所管課",
        "fiscal_year": "年度", "municipality": "自治体", "municipalities": "対象の自治体", "summary": "概要",
        "first_fiscal_year": "初年度", "last_fiscal_year": "最終年度", "programs": "事業", "policies": "施策",
        "listings": "掲載", "amounts": "金額（千円）", "conflicts": "記載の不一致", "grade": "評価", "grade_reason": "評価の理由",
        "policy_code": "施策コード", "policy_name": "施策名", "no": "No.", "relisted": "再掲", "indicator": "指標",
        "source": "資料", "lines": "行", "kind": "種類", "thousand_yen": "千円", "query": "検索語", "matched": "一致箇所",
        "code": "コード", "color": "色", "budget": "予算額", "settled": "決算額", "personnel": "人件費",
        "name_inferred": "指標名は推定", "baseline": "基準値", "midterm_target": "中間目標", "values": "値", "text": "記載",
        "number": "数値", "unit": "単位", "field": "項目", "value": "値",
        // INDICATORS and SIMILAR
        "mismatches": "達成率の不一致", "mismatch": "達成率の不一致", "tolerance": "許容差（ポイント）",
        "indicator_inferred": "指標名は推定", "listing_id": "掲載ID", "midterm": "中間目標", "years": "年度別",
        "target": "目標", "actual": "実績", "achievement": "達成率", "pairs": "似ている組", "pairs_found": "見つかった組",
        "threshold": "しきい値", "method": "方法", "score": "類似度", "a": "事業A", "b": "事業B", "fields": "似ている項目",
        "name_score": "名称の類似度", "summary_score": "概要の類似度", "indicator_score": "指標の類似度",
    ]
    /// Keys shown first, in this order; the rest follow alphabetically.
    static let leading = ["id", "goal", "name", "name_ja", "name_en", "fiscal_year", "policy_code", "policy_name", "code", "no",
                          "department", "goals", "inherited_goals", "grade"]
    /// Not shown: the colour is drawn, not written.
    static let hidden: Set<String> = ["color"]

    static func document(title: String, json: String) -> ReportDocument {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONTree.self, from: Data(json.utf8)) else {
            return ReportDocument(title: title, facts: [.init("回答", json)])
        }
        var document = ReportDocument(title: title)
        for key in ordered(object.keys) {
            let value = object[key]!
            if let rows = objects(value), !(rows.isEmpty && key != "programs") {
                if Set(rows.flatMap(\.keys)).count > maxColumns {
                    // Too wide for a page (a program's listings): one two-column table per row.
                    for (index, row) in rows.enumerated() {
                        document.sections.append(.init(heading: "\(label(key)) \(index + 1)", table: record(row, key: key)))
                    }
                } else {
                    document.sections.append(.init(heading: label(key), table: table(rows, key: key)))
                }
            } else {
                document.facts.append(.init(label(key), text(value)))
            }
        }
        return document
    }

    /// The answer's `name`, for a page title.
    static func name(_ json: String) -> String? {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONTree.self, from: Data(json.utf8)),
              case .string(let name)? = object["name"] else { return nil }
        return name
    }

    /// A list of objects (a table), or nil.
    static func objects(_ value: JSONTree) -> [[String: JSONTree]]? {
        guard case .array(let items) = value else { return nil }
        var rows: [[String: JSONTree]] = []
        for item in items {
            guard case .object(let row) = item else { return nil }
            rows.append(row)
        }
        return rows
    }

    /// The most columns a table of rows gets; wider lists are shown row by row.
    static let maxColumns = 8

    static func table(_ rows: [[String: JSONTree]], key: String) -> Table {
        let keys = ordered(Set(rows.flatMap(\.keys)))
        return Table(
            columns: keys.map { .init(label($0), numeric: $0 == "thousand_yen", nowrap: $0 == "fiscal_year" || $0 == "id") },
            rows: rows.map { row in keys.map { cell(row, column: $0, key: key) } }
        )
    }

    /// One row as a two-column table: label and value.
    static func record(_ row: [String: JSONTree], key: String) -> Table {
        Table(
            columns: [.init("項目", nowrap: true), .init("内容")],
            rows: ordered(row.keys).map { [.text(label($0)), cell(row, column: $0, key: key)] }
        )
    }

    /// One value of a row; `key` is the list it is in (names in `programs` link to their page).
    static func cell(_ row: [String: JSONTree], column: String, key: String) -> Cell {
        let value = row[column] ?? .null
        if key == "programs", column == "name", case .string(let name) = value, case .integer(let id)? = row["id"] {
            return .program(name, id: id)
        }
        if column == "goals" || column == "inherited_goals" || column == "goal", let goals = goalNumbers(value) {
            return .goals(goals.map { Cell.GoalMark($0, color: "") })
        }
        if column == "thousand_yen", case .integer(let amount) = value { return .number(amount) }
        if column == "kind", case .string(let text) = value, let kind = AmountKind(rawValue: text) {
            return .text(ReportText.amountKind(kind))
        }
        return .text(text(value))
    }

    static func ordered<S: Sequence>(_ keys: S) -> [String] where S.Element == String {
        let all = Set(keys).subtracting(hidden)
        return leading.filter(all.contains) + all.subtracting(leading).sorted()
    }

    static func label(_ key: String) -> String { labels[key] ?? key }

    static func goalNumbers(_ value: JSONTree) -> [Int]? {
        switch value {
        case .integer(let goal): return [Int(goal)]
        case .array(let items):
            var goals: [Int] = []
            for item in items {
                guard case .integer(let goal) = item else { return nil }
                goals.append(Int(goal))
            }
            return goals
        default: return nil
        }
    }

    /// A value as one line of text: lists joined, objects as `key: value`.
    static func text(_ value: JSONTree) -> String {
        switch value {
        case .null: "—"
        case .bool(let flag): flag ? "はい" : "いいえ"
        case .integer(let number): "\(number)"
        case .number(let number): "\(number)"
        case .string(let text): text
        case .array(let list): list.isEmpty ? "—" : list.map(text).joined(separator: "、")
        case .object(let object): ordered(object.keys).map { "\(label($0)): \(text(object[$0]!))" }.joined(separator: " / ")
        }
    }
}
