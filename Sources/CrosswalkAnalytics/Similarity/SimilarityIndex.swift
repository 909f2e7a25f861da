import CrosswalkModel
import Foundation

/// The texts of a program that similarity compares.
package enum SimilarityField: UInt8, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case name = 1, summary = 2, indicator = 3

    package var description: String {
        switch self {
        case .name: "name"
        case .summary: "summary"
        case .indicator: "indicator"
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let field = Self.allCases.first(where: { $0.description == text }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown field \(text)"))
        }
        self = field
    }
}

/// One program as similarity sees it: what it is called, who runs it, what it does
/// and what it measures. `id` is the program's identity (a program listed under
/// several policies is one `ProgramText`; repeated ids are merged).
package struct ProgramText: Sendable, Hashable, Codable {
    package var id: Int64
    package var name: String
    package var department: String
    package var summary: String?
    package var indicatorName: String?

    package init(id: Int64, name: String, department: String, summary: String? = nil, indicatorName: String? = nil) {
        self.id = id
        self.name = name
        self.department = department
        self.summary = summary
        self.indicatorName = indicatorName
    }
}

/// Two programs that look alike: a possible duplicate for a person to check, never
/// merged automatically. `a < b`.
package struct SimilarPair: Sendable, Equatable, Codable {
    package var a: Int64
    package var b: Int64
    /// Combined similarity in 0…1: cosine of the programs' IDF-weighted n-gram
    /// vectors, fields weighted by `SimilarityIndex.Options.weights`.
    package var score: Double
    /// Cosine of the name n-grams alone.
    package var nameScore: Double
    /// Cosine of the summaries; nil when either program has none.
    package var summaryScore: Double?
    /// Cosine of the indicator names; nil when either program has none.
    package var indicatorScore: Double?
    /// Fields that are alike on their own (score ≥ `Options.fieldMatch`).
    package var fields: [SimilarityField]
    /// What matched, readable: `name: 6 shared bigrams 「テレワーク推進」`.
    package var matched: [String]

    package init(a: Int64, b: Int64, score: Double, nameScore: Double, summaryScore: Double?, indicatorScore: Double?,
                fields: [SimilarityField], matched: [String]) {
        self.a = a
        self.b = b
        self.score = score
        self.nameScore = nameScore
        self.summaryScore = summaryScore
        self.indicatorScore = indicatorScore
        self.fields = fields
        self.matched = matched
    }
}

/// Finds pairs of similar programs among many without comparing every pair.
///
/// Each program becomes one sparse vector: the distinct character n-grams of its
/// folded name (bigrams), summary (trigrams) and indicator name (bigrams), each
/// weighted by inverse document frequency, every field normalised and scaled by its
/// weight, the whole of unit length. The score of a pair is the cosine of the two
/// vectors — the weighted sum of the per-field cosines when both have every field.
/// IDF makes template phrases (`…を推進するもの。`, `事業`) count for little and
/// distinctive runs (`テレワーク`, `デジタルデバイド`) for much.
///
/// Candidates come from an inverted index with prefix filtering (AllPairs, Bayardo
/// et al. 2007): n-grams are ranked rarest first, and each program indexes only its
/// rarest n-grams up to the point where the rest of its vector could not reach the
/// threshold even if it matched perfectly (the smaller of the rest's norm and its
/// dot product with each n-gram's largest weight anywhere). Two programs whose score
/// reaches the threshold always share an indexed n-gram, so the filter loses no pair;
/// common n-grams are never probed, which keeps the work far from quadratic.
package struct SimilarityIndex: Sendable {
    package struct Options: Sendable, Equatable {
        /// Relative weight of each field in the combined score (renormalised over the
        /// fields a program has).
        package var nameWeight: Double = 0.4
        package var summaryWeight: Double = 0.45
        package var indicatorWeight: Double = 0.15
        /// n-gram sizes per field.
        package var nameGram = 2
        package var summaryGram = 3
        package var indicatorGram = 2
        /// A field is reported in `matched` when its own cosine reaches this.
        package var fieldMatch: Double = 0.5

        package init() {}

        func weight(_ field: SimilarityField) -> Double {
            switch field {
            case .name: nameWeight
            case .summary: summaryWeight
            case .indicator: indicatorWeight
            }
        }

        func gram(_ field: SimilarityField) -> Int {
            switch field {
            case .name: nameGram
            case .summary: summaryGram
            case .indicator: indicatorGram
            }
        }
    }

    /// The default threshold: planted near-duplicates of the benchmark corpus
    /// (renamed `…推進事業` → `…促進事業`/`…（拡充）`, moved to another department, or
    /// both, with a reworded summary) score above it; programs that only share a
    /// topic or a summary template score below. See Benchmarks/similarity/README.md.
    package static let defaultThreshold = 0.7

    /// What a scan did, for benchmarks and INFO.
    package struct Statistics: Sendable, Equatable, Codable {
        package var programs = 0
        package var features = 0
        /// n-grams indexed (in some program's prefix) and postings written.
        package var indexedPostings = 0
        /// Distinct candidate pairs verified.
        package var candidates = 0
        package var pairs = 0
    }

    package let options: Options
    /// The programs, one per id, in input order.
    package let programs: [ProgramText]
    private let indexOf: [Int64: Int]
    // Each program's features, rarest first: rank (= feature id) and final weight.
    private let start: [Int]
    private let feature: [Int32]
    private let weight: [Float]
    /// Norm of each program's vector from this position on (for cutting a dot product
    /// short once the rest cannot reach the threshold).
    private let restNorm: [Float]
    /// Per program and field, the norm of that field's part of the vector (0 = absent).
    private let fieldNorm: [SIMD4<Float>]
    /// Per feature (rank): its field and its largest weight in any program.
    private let fieldOf: [UInt8]
    private let maxWeight: [Float]

    package init(_ input: [ProgramText], options: Options = Options()) {
        self.options = options
        // One entry per id: a re-listed program is one program. A later copy only
        // fills what the first lacked.
        var position: [Int64: Int] = [:]
        var programs: [ProgramText] = []
        programs.reserveCapacity(input.count)
        for text in input {
            if let at = position[text.id] {
                if programs[at].summary?.isEmpty ?? true { programs[at].summary = text.summary }
                if programs[at].indicatorName?.isEmpty ?? true { programs[at].indicatorName = text.indicatorName }
            } else {
                position[text.id] = programs.count
                programs.append(text)
            }
        }
        self.programs = programs
        self.indexOf = position

        // n-grams per program and field, as provisional feature ids (first seen first).
        let fields = SimilarityField.allCases
        var provisional: [UInt64: Int32] = [:]
        var keyOf: [UInt64] = []
        var df: [Int32] = []
        var grams: [[Int32]] = []
        grams.reserveCapacity(programs.count)
        for program in programs {
            var ids: [Int32] = []
            for field in fields {
                guard let text = Self.text(program, field) else { continue }
                for key in NGrams.keys(NGrams.scalars(text), size: options.gram(field), field: field) {
                    if let id = provisional[key] {
                        df[Int(id)] += 1
                        ids.append(id)
                    } else {
                        let id = Int32(keyOf.count)
                        provisional[key] = id
                        keyOf.append(key)
                        df.append(1)
                        ids.append(id)
                    }
                }
            }
            grams.append(ids)
        }

        // Feature ids by rarity: rank 0 is the rarest n-gram.
        let byRarity = keyOf.indices.sorted { df[$0] != df[$1] ? df[$0] < df[$1] : keyOf[$0] < keyOf[$1] }
        var rankOf = [Int32](repeating: 0, count: keyOf.count)
        var fieldOf = [UInt8](repeating: 0, count: keyOf.count)
        var idf = [Float](repeating: 0, count: keyOf.count)
        let total = Float(max(programs.count, 1))
        for (rank, id) in byRarity.enumerated() {
            rankOf[id] = Int32(rank)
            fieldOf[rank] = UInt8(keyOf[id] >> 62)
            idf[rank] = log(1 + total / Float(df[id]))
        }

        // Vectors: IDF weights, each field scaled to sqrt(its share of the weight).
        var start = [0]
        var feature: [Int32] = []
        var weight: [Float] = []
        var fieldNorm: [SIMD4<Float>] = []
        var maxWeight = [Float](repeating: 0, count: keyOf.count)
        start.reserveCapacity(programs.count + 1)
        feature.reserveCapacity(grams.reduce(0) { $0 + $1.count })
        weight.reserveCapacity(feature.capacity)
        for ids in grams {
            var ranks = ids.map { rankOf[Int($0)] }
            ranks.sort()
            var squares = SIMD4<Float>(repeating: 0)
            for rank in ranks {
                let w = idf[Int(rank)]
                squares[Int(fieldOf[Int(rank)])] += w * w
            }
            var share = SIMD4<Float>(repeating: 0)
            var shareTotal: Float = 0
            for field in fields where squares[Int(field.rawValue)] > 0 {
                share[Int(field.rawValue)] = Float(options.weight(field))
                shareTotal += Float(options.weight(field))
            }
            var scale = SIMD4<Float>(repeating: 0)
            var norms = SIMD4<Float>(repeating: 0)
            for field in fields where share[Int(field.rawValue)] > 0 {
                let i = Int(field.rawValue)
                norms[i] = (share[i] / shareTotal).squareRoot()
                scale[i] = norms[i] / squares[i].squareRoot()
            }
            for rank in ranks {
                let w = idf[Int(rank)] * scale[Int(fieldOf[Int(rank)])]
                feature.append(rank)
                weight.append(w)
                if w > maxWeight[Int(rank)] { maxWeight[Int(rank)] = w }
            }
            fieldNorm.append(norms)
            start.append(feature.count)
        }
        self.start = start
        self.feature = feature
        self.weight = weight
        var restNorm = [Float](repeating: 0, count: weight.count)
        for x in 0..<programs.count {
            var squares: Float = 0
            for k in (start[x]..<start[x + 1]).reversed() {
                squares += weight[k] * weight[k]
                restNorm[k] = squares.squareRoot()
            }
        }
        self.restNorm = restNorm
        self.fieldNorm = fieldNorm
        self.fieldOf = fieldOf
        self.maxWeight = maxWeight
    }

    package var count: Int { programs.count }

    /// Pairs scoring at least `threshold`, best first (then by ids); at most `limit`.
    /// `including`, when given, says which pairs of ids to consider at all (COMPARE: one
    /// ended and one new program); the others are skipped before they are scored.
    package func pairs(threshold: Double = SimilarityIndex.defaultThreshold, limit: Int? = nil,
                       including: ((Int64, Int64) -> Bool)? = nil) -> [SimilarPair] {
        scan(threshold: threshold, limit: limit, including: including).pairs
    }

    /// `pairs`, with counts of what the scan did.
    package func scan(threshold: Double = SimilarityIndex.defaultThreshold, limit: Int? = nil,
                      including: ((Int64, Int64) -> Bool)? = nil) -> (pairs: [SimilarPair], statistics: Statistics) {
        var statistics = Statistics()
        statistics.programs = programs.count
        statistics.features = fieldOf.count
        let n = programs.count
        guard n > 1, limit.map({ $0 > 0 }) ?? true else { return ([], statistics) }
        // A hair below the threshold so rounding never drops a pair at the boundary.
        let t = Float(max(threshold, 1e-6)) * (1 - 1e-5)

        // Prefix of each program: its rarest features up to where the rest cannot reach t.
        var prefixEnd = [Int](repeating: 0, count: n)
        var postingCount = [Int32](repeating: 0, count: fieldOf.count + 1)
        for x in 0..<n {
            var squares: Float = 0
            var dotBound: Float = 0
            var k = start[x + 1]
            while k > start[x] {
                let w = weight[k - 1]
                let nextSquares = squares + w * w
                let nextDot = dotBound + w * maxWeight[Int(feature[k - 1])]
                if min(nextSquares.squareRoot(), nextDot) >= t { break }
                squares = nextSquares
                dotBound = nextDot
                k -= 1
            }
            prefixEnd[x] = k
            for j in start[x]..<k { postingCount[Int(feature[j]) + 1] += 1 }
        }
        // Postings in one array: feature f owns postings[offset[f] ..< offset[f + 1]],
        // filled as programs are visited, so a probe sees only earlier programs.
        var offset = [Int](repeating: 0, count: fieldOf.count + 1)
        for f in 0..<fieldOf.count { offset[f + 1] = offset[f] + Int(postingCount[f + 1]) }
        var fill = Array(offset.dropLast())
        var postings = [Int32](repeating: 0, count: offset[fieldOf.count])
        statistics.indexedPostings = postings.count

        // Identity keys (name without 再掲 markers + department), only for programs in a
        // pair above the threshold: two ids of one identity are one program.
        var identity: [Int: String] = [:]
        func sameProgram(_ x: Int, _ y: Int) -> Bool {
            func key(_ i: Int) -> String {
                if let known = identity[i] { return known }
                let made = ProgramKey.make(name: programs[i].name, department: programs[i].department)
                identity[i] = made
                return made
            }
            return key(x) == key(y)
        }
        var seen = [Int32](repeating: -1, count: n)
        var candidates: [Int32] = []
        var found: [(x: Int, y: Int, dot: Float)] = []
        for x in 0..<n {
            candidates.removeAll(keepingCapacity: true)
            for j in start[x]..<prefixEnd[x] {
                let f = Int(feature[j])
                for p in offset[f]..<fill[f] {
                    let y = postings[p]
                    if seen[Int(y)] != Int32(x) {
                        seen[Int(y)] = Int32(x)
                        candidates.append(y)
                    }
                }
                postings[fill[f]] = Int32(x)
                fill[f] += 1
            }
            statistics.candidates += candidates.count
            for y in candidates {
                if let including, !including(programs[x].id, programs[Int(y)].id) { continue }
                let dot = self.dot(x, Int(y), atLeast: t)
                if dot >= t, !sameProgram(x, Int(y)) {
                    found.append((x, Int(y), dot))
                }
            }
        }

        found.sort { $0.dot != $1.dot ? $0.dot > $1.dot : (programs[$0.x].id, programs[$0.y].id) < (programs[$1.x].id, programs[$1.y].id) }
        statistics.pairs = found.count
        if let limit, found.count > limit { found.removeLast(found.count - limit) }
        return (found.map { describe($0.x, $0.y, score: $0.dot) }, statistics)
    }

    /// The score of two programs by id, computed directly (no index): for tests and spot checks.
    package func score(_ a: Int64, _ b: Int64) -> Double? {
        guard let x = indexOf[a], let y = indexOf[b] else { return nil }
        return Double(dot(x, y))
    }

    private func dot(_ x: Int, _ y: Int) -> Float {
        dot(x, y, atLeast: 0)
    }

    /// The dot product of two programs' vectors; gives up (returning less than `bound`)
    /// as soon as what is left of the two vectors could not lift it to `bound`.
    private func dot(_ x: Int, _ y: Int, atLeast bound: Float) -> Float {
        var i = start[x], j = start[y]
        let iEnd = start[x + 1], jEnd = start[y + 1]
        var sum: Float = 0
        while i < iEnd, j < jEnd {
            if sum + restNorm[i] * restNorm[j] < bound { return sum }
            let fi = feature[i], fj = feature[j]
            if fi == fj {
                sum += weight[i] * weight[j]
                i += 1
                j += 1
            } else if fi < fj {
                i += 1
            } else {
                j += 1
            }
        }
        return sum
    }

    /// Per-field cosines, shared n-grams and the longest common run, for one pair.
    private func describe(_ x: Int, _ y: Int, score: Float) -> SimilarPair {
        var dots = SIMD4<Float>(repeating: 0)
        var shared = SIMD4<Int32>(repeating: 0)
        var i = start[x], j = start[y]
        while i < start[x + 1], j < start[y + 1] {
            let fi = feature[i], fj = feature[j]
            if fi == fj {
                let field = Int(fieldOf[Int(fi)])
                dots[field] += weight[i] * weight[j]
                shared[field] += 1
                i += 1
                j += 1
            } else if fi < fj {
                i += 1
            } else {
                j += 1
            }
        }
        func cosine(_ field: SimilarityField) -> Double? {
            let k = Int(field.rawValue)
            let norms = fieldNorm[x][k] * fieldNorm[y][k]
            guard norms > 0 else { return nil }
            return Self.rounded(Double(min(1, dots[k] / norms)))
        }
        var fields: [SimilarityField] = []
        var matched: [String] = []
        for field in SimilarityField.allCases {
            guard let value = cosine(field), value >= options.fieldMatch else { continue }
            fields.append(field)
            let a = NGrams.scalars(Self.text(programs[x], field) ?? "")
            let b = NGrams.scalars(Self.text(programs[y], field) ?? "")
            let gramName = options.gram(field) == 2 ? "bigrams" : options.gram(field) == 3 ? "trigrams" : "\(options.gram(field))-grams"
            var note = "\(field): \(shared[Int(field.rawValue)]) shared \(gramName)"
            if a == b {
                note += ", identical"
            } else {
                var run = NGrams.longestCommonRun(a, b)
                if run.count > 24 { run = String(run.prefix(24)) + "…" }
                if run.count >= 2 { note += " 「\(run)」" }
            }
            matched.append(note)
        }
        let (first, second) = programs[x].id < programs[y].id ? (x, y) : (y, x)
        return SimilarPair(
            a: programs[first].id, b: programs[second].id, score: Self.rounded(Double(min(1, score))),
            nameScore: cosine(.name) ?? 0, summaryScore: cosine(.summary), indicatorScore: cosine(.indicator),
            fields: fields, matched: matched)
    }

    private static func text(_ program: ProgramText, _ field: SimilarityField) -> String? {
        let text: String? = switch field {
        case .name: program.name
        case .summary: program.summary
        case .indicator: program.indicatorName
        }
        guard let text, !text.isEmpty, text != "—", text != "-" else { return nil }
        return text
    }

    private static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
