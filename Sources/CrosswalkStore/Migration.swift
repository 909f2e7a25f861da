import Postgres

/// One versioned SQL file of `SQL/migrations/`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies migrations in order, each in one transaction, and records each with a
/// checksum. An applied file whose text has since changed stops everything: the
/// database no longer matches what the code expects.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.embedded) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    public struct Outcome: Sendable, Equatable {
        public var applied: [String]
        public var alreadyApplied: Int
    }

    /// Applies what is pending. Concurrent migrators wait for each other. On a read-only
    /// database (a replica serving queries) nothing is written: every migration must already
    /// be applied on the primary, with the same checksum.
    @discardableResult
    public func migrate(_ pool: PostgresPool) async throws -> Outcome {
        let readOnly = try await pool.query("SELECT current_setting('transaction_read_only') = 'on' AS read_only")
            .first!.decode("read_only", as: Bool.self)
        if readOnly { return try await verifyApplied(pool) }
        return try await pool.withConnection { connection in
            try await connection.execute(script: """
                CREATE TABLE IF NOT EXISTS crosswalk_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            var outcome = Outcome(applied: [], alreadyApplied: 0)
            for migration in migrations {
                let applied = try await connection.transaction { connection -> Bool in
                    // One migrator at a time, across processes.
                    try await connection.query("SELECT pg_advisory_xact_lock($1)", [MigrationLock.key])
                    let checksum = try await connection.query(
                        "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS sum", [migration.sql]
                    ).first!.decode("sum", as: String.self)
                    let recorded = try await connection.query(
                        "SELECT checksum FROM crosswalk_migrations WHERE version = $1", [migration.version])
                    if let row = recorded.first {
                        let stored = try row.decode("checksum", as: String.self)
                        guard stored == checksum else {
                            throw MigrationError(
                                "migration \(migration.name) was applied with checksum \(stored.prefix(12))… but the file now has \(checksum.prefix(12))…: an applied migration must not change; add a new migration instead")
                        }
                        return false
                    }
                    do {
                        try await connection.execute(script: migration.sql)
                    } catch let error as PostgresError {
                        throw MigrationError("migration \(migration.name) failed: \(error.message)\(error.sqlState.map { " (SQLSTATE \($0))" } ?? "")")
                    }
                    try await connection.query(
                        "INSERT INTO crosswalk_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [migration.version, migration.name, checksum])
                    return true
                }
                if applied { outcome.applied.append(migration.name) } else { outcome.alreadyApplied += 1 }
            }
            return outcome
        }
    }
}

extension Migrator {
    /// The read-only path: compares the recorded migrations with the embedded ones.
    func verifyApplied(_ pool: PostgresPool) async throws -> Outcome {
        let exists = try await pool.query("SELECT to_regclass('crosswalk_migrations') IS NOT NULL AS present")
            .first!.decode("present", as: Bool.self)
        var recorded: [Int: String] = [:]
        if exists {
            for row in try await pool.query("SELECT version, checksum FROM crosswalk_migrations") {
                recorded[try row.decode("version", as: Int.self)] = try row.decode("checksum", as: String.self)
            }
        }
        var pending: [String] = []
        for migration in migrations {
            guard let stored = recorded[migration.version] else {
                pending.append(migration.name)
                continue
            }
            let checksum = try await pool.query(
                "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS sum", [migration.sql]
            ).first!.decode("sum", as: String.self)
            guard stored == checksum else {
                throw MigrationError("migration \(migration.name) was applied with checksum \(stored.prefix(12))… but this build has \(checksum.prefix(12))…")
            }
        }
        guard pending.isEmpty else {
            throw MigrationError("the database is read-only and \(pending.joined(separator: ", ")) \(pending.count == 1 ? "is" : "are") not applied: run `crosswalk migrate` against the primary first")
        }
        return Outcome(applied: [], alreadyApplied: migrations.count)
    }
}

enum MigrationLock {
    /// Advisory-lock key shared by every migrator ("crosswalk migrate").
    static let key: Int64 = 0x4357_4D49_4752
}

public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
