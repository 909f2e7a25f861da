import CrosswalkModel
import Foundation
import Postgres

/// The questions users ask, answered by the SQL functions of
/// SQL/migrations/0004_analytics.sql. Each answer is JSON text, ready for the
/// protocol; `decode` turns it into a typed report where Swift needs one.
public struct Analytics: Sendable {
    public enum Mode: String, Sendable, CaseIterable, Codable {
        case gross, split
    }

    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func sdgReport(fiscalYear: Int?, amount: AmountKind = .settled, mode: Mode = .gross, organization: String? = nil) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_sdg_report($1, $2, $3, $4) AS answer", [fiscalYear, amount.rawValue, mode.rawValue, organization])
    }

    public func goalPrograms(goal: Int, fiscalYear: Int?) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_goal_programs($1, $2) AS answer", [goal, fiscalYear])
    }

    public func policies(fiscalYear: Int?) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_policies($1) AS answer", [fiscalYear])
    }

    /// A policy by code in either width (`II-3-(2)-②` or `II-3-(2)-2`); nil when unknown.
    public func policy(code: String) async throws -> PostgresJSON? {
        try await callOptional("SELECT crosswalk_policy($1) AS answer", [PolicyCode.key(code)])
    }

    /// A program by numeric id or by name (width, spaces and 再掲 markers ignored, by the
    /// identity key's own rule); nil when unknown.
    public func program(_ nameOrID: String) async throws -> PostgresJSON? {
        let id = Int64(nameOrID)
        return try await callOptional("SELECT crosswalk_program($1, $2) AS answer", [id, id == nil ? ProgramKey.nameKey(nameOrID) : nil])
    }

    public func search(_ text: String, limit: Int = 50) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_search($1, $2) AS answer", [text, limit])
    }

    public func duplicates(fiscalYear: Int?, amount: AmountKind = .settled) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_duplicates($1, $2) AS answer", [fiscalYear, amount.rawValue])
    }

    public func conflicts(fiscalYear: Int?) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_conflicts($1) AS answer", [fiscalYear])
    }

    /// Policy × SDG matrix: per policy, programs and amounts per goal.
    public func policyMatrix(fiscalYear: Int?, amount: AmountKind = .settled) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_policy_matrix($1, $2) AS answer", [fiscalYear, amount.rawValue])
    }

    /// Pairs of policies that list the same programs.
    public func policyOverlap(fiscalYear: Int?) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_policy_overlap($1) AS answer", [fiscalYear])
    }

    public func syncStatus(runs: Int = 5) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_sync_status($1) AS answer", [runs])
    }

    public func changes(since: Date?, limit: Int = 200) async throws -> PostgresJSON {
        try await call("SELECT crosswalk_changes($1, $2) AS answer", [since, limit])
    }

    /// The newest change id: answers computed at one generation hold until it moves.
    public func generation() async throws -> Int64 {
        try await pool.query("SELECT crosswalk_generation() AS generation").first!.decode("generation", as: Int64.self)
    }

    public func counts() async throws -> PostgresJSON {
        try await call("SELECT crosswalk_counts() AS answer")
    }

    private func call(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresJSON {
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

/// An answer computed in Swift, handed to the protocol as JSON like the SQL answers.
public protocol JSONAnswer: Encodable {}

extension JSONAnswer {
    /// The answer as JSON text (sorted keys, as PostgreSQL's answers are stable).
    public func json() throws -> PostgresJSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try PostgresJSON(encoding: self, encoder: encoder)
    }
}

/// A program as answers name it.
public struct ProgramRef: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var department: String

    public init(id: Int64, name: String, department: String) {
        self.id = id
        self.name = name
        self.department = department
    }
}
