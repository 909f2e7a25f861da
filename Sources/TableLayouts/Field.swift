package import CrosswalkModel

/// What a column holds, in terms of the interchange format.
package enum Field: Hashable, Sendable, CustomStringConvertible {
    /// A policy cell holding code and name (`II-3-(2)-② 名前`) or either alone.
    case policy
    case policyCode
    case policyName
    case program
    case department
    case formerDepartment
    case summary
    case number
    /// The program's own goals in one cell (`3,11`, `⑪ ⑯`).
    case sdgGoals
    /// One of 17 mark columns (○ under goal N): the program's own.
    case sdgMark(Int)
    /// Goals stated for the policy, inherited by its programs.
    case policySdgGoals
    case policySdgMark(Int)
    /// An amount; `fiscalYear` nil means the document's fiscal year.
    case amount(fiscalYear: Int?, kind: AmountKind)
    case indicatorName
    case indicatorValue(fiscalYear: Int?, kind: IndicatorValueKind)
    case evaluation
    case evaluationReason
    case policyEvaluation
    case policyEvaluationText
    case fiscalYear
    case organization

    package var description: String {
        switch self {
        case .policy: "policy"
        case .policyCode: "policy-code"
        case .policyName: "policy-name"
        case .program: "program"
        case .department: "department"
        case .formerDepartment: "former-department"
        case .summary: "summary"
        case .number: "no"
        case .sdgGoals: "sdg-goals"
        case .sdgMark(let n): "sdg-mark.\(n)"
        case .policySdgGoals: "policy-sdg-goals"
        case .policySdgMark(let n): "policy-sdg-mark.\(n)"
        case .amount(let year, let kind): "amount.\(kind.rawValue)" + (year.map { ".\($0)" } ?? "")
        case .indicatorName: "indicator"
        case .indicatorValue(let year, let kind): "indicator.\(kind.rawValue)" + (year.map { ".\($0)" } ?? "")
        case .evaluation: "evaluation"
        case .evaluationReason: "evaluation-reason"
        case .policyEvaluation: "policy-evaluation"
        case .policyEvaluationText: "policy-evaluation-text"
        case .fiscalYear: "fiscal-year"
        case .organization: "organization"
        }
    }

    /// The field a layout file's `column.NAME` names; nil for an unknown name.
    static func named(_ name: String) -> Field? {
        let simple: [String: Field] = [
            "policy": .policy, "policy-code": .policyCode, "policy-name": .policyName, "program": .program,
            "department": .department, "former-department": .formerDepartment, "summary": .summary, "no": .number,
            "sdg-goals": .sdgGoals, "policy-sdg-goals": .policySdgGoals, "indicator": .indicatorName,
            "evaluation": .evaluation, "evaluation-reason": .evaluationReason,
            "policy-evaluation": .policyEvaluation, "policy-evaluation-text": .policyEvaluationText,
            "fiscal-year": .fiscalYear, "organization": .organization,
        ]
        if let field = simple[name] { return field }
        let parts = name.split(separator: ".").map(String.init)
        func year(_ i: Int) -> Int?? {
            guard parts.count > i else { return .some(nil) }
            guard parts.count == i + 1, let y = Int(parts[i]), (1989...2200).contains(y) else { return nil }
            return .some(y)
        }
        switch parts.first {
        case "sdg-mark", "policy-sdg-mark":
            guard parts.count == 2, let n = Int(parts[1]), SDGGoal.range.contains(n) else { return nil }
            return parts[0] == "sdg-mark" ? .sdgMark(n) : .policySdgMark(n)
        case "amount":
            guard parts.count >= 2, let kind = AmountKind(rawValue: parts[1]), let y = year(2) else { return nil }
            return .amount(fiscalYear: y, kind: kind)
        case "indicator":
            guard parts.count >= 2, let kind = IndicatorValueKind(rawValue: parts[1]), let y = year(2) else { return nil }
            return .indicatorValue(fiscalYear: y, kind: kind)
        default:
            return nil
        }
    }
}
