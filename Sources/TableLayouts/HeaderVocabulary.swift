import CrosswalkModel
import EvaluationTables

/// The header names municipalities commonly write, and the field each means. Labels
/// are compared folded (`TextKey.fold`: width, spaces and case do not matter).
enum HeaderVocabulary {
    /// The field a header label names, or nil. More specific names are tried first
    /// (`事業概要` is a summary, not a program; `施策評価` an evaluation, not a policy).
    static func field(for label: String) -> Field? {
        let l = TextKey.fold(label)
        guard !l.isEmpty else { return nil }
        let policyLevel = l.contains("施策") || l.contains("政策")
        if l.contains("sdg") || l.contains("ゴール") {
            if let goal = trailingGoal(l) { return policyLevel ? .policySdgMark(goal) : .sdgMark(goal) }
            return policyLevel ? .policySdgGoals : .sdgGoals
        }
        if let kind = amountKind(l) {
            return .amount(fiscalYear: CellText.fiscalYears(in: label, requireNendo: false).first, kind: kind)
        }
        let year = CellText.fiscalYears(in: label, requireNendo: false).first
        if l.contains("達成率") || l.contains("達成度") { return .indicatorValue(fiscalYear: year, kind: .achievement) }
        if l.contains("目標値") || l == "目標" || (l.contains("目標") && year != nil) { return .indicatorValue(fiscalYear: year, kind: .target) }
        if l.contains("実績") { return .indicatorValue(fiscalYear: year, kind: .actual) }
        if l.contains("指標") { return .indicatorName }
        if l.contains("理由") || l.contains("課題") { return policyLevel ? .policyEvaluationText : .evaluationReason }
        if l.contains("評価") { return policyLevel ? .policyEvaluation : .evaluation }
        if policyLevel {
            if l.contains("番号") || l.contains("コード") || l.hasSuffix("no") || l.contains("no.") || l.contains("code") { return .policyCode }
            if l.contains("名") { return .policyName }
            return .policy
        }
        if l.contains("旧所管") || l.contains("旧担当") { return .formerDepartment }
        if ["担当", "所管", "課名", "部署", "部局", "担当課", "所管課"].contains(where: l.contains) { return .department }
        if l.contains("概要") || l.contains("内容") || l.contains("目的") { return .summary }
        // `事業費`, `事業額（円）` are figures of a program, not its name.
        if (l.contains("事業") || l.contains("取組")), !l.contains("費"), !l.contains("額"), !l.contains("円") { return .program }
        if ["no", "no.", "番号", "通番", "整理番号", "連番"].contains(l) { return .number }
        if l == "年度" { return .fiscalYear }
        if l == "局" || l == "局名" || l == "部局名" || l == "組織" || l == "組織名" { return .organization }
        return nil
    }

    private static func amountKind(_ l: String) -> AmountKind? {
        if l.contains("人件費") { return .personnel }
        if l.contains("決算") || l.contains("執行額") { return .settled }
        if l.contains("予算") { return .budget }
        return nil
    }

    /// The goal number a label ends with (`sdgs11` → 11, under an `SDGs` band).
    private static func trailingGoal(_ l: String) -> Int? {
        let digits = l.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 2, let n = Int(String(digits.reversed())), SDGGoal.range.contains(n) else { return nil }
        return n
    }

    /// The unit a header label states (`（千円）`, `(円)`, `単位：円`), if any.
    static func unit(in label: String) -> TableLayout.Unit? {
        let l = TextKey.fold(label)
        if l.contains("千円") { return .thousandYen }
        if l.contains("(円)") || l.contains("単位:円") || l.hasSuffix("円") { return .yen }
        return nil
    }
}
