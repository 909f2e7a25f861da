import ArgumentParser
import CrosswalkStore
import Postgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (SQL/migrations, embedded in the binary)."
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingErrors {
            let (conninfo, _) = try await database.resolve()
            let pool = PostgresPool(conninfo: conninfo, maxConnections: 1)
            defer { Task { await pool.shutdown() } }
            let outcome = try await Migrator().migrate(pool)
            if outcome.applied.isEmpty {
                print("migrations: up to date (\(outcome.alreadyApplied) applied before)")
            } else {
                print("migrations: applied \(outcome.applied.joined(separator: ", ")) (\(outcome.alreadyApplied) applied before)")
            }
            await pool.shutdown()
        }
    }
}
