import ArgumentParser
import CrosswalkDaemon
import CrosswalkStore
import Postgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (SQL/migrations, embedded in the binary)."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingErrors {
            let resolved = try await DatabaseTarget(settings: try loadSettings(common, database)).resolve()
            defer { resolved.stopStartedCluster() }
            let pool = PostgresPool(conninfo: resolved.conninfo, maxConnections: 1)
            let outcome: Migrator.Outcome
            do {
                outcome = try await Migrator().migrate(pool)
                await pool.shutdown()
            } catch {
                await pool.shutdown()
                throw error
            }
            if outcome.applied.isEmpty {
                print("migrations: up to date (\(outcome.alreadyApplied) applied before)")
            } else {
                print("migrations: applied \(outcome.applied.joined(separator: ", ")) (\(outcome.alreadyApplied) applied before)")
            }
        }
    }
}
