import CrosswalkModel
import Dispatch
import Foundation

/// Cross-listing checks for listings of one program (same `programKey`): fills a
/// missing indicator name from another listing, and reports SDG sets, amounts and
/// grades that disagree, naming both listings.
///
/// Two phases: the groups of listings (one per program key) are examined in parallel
/// against the documents as they are (a group's name fills and comparisons only read
/// its own listings, and comparisons never read names); then, in group order, the
/// fills are applied and the warnings appended, each message once per document.
enum Reconciler {
    struct Ref: Sendable {
        var doc: Int
        var listing: Int
    }

    /// What examining some groups found, in group order.
    struct Outcome: Sendable {
        var fills: [(Ref, String)] = []
        var warnings: [(doc: Int, warning: ReaderWarning)] = []
    }

    static func run(_ docs: inout [EvaluationDocument], sameDocument: Bool, crossDocument: Bool) {
        let groups = multiListingGroups(docs)
        guard !groups.isEmpty else { return }
        let outcomes = examine(docs, groups, sameDocument: sameDocument, crossDocument: crossDocument)
        // Messages already present per document; built on the first warning added to it.
        var seen = Seen(count: docs.count)
        for outcome in outcomes {
            for (ref, name) in outcome.fills {
                docs[ref.doc].listings[ref.listing].indicator?.name = name
                docs[ref.doc].listings[ref.listing].indicator?.nameInferred = true
            }
            for (d, warning) in outcome.warnings where seen.insert(warning.message, doc: d, docs) {
                docs[d].warnings.append(warning)
            }
        }
    }

    /// Listings grouped by program key, groups in order of first appearance; only
    /// groups of two or more. Each listing's group is numbered first, and arrays are
    /// made only for the groups kept (most programs are listed once).
    private static func multiListingGroups(_ docs: [EvaluationDocument]) -> [[Ref]] {
        var groupIndex: [StringBytesKey: Int] = [:]
        var listingCount = 0
        for doc in docs { listingCount += doc.listings.count }
        groupIndex.reserveCapacity(listingCount)
        var groupOfListing: [Int] = []
        groupOfListing.reserveCapacity(listingCount)
        var sizes: [Int] = []
        for d in docs.indices {
            for l in docs[d].listings.indices {
                let key = StringBytesKey(docs[d].listings[l].programKey)
                let g: Int
                if let known = groupIndex[key] {
                    g = known
                } else {
                    g = sizes.count
                    groupIndex[key] = g
                    sizes.append(0)
                }
                sizes[g] += 1
                groupOfListing.append(g)
            }
        }
        // Where each kept group goes in the result; -1 for programs listed once.
        var slot = [Int](repeating: -1, count: sizes.count)
        var groups: [[Ref]] = []
        for g in sizes.indices where sizes[g] > 1 {
            slot[g] = groups.count
            groups.append([])
            groups[groups.count - 1].reserveCapacity(sizes[g])
        }
        var n = 0
        for d in docs.indices {
            for l in docs[d].listings.indices {
                let s = slot[groupOfListing[n]]
                if s >= 0 { groups[s].append(Ref(doc: d, listing: l)) }
                n += 1
            }
        }
        return groups
    }

    /// Phase one: consecutive runs of groups examined in parallel, outcomes in order.
    private static func examine(_ docs: [EvaluationDocument], _ groups: [[Ref]], sameDocument: Bool, crossDocument: Bool) -> [Outcome] {
        let tasks = groups.count < 512 ? 1 : min(64, groups.count / 256)
        let results = UnsafeMutableBufferPointer<Outcome>.allocate(capacity: tasks)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        let work: @Sendable (Int) -> Void = { t in
            var outcome = Outcome()
            for g in (groups.count * t / tasks)..<(groups.count * (t + 1) / tasks) {
                examineGroup(docs, groups[g], sameDocument: sameDocument, crossDocument: crossDocument, into: &outcome)
            }
            // Each task initializes only its own slot.
            (slots.baseAddress! + t).initialize(to: outcome)
        }
        if tasks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: tasks, execute: work) }
        let outcomes = Array(results)
        _ = results.deinitialize()
        return outcomes
    }

    private static func examineGroup(_ docs: [EvaluationDocument], _ refs: [Ref], sameDocument: Bool, crossDocument: Bool, into outcome: inout Outcome) {
        func inScope(_ a: Ref, _ b: Ref) -> Bool {
            a.doc == b.doc ? sameDocument : crossDocument
        }
        inferNames(docs, refs, inScope: inScope, into: &outcome)
        for (i, ref) in refs.enumerated() where i > 0 {
            let earlier = refs[..<i].filter { inScope($0, ref) }
            guard !earlier.isEmpty else { continue }
            let year = docs[ref.doc].fiscalYear
            // SDG goals and grades are per fiscal year: compare within one year.
            if let other = earlier.first(where: { docs[$0.doc].fiscalYear == year }) {
                compareGoalsAndGrades(docs, other, ref, into: &outcome)
            }
            compareAmounts(docs, earlier, ref, into: &outcome)
        }
    }

    /// A warning for listing `r`: its place and program, then `message`.
    private static func addWarning(_ docs: [EvaluationDocument], at r: Ref, code: String, message: MessageText, into outcome: inout Outcome) {
        let line = docs[r.doc].listings[r.listing].lines.first
        let program = docs[r.doc].listings[r.listing].program
        let department = docs[r.doc].listings[r.listing].department
        let text: MessageText = "\(docs[r.doc].source):\(line ?? 0): program `\(program)` (\(department)): "
        outcome.warnings.append((r.doc, ReaderWarning(line: line, code: code, message: text.string(then: message))))
    }

    /// Fills are independent of each other: a listing whose name is missing (or was
    /// inferred) is never a donor.
    private static func inferNames(_ docs: [EvaluationDocument], _ refs: [Ref], inScope: (Ref, Ref) -> Bool, into outcome: inout Outcome) {
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
            outcome.fills.append((ref, name))
        }
    }

    private static func compareGoalsAndGrades(_ docs: [EvaluationDocument], _ a: Ref, _ b: Ref, into outcome: inout Outcome) {
        let goalsA = docs[a.doc].listings[a.listing].sdgGoals
        let goalsB = docs[b.doc].listings[b.listing].sdgGoals
        if goalsA != goalsB {
            addWarning(docs, at: b, code: "sdg_conflict",
                message: "SDG goals differ: \(listing: a, in: docs) has \(goalsA), \(listing: b, in: docs) has \(goalsB)", into: &outcome)
        }
        if let ga = docs[a.doc].listings[a.listing].evaluation, let gb = docs[b.doc].listings[b.listing].evaluation, ga != gb {
            addWarning(docs, at: b, code: "grade_conflict",
                message: "evaluation differs: \(listing: a, in: docs) is `\(ga)`, \(listing: b, in: docs) is `\(gb)`", into: &outcome)
        }
    }

    private static func compareAmounts(_ docs: [EvaluationDocument], _ earlier: [Ref], _ b: Ref, into outcome: inout Outcome) {
        let amountsB = docs[b.doc].listings[b.listing].amounts
        for amount in amountsB {
            guard let value = amount.thousandYen else { continue }
            for a in earlier {
                guard let other = docs[a.doc].listings[a.listing].amounts.first(where: { $0.fiscalYear == amount.fiscalYear && $0.kind == amount.kind }),
                    let otherValue = other.thousandYen
                else { continue }
                if otherValue != value {
                    addWarning(docs, at: b, code: "amount_conflict",
                        message: "FY\(amount.fiscalYear) \(amount.kind.rawValue) differs: \(listing: a, in: docs) has \(otherValue), \(listing: b, in: docs) has \(value) (thousand yen)", into: &outcome)
                }
                break
            }
        }
    }

    /// Warning messages per document, for not adding one twice (the run is idempotent).
    struct Seen {
        private var sets: [Set<StringBytesKey>?]

        init(count: Int) { sets = Array(repeating: nil, count: count) }

        /// Records `message` for document `d`; false when it is already there.
        mutating func insert(_ message: String, doc d: Int, _ docs: [EvaluationDocument]) -> Bool {
            if sets[d] == nil {
                // Room for the warnings to come: growing would hash every message again.
                var set = Set<StringBytesKey>(minimumCapacity: 2 * docs[d].warnings.count + 16)
                for warning in docs[d].warnings { set.insert(StringBytesKey(warning.message)) }
                sets[d] = set
            }
            return sets[d]!.insert(StringBytesKey(message)).inserted
        }
    }
}

/// A warning message written by interpolation into one byte buffer: the standard
/// interpolation appended a String per piece, about 17,000 instructions for an amount
/// conflict, and these messages are built for every conflicting pair of listings.
/// Writes numbers and arrays as the standard interpolation does.
struct MessageText: ExpressibleByStringInterpolation {
    fileprivate var bytes: [UInt8]

    init(stringLiteral value: String) { bytes = Array(value.utf8) }

    init(stringInterpolation: StringInterpolation) { bytes = stringInterpolation.bytes }

    /// This text followed by `more`, as a String.
    func string(then more: MessageText) -> String {
        String(unsafeUninitializedCapacity: bytes.count + more.bytes.count) { out in
            _ = out.initialize(fromContentsOf: bytes)
            _ = UnsafeMutableBufferPointer(rebasing: out[bytes.count...]).initialize(fromContentsOf: more.bytes)
            return bytes.count + more.bytes.count
        }
    }

    struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var bytes: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + 32 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) { bytes.append(contentsOf: literal.utf8) }

        mutating func appendInterpolation(_ text: String) { bytes.append(contentsOf: text.utf8) }

        /// Digit by digit (no String for it).
        mutating func appendInterpolation(_ number: Int) {
            if number < 0 { bytes.append(0x2D) }
            var m = number.magnitude
            let start = bytes.count
            repeat {
                bytes.append(UInt8(truncatingIfNeeded: 0x30 + m % 10))
                m /= 10
            } while m > 0
            bytes[start...].reverse()
        }

        /// `[3, 10]`.
        mutating func appendInterpolation(_ numbers: [Int]) {
            bytes.append(0x5B)
            for (i, n) in numbers.enumerated() {
                if i > 0 { appendLiteral(", ") }
                appendInterpolation(n)
            }
            bytes.append(0x5D)
        }

        /// `II-3-(2)-② No.2 (digital_R5.txt:9)`: which listing a message means. Field by
        /// field: a copy of the whole listing would retain every field.
        mutating func appendInterpolation(listing r: Reconciler.Ref, in docs: [EvaluationDocument]) {
            appendInterpolation(docs[r.doc].listings[r.listing].policyCode)
            appendLiteral(" No.")
            appendInterpolation(docs[r.doc].listings[r.listing].no)
            appendLiteral(" (")
            appendInterpolation(docs[r.doc].source)
            appendLiteral(":")
            appendInterpolation(docs[r.doc].listings[r.listing].lines.first ?? 0)
            appendLiteral(")")
        }
    }
}

/// A String key hashed and compared by its UTF-8 bytes, without copying them (String's
/// own hashing and equality normalise non-ASCII text, which keys never need).
struct StringBytesKey: Hashable {
    let string: String

    init(_ string: String) { self.string = string }

    func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    static func == (a: Self, b: Self) -> Bool {
        var x = a.string
        var y = b.string
        return x.withUTF8 { p in y.withUTF8 { q in p.count == q.count && (p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) } }
    }
}
