import Foundation
import Postgres

/// `SIMILAR [FY n]`: programs of a year that look alike by name, summary and
/// indicator — possible duplicates under different names or departments.
package struct SimilarAnswer: JSONAnswer, Codable, Sendable, Equatable {
    package typealias Program = ProgramRef

    package struct Pair: Codable, Sendable, Equatable {
        package var a: Program
        package var b: Program
        package var score: Double
        package var nameScore: Double
        package var summaryScore: Double?
        package var indicatorScore: Double?
        package var fields: [SimilarityField]
        package var matched: [String]

        enum CodingKeys: String, CodingKey {
            case a, b, score, fields, matched
            case nameScore = "name_score", summaryScore = "summary_score", indicatorScore = "indicator_score"
        }
    }

    /// nil only when the store holds no listings at all.
    package var fiscalYear: Int?
    package var threshold: Double
    package var method: String
    /// Distinct programs compared (a program listed under several policies is one).
    package var programs: Int
    /// Pairs above the threshold before `limit` cut the list.
    package var pairsFound: Int
    package var pairs: [Pair]

    enum CodingKeys: String, CodingKey {
        case threshold, method, programs, pairs
        case fiscalYear = "fiscal_year", pairsFound = "pairs_found"
    }

    package static let method = "character n-grams of NFKC-folded text (name bigrams, summary trigrams, indicator bigrams), "
        + "IDF-weighted, cosine with field weights name 0.4 / summary 0.45 / indicator 0.15; "
        + "candidates from an inverted n-gram index with AllPairs prefix filtering (no pair above the threshold is missed); "
        + "pairs are suggestions, never merged"

}

extension Analytics {
    /// Pairs of similar programs listed in `fiscalYear` (default: the newest year),
    /// best first, at most `limit` (nil: all). One query reads the year's programs;
    /// the comparison runs here, in `SimilarityIndex`, within each municipality: two
    /// cities' programs are never one program, so they are never paired.
    package func similar(fiscalYear: Int? = nil, threshold: Double? = nil, limit: Int? = 100,
                        options: SimilarityIndex.Options = SimilarityIndex.Options(),
                        municipality: String? = nil) async throws -> SimilarAnswer {
        let threshold = threshold ?? SimilarityIndex.defaultThreshold
        guard threshold > 0, threshold <= 1 else {
            throw PostgresError(kind: .statement, message: "threshold must be in (0, 1], not \(threshold)", sqlState: "22023")
        }
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        let rows = try await pool.query("SELECT * FROM crosswalk_program_texts($1, $2)", [fiscalYear, municipality])
        var year = fiscalYear
        var byMunicipality: [Int64: [ProgramText]] = [:]
        for row in rows {
            year = try row.decodeIfPresent("fiscal_year", as: Int.self) ?? year
            guard let id = try row.decodeIfPresent("id", as: Int64.self) else { continue }
            byMunicipality[try row.decode("municipality_id", as: Int64.self), default: []].append(ProgramText(
                id: id, name: try row.decode("name", as: String.self), department: try row.decode("department", as: String.self),
                summary: try row.decodeIfPresent("summary", as: String.self),
                indicatorName: try row.decodeIfPresent("indicator_name", as: String.self)))
        }
        var pairs: [SimilarPair] = []
        var pairsFound = 0
        var byID: [Int64: ProgramText] = [:]
        for texts in byMunicipality.values {
            let index = SimilarityIndex(texts, options: options)
            let scan = index.scan(threshold: threshold, limit: limit)
            pairs += scan.pairs
            pairsFound += scan.statistics.pairs
            for text in index.programs { byID[text.id] = byID[text.id] ?? text }
        }
        if byMunicipality.count > 1 {
            pairs.sort { $0.score != $1.score ? $0.score > $1.score : ($0.a, $0.b) < ($1.a, $1.b) }
            if let limit { pairs = Array(pairs.prefix(limit)) }
        }
        func program(_ id: Int64) -> SimilarAnswer.Program {
            let text = byID[id]!
            return SimilarAnswer.Program(id: id, name: text.name, department: text.department)
        }
        return SimilarAnswer(
            fiscalYear: year, threshold: threshold, method: SimilarAnswer.method, programs: byID.count,
            pairsFound: pairsFound,
            pairs: pairs.map {
                SimilarAnswer.Pair(a: program($0.a), b: program($0.b), score: $0.score, nameScore: $0.nameScore,
                                   summaryScore: $0.summaryScore, indicatorScore: $0.indicatorScore,
                                   fields: $0.fields, matched: $0.matched)
            })
    }
}
