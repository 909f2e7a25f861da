import CrosswalkModel

/// Writes a batch as compact JSON byte-for-byte equal to
/// `EvaluationJSON.encoder(pretty: false)` (snake_case keys, sorted, `/` unescaped,
/// nil optionals omitted), several times faster than the generic JSONEncoder.
/// The tests compare both on the sample and its variants.
public enum CompactJSON {
    public static func encode(_ batch: EvaluationBatch) -> [UInt8] {
        var w = Writer()
        w.out.reserveCapacity(batch.documents.reduce(0) { $0 + 1024 + $1.listings.count * 1500 })
        w.raw("{\"documents\":[")
        for (i, doc) in batch.documents.enumerated() {
            if i > 0 { w.raw(",") }
            w.document(doc)
        }
        w.raw("],\"format\":")
        w.string(batch.format)
        w.raw("}")
        return w.out
    }

    struct Writer {
        var out: [UInt8] = []

        mutating func raw(_ s: StaticString) {
            s.withUTF8Buffer { out.append(contentsOf: $0) }
        }

        mutating func int(_ v: Int) {
            if v < 0 { out.append(0x2D) }
            var m = v.magnitude
            if m == 0 { out.append(0x30); return }
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var n = 0
            withUnsafeMutableBytes(of: &digits) { d in
                while m > 0 {
                    d[n] = UInt8(0x30 + m % 10)
                    m /= 10
                    n += 1
                }
                while n > 0 {
                    n -= 1
                    out.append(d[n])
                }
            }
        }

        mutating func double(_ v: Double) {
            if v == v.rounded(), abs(v) < 1e15 {
                int(Int(v))
            } else {
                out.append(contentsOf: "\(v)".utf8)
            }
        }

        mutating func bool(_ v: Bool) {
            if v { raw("true") } else { raw("false") }
        }

        mutating func string(_ s: String) {
            out.append(0x22)
            var s = s
            s.withUTF8 { utf8 in
                var start = 0
                for i in 0..<utf8.count {
                    let b = utf8[i]
                    guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                    start = i + 1
                    switch b {
                    case 0x22: raw("\\\"")
                    case 0x5C: raw("\\\\")
                    case 0x08: raw("\\b")
                    case 0x0C: raw("\\f")
                    case 0x0A: raw("\\n")
                    case 0x0D: raw("\\r")
                    case 0x09: raw("\\t")
                    default:
                        let hex: [UInt8] = Array("0123456789abcdef".utf8)
                        raw("\\u00")
                        out.append(hex[Int(b >> 4)])
                        out.append(hex[Int(b & 0x0F)])
                    }
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
            }
            out.append(0x22)
        }

        mutating func ints(_ values: [Int]) {
            out.append(0x5B)
            for (i, v) in values.enumerated() {
                if i > 0 { out.append(0x2C) }
                int(v)
            }
            out.append(0x5D)
        }

        mutating func document(_ d: EvaluationDocument) {
            raw("{\"encoding\":")
            string(d.encoding.rawValue)
            raw(",\"fiscal_year\":")
            int(d.fiscalYear)
            raw(",\"listings\":[")
            for (i, l) in d.listings.enumerated() {
                if i > 0 { raw(",") }
                listing(l)
            }
            raw("],\"organization\":")
            string(d.organization)
            raw(",\"policies\":[")
            for (i, p) in d.policies.enumerated() {
                if i > 0 { raw(",") }
                policy(p)
            }
            raw("],\"sha256\":")
            string(d.sha256)
            raw(",\"source\":")
            string(d.source)
            raw(",\"warnings\":[")
            for (i, warning) in d.warnings.enumerated() {
                if i > 0 { raw(",") }
                raw("{\"code\":")
                string(warning.code)
                if let line = warning.line {
                    raw(",\"line\":")
                    int(line)
                }
                raw(",\"message\":")
                string(warning.message)
                raw("}")
            }
            raw("]}")
        }

        mutating func policy(_ p: PolicyRecord) {
            raw("{\"code\":")
            string(p.code)
            raw(",\"code_key\":")
            string(p.codeKey)
            if let v = p.evaluation { raw(",\"evaluation\":"); string(v) }
            if let v = p.evaluationText { raw(",\"evaluation_text\":"); string(v) }
            raw(",\"lines\":")
            ints(p.lines)
            raw(",\"name\":")
            string(p.name)
            raw("}")
        }

        mutating func listing(_ l: ListingRecord) {
            raw("{\"amounts\":[")
            for (i, a) in l.amounts.enumerated() {
                if i > 0 { raw(",") }
                raw("{\"fiscal_year\":")
                int(a.fiscalYear)
                raw(",\"kind\":")
                string(a.kind.rawValue)
                if let v = a.thousandYen { raw(",\"thousand_yen\":"); int(v) }
                raw("}")
            }
            raw("],\"department\":")
            string(l.department)
            if let v = l.evaluation { raw(",\"evaluation\":"); string(v) }
            if let v = l.evaluationReason { raw(",\"evaluation_reason\":"); string(v) }
            if let v = l.formerDepartment { raw(",\"former_department\":"); string(v) }
            if let ind = l.indicator {
                raw(",\"indicator\":{")
                var first = true
                if let v = ind.baseline { raw("\"baseline\":"); string(v); first = false }
                if let v = ind.midtermTarget {
                    if !first { raw(",") }
                    raw("\"midterm_target\":"); string(v); first = false
                }
                if let v = ind.name {
                    if !first { raw(",") }
                    raw("\"name\":"); string(v); first = false
                }
                if !first { raw(",") }
                raw("\"name_inferred\":")
                bool(ind.nameInferred)
                raw(",\"values\":[")
                for (i, v) in ind.values.enumerated() {
                    if i > 0 { raw(",") }
                    raw("{\"fiscal_year\":")
                    int(v.fiscalYear)
                    raw(",\"kind\":")
                    string(v.kind.rawValue)
                    if let n = v.number { raw(",\"number\":"); double(n) }
                    raw(",\"text\":")
                    string(v.text)
                    if let u = v.unit { raw(",\"unit\":"); string(u) }
                    raw("}")
                }
                raw("]}")
            }
            raw(",\"lines\":")
            ints(l.lines)
            raw(",\"no\":")
            int(l.no)
            raw(",\"policy_code\":")
            string(l.policyCode)
            raw(",\"program\":")
            string(l.program)
            raw(",\"program_key\":")
            string(l.programKey)
            raw(",\"relisted\":")
            bool(l.relisted)
            raw(",\"sdg_goals\":")
            ints(l.sdgGoals)
            if let v = l.summary { raw(",\"summary\":"); string(v) }
            raw("}")
        }
    }
}
