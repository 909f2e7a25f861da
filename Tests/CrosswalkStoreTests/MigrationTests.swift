import CrosswalkStore
import Foundation
import Postgres
import TestSupport
import XCTest

final class MigrationTests: XCTestCase {
    func testMigrationsCreateTheSchemaAndAreIdempotent() async throws {
        try await TestDatabase.withPool { pool, _ in
            let first = try await Migrator().migrate(pool)
            XCTAssertEqual(first.applied, Migration.embedded.map(\.name))
            let goals = try await pool.count("SELECT count(*) AS n FROM sdg_goals")
            XCTAssertEqual(goals, 17)
            let sixteen = try await pool.query("SELECT name_en, color FROM sdg_goals WHERE goal = $1", [16]).first!
            XCTAssertEqual(try sixteen.decode("name_en", as: String.self), "Peace, Justice and Strong Institutions")
            XCTAssertEqual(try sixteen.decode("color", as: String.self), "#00689D")

            let second = try await Migrator().migrate(pool)
            XCTAssertEqual(second.applied, [])
            XCTAssertEqual(second.alreadyApplied, Migration.embedded.count)
            let recorded = try await pool.count("SELECT count(*) AS n FROM crosswalk_migrations")
            XCTAssertEqual(recorded, Migration.embedded.count)
        }
    }

    func testAnEditedAppliedMigrationStopsStartUp() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            var edited = Migration.embedded
            edited[0] = Migration(version: edited[0].version, name: edited[0].name, sql: edited[0].sql + "\n-- edited\n")
            do {
                try await Migrator(migrations: edited).migrate(pool)
                XCTFail("an edited migration was accepted")
            } catch let error as MigrationError {
                XCTAssertTrue(error.description.contains("0001_sdg_goals.sql"), error.description)
                XCTAssertTrue(error.description.contains("must not change"), error.description)
            }
        }
    }

    func testAFailingMigrationRollsBackAndNamesTheFile() async throws {
        try await TestDatabase.withPool { pool, _ in
            let broken = Migration.embedded + [Migration(version: 9999, name: "9999_broken.sql", sql: "CREATE TABLE ok_part (id int); SELECT no_such_column FROM sdg_goals;")]
            do {
                try await Migrator(migrations: broken).migrate(pool)
                XCTFail("a broken migration was accepted")
            } catch let error as MigrationError {
                XCTAssertTrue(error.description.contains("9999_broken.sql"), error.description)
            }
            let leftovers = try await pool.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'ok_part'")
            XCTAssertEqual(leftovers, 0)
            let recorded = try await pool.count("SELECT count(*) AS n FROM crosswalk_migrations WHERE version = 9999")
            XCTAssertEqual(recorded, 0)
        }
    }

    /// A read replica cannot take writes or advisory locks: start-up checks instead of applying.
    func testReadOnlyDatabaseIsCheckedNotMigrated() async throws {
        try await TestDatabase.withPool { pool, conninfo in
            try await Migrator().migrate(pool)
            let readOnly = PostgresPool(conninfo: conninfo + " options='-c default_transaction_read_only=on'", maxConnections: 1)
            let outcome = try await Migrator().migrate(readOnly)
            XCTAssertEqual(outcome.applied, [])
            XCTAssertEqual(outcome.alreadyApplied, Migration.embedded.count)

            let newer = Migration.embedded + [Migration(version: 9999, name: "9999_future.sql", sql: "SELECT 1")]
            do {
                try await Migrator(migrations: newer).migrate(readOnly)
                XCTFail("a pending migration on a read-only database was not reported")
            } catch {
                XCTAssertTrue("\(error)".contains("read-only and 9999_future.sql is not applied"), "\(error)")
            }
            await readOnly.shutdown()
            let recorded = try await pool.count("SELECT count(*) AS n FROM crosswalk_migrations")
            XCTAssertEqual(recorded, Migration.embedded.count)
        }
    }

    func testEmbeddedMigrationsMatchTheSQLFolder() throws {
        let folder = Fixtures.sampleURL.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("SQL/migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        XCTAssertEqual(files, Migration.embedded.map(\.name), "run SQL/embed-migrations.py")
        for migration in Migration.embedded {
            let text = try String(contentsOf: folder.appendingPathComponent(migration.name), encoding: .utf8)
            XCTAssertEqual(text.trimmingCharacters(in: .newlines), migration.sql.trimmingCharacters(in: .newlines), "\(migration.name) differs from its embedded copy: run SQL/embed-migrations.py")
        }
    }
}
