package import Postgres

/// Brings a database to this build's schema: first the pending migrations, each in one
/// transaction and recorded with a checksum, then the function definitions whose text
/// changed, all in one transaction. An applied migration whose text has since changed
/// stops everything: the database no longer matches what the code expects.
package struct Migrator: Sendable {
    package let migrations: [Migration]
    package let definitions: [Definition]

    package init(migrations: [Migration] = Migration.embedded, definitions: [Definition] = Definition.embedded) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.definitions = definitions.sorted { $0.name < $1.name }
    }

    package struct Outcome: Sendable, Equatable {
        /// Migrations applied now, by file name.
        package var applied: [String]
        package var alreadyApplied: Int
        /// Definition files applied now (new or changed), by file name.
        package var definitionsApplied: [String] = []
    }

    /// Applies what is pending. Concurrent migrators wait for each other. On a read-only
    /// database (a replica serving queries) nothing is written: every migration and
    /// definition must already be applied on the primary, with the same checksum.
    @discardableResult
    package func migrate(_ pool: PostgresPool) async throws -> Outcome {
        let readOnly = try await pool.query("SELECT current_setting('transaction_read_only') = 'on' AS read_only")
            .first!.decode("read_only", as: Bool.self)
        if readOnly { return try await verifyApplied(pool) }
        return try await pool.withConnection { connection in
            try await connection.execute(script: SQLFile.text("migrator.sql")!)
            var outcome = Outcome(applied: [], alreadyApplied: 0)
            for migration in migrations {
                if try await apply(migration, on: connection) {
                    outcome.applied.append(migration.name)
                } else {
                    outcome.alreadyApplied += 1
                }
            }
            outcome.definitionsApplied = try await applyDefinitions(on: connection)
            return outcome
        }
    }

    /// Applies one migration unless it is recorded; true when applied now.
    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws -> Bool {
        try await connection.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock($1)", [MigrationLock.key])
            let checksum = try await Self.checksum(migration.sql, on: connection)
            let recorded = try await connection.query(
                "SELECT checksum FROM crosswalk_migrations WHERE version = $1", [migration.version])
            if let row = recorded.first {
                let stored = try row.decode("checksum", as: String.self)
                if stored == checksum { return false }
                guard migration.previousChecksums.contains(stored) else {
                    throw MigrationError(
                        "migration \(migration.name) was applied with checksum \(stored.prefix(12))… but the file now has \(checksum.prefix(12))…: an applied migration must not change; add a new migration instead")
                }
                // Applied by an earlier release whose text the file names: record today's text.
                try await connection.query(
                    "UPDATE crosswalk_migrations SET name = $2, checksum = $3 WHERE version = $1",
                    [migration.version, migration.name, checksum])
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
    }

    /// Applies every definition file whose text differs from the one recorded, in one
    /// transaction. A database migrated by a newer release (it has migrations this build
    /// does not know) keeps its newer functions.
    private func applyDefinitions(on connection: PostgresConnection) async throws -> [String] {
        try await connection.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock($1)", [MigrationLock.key])
            guard try await !isNewerRelease(connection) else { return [] }
            let recorded = try await Self.recordedDefinitions(connection)
            var applied: [String] = []
            for definition in definitions {
                let checksum = try await Self.checksum(definition.sql, on: connection)
                guard recorded[definition.name] != checksum else { continue }
                do {
                    try await connection.execute(script: definition.sql)
                } catch let error as PostgresError {
                    throw MigrationError("functions \(definition.name) failed: \(error.message)\(error.sqlState.map { " (SQLSTATE \($0))" } ?? "")")
                }
                try await connection.query(
                    """
                    INSERT INTO crosswalk_definitions (name, checksum) VALUES ($1, $2)
                    ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()
                    """, [definition.name, checksum])
                applied.append(definition.name)
            }
            return applied
        }
    }

    private func isNewerRelease(_ connection: PostgresConnection) async throws -> Bool {
        let newest = try await connection.query("SELECT coalesce(max(version), 0) AS newest FROM crosswalk_migrations")
            .first!.decode("newest", as: Int.self)
        return newest > (migrations.last?.version ?? 0)
    }

    static func recordedDefinitions(_ connection: PostgresConnection) async throws -> [String: String] {
        var recorded: [String: String] = [:]
        for row in try await connection.query("SELECT name, checksum FROM crosswalk_definitions") {
            recorded[try row.decode("name", as: String.self)] = try row.decode("checksum", as: String.self)
        }
        return recorded
    }

    /// The checksum recorded for a text: sha256 of its UTF-8 bytes, in hex.
    static func checksum(_ sql: String, on connection: PostgresConnection) async throws -> String {
        try await connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS sum", [sql])
            .first!.decode("sum", as: String.self)
    }
}

extension Migrator {
    /// The read-only path: compares what the database recorded with what this build carries.
    func verifyApplied(_ pool: PostgresPool) async throws -> Outcome {
        try await pool.withConnection { connection in
            let exists = try await connection.query(
                "SELECT to_regclass('crosswalk_migrations') IS NOT NULL AND to_regclass('crosswalk_definitions') IS NOT NULL AS present"
            ).first!.decode("present", as: Bool.self)
            var recorded: [Int: String] = [:]
            var definitions: [String: String] = [:]
            if exists {
                for row in try await connection.query("SELECT version, checksum FROM crosswalk_migrations") {
                    recorded[try row.decode("version", as: Int.self)] = try row.decode("checksum", as: String.self)
                }
                definitions = try await Self.recordedDefinitions(connection)
            }
            var pending: [String] = []
            for migration in migrations {
                guard let stored = recorded[migration.version] else {
                    pending.append(migration.name)
                    continue
                }
                let checksum = try await Self.checksum(migration.sql, on: connection)
                guard stored == checksum || migration.previousChecksums.contains(stored) else {
                    throw MigrationError("migration \(migration.name) was applied with checksum \(stored.prefix(12))… but this build has \(checksum.prefix(12))…")
                }
            }
            if exists, try await !isNewerRelease(connection) {
                for definition in self.definitions {
                    let checksum = try await Self.checksum(definition.sql, on: connection)
                    if definitions[definition.name] != checksum { pending.append(definition.name) }
                }
            }
            guard pending.isEmpty else {
                throw MigrationError("the database is read-only and \(pending.joined(separator: ", ")) \(pending.count == 1 ? "is" : "are") not applied: run `crosswalk migrate` against the primary first")
            }
            return Outcome(applied: [], alreadyApplied: migrations.count)
        }
    }
}

enum MigrationLock {
    /// Advisory-lock key shared by every migrator ("crosswalk migrate").
    static let key: Int64 = 0x4357_4D49_4752
}

package struct MigrationError: Error, CustomStringConvertible, Sendable {
    package let description: String
    init(_ description: String) { self.description = description }
}
