import CrosswalkModel

/// Cross-listing checks for listings of one program (same `programKey`): fills a
/// missing indicator name from another listing, and reports SDG sets, amounts and
/// grades that disagree, naming both listings.
enum Reconciler {
    struct Ref {
        var doc: Int
        var listing: Int
    }

    static func run(_ docs: inout [EvaluationDocument], sameDocument: Bool, crossDocument: Bool) {
        var groups: [ByteKey: [Ref]] = [:]
        var order: [ByteKey] = []
        for d in docs.indices {
            for l in docs[d].listings.indices {
                let key = ByteKey(docs[d].listings[l].programKey)
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(Ref(doc: d, listing: l))
            }
        }
        func inScope(_ a: Ref, _ b: Ref) -> Bool {
            a.doc == b.doc ? sameDocument : crossDocument
        }
        var seen: [Set<ByteKey>] = docs.map { doc in Set(doc.warnings.map { ByteKey($0.message) }) }
        for key in order {
            guard let refs = groups[key], refs.count > 1 else { continue }
            inferNames(&docs, refs, inScope: inScope)
            for (i, ref) in refs.enumerated() where i > 0 {
                let earlier = refs[..<i].filter { inScope($0, ref) }
                guard !earlier.isEmpty else { continue }
                let year = docs[ref.doc].fiscalYear
                // SDG goals and grades are per fiscal year: compare within one year.
                if let other = earlier.first(where: { docs[$0.doc].fiscalYear == year }) {
                    compareGoalsAndGrades(&docs, &seen, other, ref)
                }
                compareAmounts(&docs, &seen, earlier, ref)
            }
        }
    }

    private static func label(_ docs: [EvaluationDocument], _ r: Ref) -> String {
        let code = docs[r.doc].listings[r.listing].policyCode
        let no = docs[r.doc].listings[r.listing].no
        let line = docs[r.doc].listings[r.listing].lines.first ?? 0
        return "\(code) No.\(no) (\(docs[r.doc].source):\(line))"
    }

    private static func addWarning(_ docs: inout [EvaluationDocument], _ seen: inout [Set<ByteKey>], at r: Ref, code: String, message: String) {
        let line = docs[r.doc].listings[r.listing].lines.first
        let program = docs[r.doc].listings[r.listing].program
        let department = docs[r.doc].listings[r.listing].department
        let text = "\(docs[r.doc].source):\(line ?? 0): program `\(program)` (\(department)): " + message
        let warning = ReaderWarning(line: line, code: code, message: text)
        if seen[r.doc].insert(ByteKey(text)).inserted { docs[r.doc].warnings.append(warning) }
    }

    private static func inferNames(_ docs: inout [EvaluationDocument], _ refs: [Ref], inScope: (Ref, Ref) -> Bool) {
        for ref in refs {
            guard let indicator = docs[ref.doc].listings[ref.listing].indicator, indicator.name == nil else { continue }
            let year = docs[ref.doc].fiscalYear
            let donors = refs.filter { other in
                guard other.doc != ref.doc || other.listing != ref.listing, inScope(other, ref) else { return false }
                guard let i = docs[other.doc].listings[other.listing].indicator else { return false }
                return i.name != nil && !i.nameInferred
            }
            let donor = donors.min { a, b in
                abs(docs[a.doc].fiscalYear - year) < abs(docs[b.doc].fiscalYear - year)
            }
            guard let donor, let name = docs[donor.doc].listings[donor.listing].indicator?.name else { continue }
            docs[ref.doc].listings[ref.listing].indicator?.name = name
            docs[ref.doc].listings[ref.listing].indicator?.nameInferred = true
        }
    }

    private static func compareGoalsAndGrades(_ docs: inout [EvaluationDocument], _ seen: inout [Set<ByteKey>], _ a: Ref, _ b: Ref) {
        let goalsA = docs[a.doc].listings[a.listing].sdgGoals
        let goalsB = docs[b.doc].listings[b.listing].sdgGoals
        if goalsA != goalsB {
            addWarning(&docs, &seen, at: b, code: "sdg_conflict",
                message: "SDG goals differ: \(label(docs, a)) has \(goalsA), \(label(docs, b)) has \(goalsB)")
        }
        if let ga = docs[a.doc].listings[a.listing].evaluation, let gb = docs[b.doc].listings[b.listing].evaluation, ga != gb {
            addWarning(&docs, &seen, at: b, code: "grade_conflict",
                message: "evaluation differs: \(label(docs, a)) is `\(ga)`, \(label(docs, b)) is `\(gb)`")
        }
    }

    private static func compareAmounts(_ docs: inout [EvaluationDocument], _ seen: inout [Set<ByteKey>], _ earlier: [Ref], _ b: Ref) {
        let amountsB = docs[b.doc].listings[b.listing].amounts
        for amount in amountsB {
            guard let value = amount.thousandYen else { continue }
            for a in earlier {
                guard let other = docs[a.doc].listings[a.listing].amounts.first(where: { $0.fiscalYear == amount.fiscalYear && $0.kind == amount.kind }),
                    let otherValue = other.thousandYen
                else { continue }
                if otherValue != value {
                    addWarning(&docs, &seen, at: b, code: "amount_conflict",
                        message: "FY\(amount.fiscalYear) \(amount.kind.rawValue) differs: \(label(docs, a)) has \(otherValue), \(label(docs, b)) has \(value) (thousand yen)")
                }
                break
            }
        }
    }
}
