import ArgumentParser
import CrosswalkDaemon
import CrosswalkStore
import Postgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (SQL/migrations and SQL/functions, embedded in the binary)."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingErrors {
            let target = try DatabaseTarget(settings: try loadSettings(common, database))
            let outcome = try await target.withPool { pool in try await Migrator().migrate(pool) }
            if outcome.applied.isEmpty {
                print("migrations: up to date (\(outcome.alreadyApplied) applied before)")
            } else {
                print("migrations: applied \(outcome.applied.joined(separator: ", ")) (\(outcome.alreadyApplied) applied before)")
            }
            if !outcome.definitionsApplied.isEmpty {
                print("functions: applied \(outcome.definitionsApplied.joined(separator: ", "))")
            }
        }
    }
}
