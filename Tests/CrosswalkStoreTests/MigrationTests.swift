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

    func testEveryFileOfTheSQLFolderIsEmbeddedAsItIs() throws {
        let folder = Fixtures.sampleURL.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("SQL")
        func files(_ sub: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(sub).path)
                .filter { $0.hasSuffix(".sql") }.sorted()
        }
        XCTAssertEqual(try files("migrations"), Migration.embedded.map(\.name))
        XCTAssertEqual(try files("functions"), Definition.embedded.map(\.name))
        XCTAssertEqual(Migration.embedded.map(\.version), Array(1...Migration.embedded.count))
        for (sub, name, sql) in Migration.embedded.map({ ("migrations", $0.name, $0.sql) }) + Definition.embedded.map({ ("functions", $0.name, $0.sql) }) {
            let text = try String(contentsOf: folder.appendingPathComponent("\(sub)/\(name)"), encoding: .utf8)
            XCTAssertEqual(sql + "\n", text, "\(sub)/\(name)")
        }
    }

    /// Function files are applied after the migrations and again only when their text changes.
    func testAChangedFunctionFileIsAppliedAgainAndOnlyThen() async throws {
        try await TestDatabase.withPool { pool, _ in
            let first = try await Migrator().migrate(pool)
            XCTAssertEqual(first.definitionsApplied, Definition.embedded.map(\.name))
            let second = try await Migrator().migrate(pool)
            XCTAssertEqual(second.definitionsApplied, [])

            var changed = Definition.embedded
            let index = try XCTUnwrap(changed.firstIndex { $0.sql.contains("FUNCTION crosswalk_sync_lock_key()") })
            changed[index] = Definition(name: changed[index].name, sql: changed[index].sql + """

                CREATE OR REPLACE FUNCTION crosswalk_test_marker() RETURNS integer LANGUAGE sql AS $$ SELECT 42 $$;
                """)
            let third = try await Migrator(definitions: changed).migrate(pool)
            XCTAssertEqual(third.definitionsApplied, [changed[index].name])
            let marker = try await pool.count("SELECT crosswalk_test_marker() AS n")
            XCTAssertEqual(marker, 42)
        }
    }

    /// A failing function file leaves every function as it was: the files apply in one transaction.
    func testAFailingFunctionFileChangesNoFunction() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let broken = Definition.embedded.map { Definition(name: $0.name, sql: $0.sql + "\n-- edited\n") }
                + [Definition(name: "99_broken.sql", sql: "CREATE OR REPLACE FUNCTION crosswalk_broken() RETURNS integer LANGUAGE sql AS $$ SELECT no_such_column FROM sdg_goals $$;")]
            do {
                try await Migrator(definitions: broken).migrate(pool)
                XCTFail("a broken function file was accepted")
            } catch let error as MigrationError {
                XCTAssertTrue(error.description.contains("99_broken.sql"), error.description)
            }
            let changed = try await pool.count("SELECT count(*) AS n FROM crosswalk_definitions WHERE name = '99_broken.sql'")
            XCTAssertEqual(changed, 0)
            let again = try await Migrator().migrate(pool)
            XCTAssertEqual(again.definitionsApplied, [], "the recorded checksums were rolled back with the functions")
        }
    }

    /// An older build started on a database a newer release migrated keeps the newer functions.
    func testAnOlderBuildDoesNotReplaceANewerReleasesFunctions() async throws {
        try await TestDatabase.withPool { pool, _ in
            let newer = Migration.embedded + [Migration(version: 9999, name: "9999_future.sql", sql: "SELECT 1")]
            let newerFunctions = Definition.embedded.map { Definition(name: $0.name, sql: $0.sql + "\n-- newer\n") }
            try await Migrator(migrations: newer, definitions: newerFunctions).migrate(pool)
            let older = try await Migrator().migrate(pool)
            XCTAssertEqual(older.definitionsApplied, [])
        }
    }
}
