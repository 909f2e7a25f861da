package import CrosswalkModel
import Foundation
package import Postgres

/// A program that ended and a new one that looks like it: perhaps renamed or moved to
/// another department. A suggestion for a person to check, never merged.
package struct RenamedCandidate: Codable, Sendable, Equatable {
    package var ended: ProgramRef
    package var new: ProgramRef
    package var score: Double
    package var nameScore: Double
    package var summaryScore: Double?
    package var indicatorScore: Double?
    /// Fields alike on their own, and what matched in each (as SIMILAR says it).
    package var fields: [SimilarityField]
    package var matched: [String]
    package var sameName: Bool
    package var sameDepartment: Bool
    // Keys are written snake_case by the encoder's strategy (`name_score`), so the
    // report's snake_case decoder reads them back.
}

extension Analytics {
    /// `COMPARE FY a FY b`: programs new, ended and continuing, renamed or moved
    /// candidates, grades, indicators, goals per program and per goal
    /// (SQL/functions/37_compare.sql). The candidates are scored here and handed to
    /// the SQL answer, which stays the one place the answer is written.
    package func compare(
        from: Int, to: Int, amount: AmountKind = .settled, organization: String? = nil, municipality: String? = nil,
        threshold: Double = SimilarityIndex.defaultThreshold
    ) async throws -> PostgresJSON {
        // Both years must hold listings: a missing year would read as "every program new".
        // A pair out of order is crosswalk_compare's own error, checked before any data.
        for year in [from, to] where from < to {
            try await checkScope(fiscalYear: year, organization: organization, municipality: municipality)
        }
        let candidates = try await renamedCandidates(from: from, to: to, organization: organization, municipality: municipality,
                                                     threshold: threshold)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try await call(
            "SELECT crosswalk_compare($1, $2, $3, $4, $5, $6) AS answer",
            [from, to, amount.rawValue, organization, municipality, try PostgresJSON(encoding: candidates, encoder: encoder)])
    }

    /// Pairs of one ended and one new program scoring at least `threshold`, best first.
    /// Every program listed in either year goes into the index, so that n-grams common in
    /// the city's texts weigh little; pairs stay within one municipality.
    package func renamedCandidates(
        from: Int, to: Int, organization: String?, municipality: String?, threshold: Double
    ) async throws -> [RenamedCandidate] {
        let rows = try await pool.query("SELECT * FROM crosswalk_compare_texts($1, $2, $3, $4)", [from, to, organization, municipality])
        var byMunicipality: [Int64: [ProgramText]] = [:]
        var side: [Int64: String] = [:]
        for row in rows {
            let id = try row.decode("id", as: Int64.self)
            side[id] = try row.decode("side", as: String.self)
            byMunicipality[try row.decode("municipality_id", as: Int64.self), default: []].append(ProgramText(
                id: id, name: try row.decode("name", as: String.self), department: try row.decode("department", as: String.self),
                summary: try row.decodeIfPresent("summary", as: String.self),
                indicatorName: try row.decodeIfPresent("indicator_name", as: String.self)))
        }
        var candidates: [RenamedCandidate] = []
        for texts in byMunicipality.values where texts.contains(where: { side[$0.id] == "ended" }) && texts.contains(where: { side[$0.id] == "new" }) {
            let index = SimilarityIndex(texts)
            let byID = Dictionary(texts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let endedIDs = Set(texts.lazy.filter { side[$0.id] == "ended" }.map(\.id))
            let newIDs = Set(texts.lazy.filter { side[$0.id] == "new" }.map(\.id))
            let candidatePair = { (a: Int64, b: Int64) in
                (endedIDs.contains(a) && newIDs.contains(b)) || (newIDs.contains(a) && endedIDs.contains(b))
            }
            for pair in index.pairs(threshold: threshold, including: candidatePair) {
                let ended: Int64, new: Int64
                switch (side[pair.a], side[pair.b]) {
                case ("ended", "new"): (ended, new) = (pair.a, pair.b)
                case ("new", "ended"): (ended, new) = (pair.b, pair.a)
                default: continue
                }
                let a = byID[ended]!, b = byID[new]!
                candidates.append(RenamedCandidate(
                    ended: ProgramRef(id: a.id, name: a.name, department: a.department),
                    new: ProgramRef(id: b.id, name: b.name, department: b.department),
                    score: pair.score, nameScore: pair.nameScore, summaryScore: pair.summaryScore, indicatorScore: pair.indicatorScore,
                    fields: pair.fields, matched: pair.matched,
                    sameName: TextKey.fold(a.name) == TextKey.fold(b.name),
                    sameDepartment: TextKey.fold(a.department) == TextKey.fold(b.department)))
            }
        }
        return candidates.sorted { $0.score != $1.score ? $0.score > $1.score : ($0.ended.id, $0.new.id) < ($1.ended.id, $1.new.id) }
    }
}
