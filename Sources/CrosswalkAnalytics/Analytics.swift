package import CrosswalkModel
package import Foundation
package import Postgres

/// The questions users ask, answered by the SQL functions of
/// SQL/functions/30_analytics.sql. Each answer is JSON text, ready for the
/// protocol; `decode` turns it into a typed report where Swift needs one.
///
/// `municipality` (a name or 全国地方公共団体コード) limits an answer to one municipality;
/// nil answers over all of them, and the answer names those it covers.
package struct Analytics: Sendable {
    package enum Mode: String, Sendable, CaseIterable, Codable {
        case gross, split
    }

    let pool: PostgresPool

    package init(pool: PostgresPool) {
        self.pool = pool
    }

    package func sdgReport(
        fiscalYear: Int?, amount: AmountKind = .settled, mode: Mode = .gross, organization: String? = nil,
        municipality: String? = nil
    ) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: fiscalYear, organization: organization, municipality: municipality)
        return try await call(
            "SELECT crosswalk_sdg_report($1, $2, $3, $4, $5) AS answer",
            [fiscalYear, amount.rawValue, mode.rawValue, organization, municipality])
    }

    /// The gross SDG report without its program lists: the 17 goals (and the programs with
    /// none) with counts and amounts, a few KB where the full report lists every program.
    package func sdgSummary(fiscalYear: Int?, amount: AmountKind = .settled, municipality: String? = nil) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        return try await call(
            """
            SELECT r - 'goals' - 'no_goal'
                   || jsonb_build_object(
                       'goals', (SELECT jsonb_agg(g - 'program_list' ORDER BY n)
                                 FROM jsonb_array_elements(r->'goals') WITH ORDINALITY AS e(g, n)),
                       'no_goal', (r->'no_goal') - 'program_list') AS answer
            FROM crosswalk_sdg_report($1, $2, 'gross', NULL, $3) AS r
            """,
            [fiscalYear, amount.rawValue, municipality])
    }

    package func goalPrograms(goal: Int, fiscalYear: Int?, municipality: String? = nil) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        return try await call("SELECT crosswalk_goal_programs($1, $2, $3) AS answer", [goal, fiscalYear, municipality])
    }

    package func policies(fiscalYear: Int?, municipality: String? = nil) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        return try await call("SELECT crosswalk_policies($1, $2) AS answer", [fiscalYear, municipality])
    }

    /// A policy by code in either width (`II-3-(2)-②` or `II-3-(2)-2`); nil when unknown.
    package func policy(code: String, municipality: String? = nil) async throws -> PostgresJSON? {
        try await checkScope(fiscalYear: nil, municipality: municipality, byYear: false)
        return try await callOptional("SELECT crosswalk_policy($1, $2) AS answer", [PolicyCode.key(code), municipality])
    }

    /// A program by numeric id or by name (width, spaces and 再掲 markers ignored, by the
    /// identity key's own rule); nil when unknown.
    package func program(_ nameOrID: String, municipality: String? = nil) async throws -> PostgresJSON? {
        try await checkScope(fiscalYear: nil, municipality: municipality, byYear: false)
        let id = Int64(nameOrID)
        return try await callOptional(
            "SELECT crosswalk_program($1, $2, $3) AS answer", [id, id == nil ? ProgramKey.nameKey(nameOrID) : nil, municipality])
    }

    package func search(_ text: String, limit: Int = 50, municipality: String? = nil) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: nil, municipality: municipality, byYear: false)
        return try await call("SELECT crosswalk_search($1, $2, $3) AS answer", [text, limit, municipality])
    }

    package func duplicates(fiscalYear: Int?, amount: AmountKind = .settled, municipality: String? = nil) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        return try await call("SELECT crosswalk_duplicates($1, $2, $3) AS answer", [fiscalYear, amount.rawValue, municipality])
    }

    package func conflicts(fiscalYear: Int?, municipality: String? = nil) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        return try await call("SELECT crosswalk_conflicts($1, NULL, $2) AS answer", [fiscalYear, municipality])
    }

    /// Policy × SDG matrix: per policy, programs and amounts per goal.
    package func policyMatrix(fiscalYear: Int?, amount: AmountKind = .settled, municipality: String? = nil) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        return try await call("SELECT crosswalk_policy_matrix($1, $2, $3) AS answer", [fiscalYear, amount.rawValue, municipality])
    }

    /// Pairs of policies that list the same programs.
    package func policyOverlap(fiscalYear: Int?, municipality: String? = nil) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: fiscalYear, municipality: municipality)
        return try await call("SELECT crosswalk_policy_overlap($1, $2) AS answer", [fiscalYear, municipality])
    }

    /// The municipalities the store holds, with their organizations, documents, programs and years.
    package func municipalities() async throws -> PostgresJSON {
        try await checkScope(fiscalYear: nil, municipality: nil, byYear: false)
        return try await call("SELECT crosswalk_municipalities() AS answer")
    }

    /// The organizations with current documents (of one municipality, or of all).
    package func organizations(municipality: String? = nil) async throws -> PostgresJSON {
        try await checkScope(fiscalYear: nil, municipality: municipality, byYear: false)
        return try await call("SELECT crosswalk_organizations($1) AS answer", [municipality])
    }

    /// Never a silent empty answer: throws `PostgresError` with SQLSTATE `P0002`
    /// (`notFoundState`; the protocol's NOTFOUND) when the store holds nothing, the
    /// municipality or organization matches nothing, or the year has no listings in that
    /// scope; the message lists what there is. `byYear` false: a question not about one year.
    package func checkScope(fiscalYear: Int?, organization: String? = nil, municipality: String?, byYear: Bool = true) async throws {
        _ = try await pool.query(
            "SELECT crosswalk_check_scope($1, $2, $3, $4)", [fiscalYear, organization, municipality, byYear])
    }

    /// The SQLSTATE of "nothing there" (`no_data_found`), raised by `crosswalk_check_scope`.
    package static let notFoundState = "P0002"

    /// The last finished sync of the database, whoever ran it; nil before the first.
    package func lastSync() async throws -> LastSync? {
        let rows = try await pool.query("SELECT crosswalk_last_sync() AS answer")
        return try rows.first?.decodeIfPresent("answer", as: PostgresJSON.self)?.decode(LastSync.self)
    }

    package func syncStatus(runs: Int = 5) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_sync_status($1) AS answer", [runs])
    }

    package func changes(since: Date?, limit: Int = 200) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_changes($1, $2) AS answer", [since, limit])
    }

    /// The newest change id: answers computed at one generation hold until it moves.
    package func generation() async throws -> Int64 {
        try await pool.query("SELECT crosswalk_generation() AS generation").first!.decode("generation", as: Int64.self)
    }

    /// What the store holds now, for INFO and the metrics page.
    package func counts() async throws -> StoreCounts {
        try await call("SELECT crosswalk_counts() AS answer").decode(StoreCounts.self)
    }

    func call(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresJSON {
        guard let answer = try await callOptional(sql, parameters) else {
            throw PostgresError(kind: .statement, message: "no answer", statement: sql)
        }
        return answer
    }

    private func callOptional(_ sql: String, _ parameters: [any PostgresEncodable]) async throws -> PostgresJSON? {
        let rows = try await pool.query(sql, parameters)
        return try rows.first?.decodeIfPresent("answer", as: PostgresJSON.self)
    }
}

/// An answer computed in Swift. Its coding keys are the protocol's JSON keys, as in the SQL
/// answers; the daemon turns it into a reply directly (`ReplyValue(encodable:)`), and
/// `json()` gives the same answer as text for reports and tests.
package protocol JSONAnswer: Encodable {}

extension JSONAnswer {
    /// The answer as JSON text (sorted keys, as PostgreSQL's answers are stable).
    package func json() throws -> PostgresJSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try PostgresJSON(encoding: self, encoder: encoder)
    }
}

/// A program as answers name it.
package struct ProgramRef: Codable, Sendable, Equatable {
    package var id: Int64
    package var name: String
    package var department: String

    package init(id: Int64, name: String, department: String) {
        self.id = id
        self.name = name
        self.department = department
    }
}
