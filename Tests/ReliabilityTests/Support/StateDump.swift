import XCTest
import Postgres

/// Every row of the store as comparable text, so two databases can be compared row
/// for row although they got there by different runs.
///
/// Serial ids are replaced by natural keys (a document by its source path, a program by
/// its identity key, a policy by its code key, a listing by document + program + policy +
/// fiscal year + whether it has ended): sequences advance in transactions that roll back,
/// so the same row gets another id in another database. Left out, and why:
/// - timestamps (`first_synced_at`, `synced_at`, `ended_at`, `changes.at`,
///   `rejects.created_at`): when a row was written, not what it says; `ended_at` is kept
///   as "ended or not".
/// - run ids (`documents.run_id`, `ended_run_id`, `added_run_id`, `changed_run_id`,
///   `changes.run_id`, `rejects.run_id`): work cut off by a kill is finished by the next
///   run, so it is credited to another run number; `changed_run_id` is kept as
///   "changed or not".
/// - `sync_runs`: one row per run, and a killed database has more runs than a clean
///   one; the tests check those rows on their own (every one ends in a terminal status).
/// - `rejects` keep one row per distinct (source, hash, line, reason, excerpt): a
///   rejected version is never stored, so every run reads it again and records it
///   again, and a killed run may have committed its copy before dying.
struct StateDump: Equatable {
    enum Scope { case full, current }

    /// A table's rows, counted and hashed in PostgreSQL (sorted, then md5), so large
    /// stores compare without shipping every row; `differences` fetches rows on failure.
    struct Digest: Equatable {
        var rows: Int
        var md5: String
    }

    var tables: [String: Digest]
    /// Per document source: the hash of its rows in every per-document table (its
    /// document row, listings, SDG links, indicators, amounts, policy evaluations and
    /// history), so a document can be checked whole.
    var documents: [String: String]

    static let empty = StateDump(tables: [:], documents: [:])

    var rowCount: Int { tables.values.reduce(0) { $0 + $1.rows } }

    /// Everything, history included (`.full`), or what is in force now (`.current`):
    /// current documents and listings with their SDG links, indicators, amounts and
    /// policy evaluations. Besides the history (ended rows, `changes`, rejects), `.current`
    /// leaves out the shared `programs` and `policies` rows themselves: a program keeps the
    /// name, summary and first/last fiscal year of every document ever read (ended ones
    /// included), so after a document is deleted they legitimately differ from a database
    /// that never saw it. What a current listing says of its program and policy is in its
    /// snapshot, which is compared.
    static func read(_ pool: PostgresPool, _ scope: Scope) async throws -> StateDump {
        let queries = scope == .full ? fullQueries : currentQueries
        var dump = StateDump.empty
        for (table, sql) in queries {
            let row = try await pool.query(listingKeys + """
                SELECT count(*)::int AS n, coalesce(md5(string_agg(s, E'\\n' ORDER BY s)), '') AS h FROM (\(sql)) q
                """).first!
            dump.tables[table] = Digest(rows: try row.decode("n", as: Int.self), md5: try row.decode("h", as: String.self))
        }
        let perDocument = queries.map { table, sql in "SELECT src, '\(table) ' || s AS s FROM (\(sql)) q WHERE src IS NOT NULL" }
        for row in try await pool.query(listingKeys + """
            SELECT src, md5(string_agg(s, E'\\n' ORDER BY s)) AS h FROM (\(perDocument.joined(separator: " UNION ALL "))) q GROUP BY src
            """) {
            dump.documents[try row.decode("src", as: String.self)] = try row.decode("h", as: String.self)
        }
        return dump
    }

    /// `.full`, or nothing when the store's tables do not exist yet (a sync killed
    /// before its migrations created them).
    static func fullIfMigrated(_ pool: PostgresPool) async throws -> StateDump {
        let migrated = try await pool.query("SELECT to_regclass('public.changes') IS NOT NULL AS migrated").first!
            .decode("migrated", as: Bool.self)
        return migrated ? try await read(pool, .full) : .empty
    }

    /// For a failure message: per table that differs, the first rows only one side has.
    static func differences(_ mine: PostgresPool, _ theirs: PostgresPool, _ scope: Scope, limit: Int = 4) async throws -> String {
        var found: [String] = []
        for (table, sql) in scope == .full ? fullQueries : currentQueries {
            let a = try await rows(mine, sql), b = try await rows(theirs, sql)
            guard a != b else { continue }
            found.append("\(table): \(a.count) rows vs \(b.count); only here: \(multisetMinus(a, b).prefix(limit)); only there: \(multisetMinus(b, a).prefix(limit))")
        }
        return found.joined(separator: "\n")
    }

    private static func rows(_ pool: PostgresPool, _ sql: String) async throws -> [String] {
        try await pool.query(listingKeys + sql).map { try $0.decode("s", as: String.self) }.sorted()
    }

    private static func multisetMinus(_ a: [String], _ b: [String]) -> [String] {
        var counts: [String: Int] = [:]
        for row in b { counts[row, default: 0] += 1 }
        return a.filter { row in
            guard let n = counts[row], n > 0 else { return true }
            counts[row] = n - 1
            return false
        }
    }

    /// Each listing's natural key (`k`) and its document's source; `current` says whether
    /// both the listing and its document are in force.
    private static let listingKeys = """
        WITH lk AS (
            SELECT l.id, d.source, l.ended_at IS NULL AND d.ended_at IS NULL AS current,
                   jsonb_build_array(d.source, pr.identity_key, po.code_key, l.fiscal_year, l.ended_at IS NOT NULL) AS k,
                   jsonb_build_array(d.source, pr.identity_key, po.code_key, l.fiscal_year) AS ck
            FROM listings l JOIN documents d ON d.id = l.document_id
            JOIN programs pr ON pr.id = l.program_id JOIN policies po ON po.id = l.policy_id
        )

        """

    private static let fullQueries: [(String, String)] = [
        ("organizations", "SELECT NULL::text AS src, jsonb_build_array(name)::text AS s FROM organizations"),
        ("documents", """
            SELECT d.source AS src, jsonb_build_array(d.source, d.sha256, d.encoding, d.fiscal_year, o.name, d.warnings,
                   d.ended_at IS NOT NULL)::text AS s
            FROM documents d JOIN organizations o ON o.id = d.organization_id
            """),
        ("policies", "SELECT NULL::text AS src, jsonb_build_array(code, code_key, name)::text AS s FROM policies"),
        ("policy_evaluations", """
            SELECT d.source AS src, jsonb_build_array(d.source, po.code_key, e.fiscal_year, e.grade, e.evaluation_text, e.lines)::text AS s
            FROM policy_evaluations e JOIN documents d ON d.id = e.document_id JOIN policies po ON po.id = e.policy_id
            """),
        ("programs", """
            SELECT NULL::text AS src, jsonb_build_array(identity_key, name, department, former_department, summary,
                   first_fiscal_year, last_fiscal_year)::text AS s FROM programs
            """),
        ("listings", """
            SELECT lk.source AS src, jsonb_build_array(lk.k, l.row_no, l.relisted, l.grade, l.grade_reason, l.lines, l.snapshot,
                   l.changed_run_id IS NOT NULL)::text AS s
            FROM listings l JOIN lk ON lk.id = l.id
            """),
        ("listing_goals", "SELECT lk.source AS src, jsonb_build_array(lk.k, g.goal)::text AS s FROM listing_goals g JOIN lk ON lk.id = g.listing_id"),
        ("indicators", """
            SELECT lk.source AS src, jsonb_build_array(lk.k, i.name, i.name_inferred, i.baseline, i.midterm_target)::text AS s
            FROM indicators i JOIN lk ON lk.id = i.listing_id
            """),
        ("indicator_values", """
            SELECT lk.source AS src, jsonb_build_array(lk.k, v.fiscal_year, v.kind, v.text, v.number, v.unit)::text AS s
            FROM indicator_values v JOIN lk ON lk.id = v.listing_id
            """),
        ("amounts", """
            SELECT d.source AS src, jsonb_build_array(d.source, pr.identity_key, a.fiscal_year, a.kind, a.thousand_yen)::text AS s
            FROM amounts a JOIN documents d ON d.id = a.document_id JOIN programs pr ON pr.id = a.program_id
            """),
        ("changes", """
            SELECT d.source AS src, jsonb_build_array(c.entity, c.action, d.source, lk.k, c.summary, c.old_value, c.new_value)::text AS s
            FROM changes c LEFT JOIN documents d ON d.id = c.document_id LEFT JOIN lk ON lk.id = c.listing_id
            """),
        ("rejects", """
            SELECT DISTINCT NULL::text AS src, jsonb_build_array(source, sha256, line, reason, excerpt)::text AS s FROM rejects
            """),
    ]

    private static let currentQueries: [(String, String)] = [
        ("documents", """
            SELECT d.source AS src, jsonb_build_array(d.source, d.sha256, d.encoding, d.fiscal_year, o.name, d.warnings)::text AS s
            FROM documents d JOIN organizations o ON o.id = d.organization_id WHERE d.ended_at IS NULL
            """),
        ("policy_evaluations", """
            SELECT d.source AS src, jsonb_build_array(d.source, po.code_key, e.fiscal_year, e.grade, e.evaluation_text, e.lines)::text AS s
            FROM policy_evaluations e JOIN documents d ON d.id = e.document_id JOIN policies po ON po.id = e.policy_id
            WHERE d.ended_at IS NULL
            """),
        ("listings", """
            SELECT lk.source AS src, jsonb_build_array(lk.ck, l.row_no, l.relisted, l.grade, l.grade_reason, l.lines, l.snapshot)::text AS s
            FROM listings l JOIN lk ON lk.id = l.id WHERE lk.current
            """),
        ("listing_goals", """
            SELECT lk.source AS src, jsonb_build_array(lk.ck, g.goal)::text AS s FROM listing_goals g JOIN lk ON lk.id = g.listing_id
            WHERE lk.current
            """),
        ("indicators", """
            SELECT lk.source AS src, jsonb_build_array(lk.ck, i.name, i.name_inferred, i.baseline, i.midterm_target)::text AS s
            FROM indicators i JOIN lk ON lk.id = i.listing_id WHERE lk.current
            """),
        ("indicator_values", """
            SELECT lk.source AS src, jsonb_build_array(lk.ck, v.fiscal_year, v.kind, v.text, v.number, v.unit)::text AS s
            FROM indicator_values v JOIN lk ON lk.id = v.listing_id WHERE lk.current
            """),
        ("amounts", """
            SELECT d.source AS src, jsonb_build_array(d.source, pr.identity_key, a.fiscal_year, a.kind, a.thousand_yen)::text AS s
            FROM amounts a JOIN documents d ON d.id = a.document_id JOIN programs pr ON pr.id = a.program_id
            WHERE d.ended_at IS NULL
            """),
    ]
}

/// Asserts that two stores hold the same rows (history included, or what is current);
/// on failure names rows only one side has. Returns both digests.
@discardableResult
func assertSameRows(
    _ mine: PostgresPool, as theirs: PostgresPool, _ scope: StateDump.Scope, _ what: String,
    file: StaticString = #filePath, line: UInt = #line
) async throws -> (mine: StateDump, theirs: StateDump) {
    let a = try await StateDump.read(mine, scope), b = try await StateDump.read(theirs, scope)
    if a.tables != b.tables {
        XCTFail("\(what): the rows differ:\n\(try await StateDump.differences(mine, theirs, scope))", file: file, line: line)
    }
    return (a, b)
}
