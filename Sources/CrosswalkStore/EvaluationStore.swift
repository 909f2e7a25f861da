package import CrosswalkModel
import Foundation
package import Postgres

/// Writes parsed documents and sync bookkeeping through the SQL functions of
/// SQL/functions/10_sync_runs.sql and 20_apply_document.sql. Every call takes the
/// connection to run on, so a sync can keep its whole run (and its advisory lock) on
/// one connection.
package struct EvaluationStore: Sendable {
    package init() {}

    /// What applying one document changed.
    package struct ApplyOutcome: Codable, Sendable, Equatable {
        package var documentId: Int64
        package var added: Int
        package var changed: Int
        package var ended: Int
        package var unchanged: Int
    }

    /// A document as it is stored: its bytes' hash, the municipality it was filed under and
    /// the version of the reading rules it was read by.
    package struct StoredVersion: Sendable, Equatable {
        package var sha256: String
        package var municipality: Municipality?
        package var readerVersion: Int

        package init(sha256: String, municipality: Municipality?, readerVersion: Int) {
            self.sha256 = sha256
            self.municipality = municipality
            self.readerVersion = readerVersion
        }
    }

    /// The version now in force, by source path (ended documents excluded).
    package func currentVersions(_ connection: PostgresConnection) async throws -> [String: StoredVersion] {
        let rows = try await connection.query("SELECT * FROM crosswalk_document_versions()")
        var versions: [String: StoredVersion] = [:]
        for row in rows {
            let municipality = try row.decodeIfPresent("municipality", as: String.self).map {
                Municipality(name: $0, code: try row.decodeIfPresent("municipality_code", as: String.self))
            }
            versions[try row.decode("source")] = StoredVersion(
                sha256: try row.decode("sha256"), municipality: municipality, readerVersion: try row.decode("reader_version", as: Int.self))
        }
        return versions
    }

    package func beginRun(_ connection: PostgresConnection, trigger: String, sources: [String]) async throws -> Int64 {
        let rows = try await connection.query(
            "SELECT crosswalk_begin_run($1, $2::text[]) AS id", [trigger, PostgresTextArray(sources)])
        return try rows.first!.decode("id", as: Int64.self)
    }

    /// Records the run's counts so far, inside the caller's transaction (see
    /// `crosswalk_record_progress`).
    package func recordProgress(_ connection: PostgresConnection, run: Int64, summary: some Encodable) async throws {
        try await connection.query(
            "SELECT crosswalk_record_progress($1, $2::jsonb)", [run, try PostgresJSON(encoding: summary, encoder: Self.encoder)])
    }

    package func finishRun(_ connection: PostgresConnection, run: Int64, summary: some Encodable) async throws {
        try await connection.query(
            "SELECT crosswalk_finish_run($1, $2::jsonb)", [run, try PostgresJSON(encoding: summary, encoder: Self.encoder)])
    }

    package func reject(
        _ connection: PostgresConnection, run: Int64, source: String, sha256: String?, line: Int?,
        reason: String, excerpt: String?
    ) async throws {
        try await connection.query(
            "SELECT crosswalk_reject($1, $2, $3, $4, $5, $6)", [run, source, sha256, line, reason, excerpt])
    }

    /// Makes `document` the current version of its source, atomically inside the
    /// caller's transaction: a document that fails leaves nothing behind, and the
    /// failure comes back as a value.
    /// `readerVersion`: the version of the rules the document was read by (recorded with it).
    package func tryApply(
        _ connection: PostgresConnection, document: EvaluationDocument, run: Int64, readerVersion: Int
    ) async throws -> Result<ApplyOutcome, PostgresError> {
        try await tryApply(connection, json: try PostgresJSON(encoding: document, encoder: Self.encoder), run: run, readerVersion: readerVersion)
    }

    /// The same, for a document already encoded (a sync encodes the next documents while
    /// the database applies this one).
    package func tryApply(
        _ connection: PostgresConnection, json: PostgresJSON, run: Int64, readerVersion: Int
    ) async throws -> Result<ApplyOutcome, PostgresError> {
        try await tryApply(connection, documents: [json], run: run, readerVersion: readerVersion)[0]
    }

    /// Applies encoded documents in order, each atomically as above, sent in one pipeline:
    /// the database goes from one document to the next without waiting for the client.
    /// Throws only when the statement itself fails (the connection broke, it was cancelled).
    package func tryApply(
        _ connection: PostgresConnection, documents: [PostgresJSON], run: Int64, readerVersion: Int
    ) async throws -> [Result<ApplyOutcome, PostgresError>] {
        let sql = "SELECT crosswalk_try_apply_document($1::jsonb, $2, $3) AS outcome"
        let answers = try await connection.pipeline(documents.map { (sql, [$0, run, readerVersion]) })
        return try answers.map { answer in
            let outcome = try answer.get().first!.decode("outcome", as: PostgresJSON.self)
            if let failure = try? outcome.decode(ApplyFailure.self) {
                return .failure(PostgresError(kind: .statement, message: failure.error, sqlState: failure.sqlstate))
            }
            return .success(try outcome.decode(ApplyOutcome.self, decoder: EvaluationJSON.decoder()))
        }
    }

    private struct ApplyFailure: Decodable {
        let error: String
        let sqlstate: String?
    }

    /// Ends a document no longer found in its source; returns the listings ended.
    package func endDocument(_ connection: PostgresConnection, source: String, run: Int64) async throws -> Int {
        let rows = try await connection.query("SELECT crosswalk_end_document($1, $2) AS ended", [source, run])
        return try rows.first!.decode("ended", as: Int.self)
    }

    static let encoder: JSONEncoder = EvaluationJSON.encoder(pretty: false)
}
