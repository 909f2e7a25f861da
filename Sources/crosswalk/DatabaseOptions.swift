import ArgumentParser
import CrosswalkStore
import Foundation
import Postgres

/// Where the database is: `--database`, else CROSSWALK_DATABASE, else the embedded
/// cluster under `--data-dir`, created on first use.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("libpq connection string or postgresql:// URI (default: $CROSSWALK_DATABASE, else the embedded cluster).", valueName: "conninfo"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp("Folder of the embedded PostgreSQL cluster, used when no database is given.", valueName: "dir"))
    var dataDir: String = ".crosswalk"

    @Option(name: .long, help: "Maximum database connections.")
    var databaseConnections: Int = 8

    /// The connection string to use, starting the embedded cluster when needed.
    func resolve() async throws -> (conninfo: String, embedded: Bool) {
        if let given = database ?? ProcessInfo.processInfo.environment["CROSSWALK_DATABASE"], !given.isEmpty {
            _ = try ConnectionString.describe(given)
            return (given, false)
        }
        let cluster = LocalCluster(directory: URL(fileURLWithPath: dataDir).appendingPathComponent("postgres"))
        let endpoint = try cluster.start()
        try await EmbeddedDatabase.ensure(named: EmbeddedDatabase.name, on: endpoint)
        return (endpoint.conninfo(database: EmbeddedDatabase.name), true)
    }

    /// Where the database is, for logs: never the password.
    func describe() throws -> String {
        if let given = database ?? ProcessInfo.processInfo.environment["CROSSWALK_DATABASE"], !given.isEmpty {
            return try ConnectionString.describe(given)
        }
        return "embedded cluster in \(dataDir)/postgres"
    }

    /// A pool on the resolved database, with migrations applied.
    func openMigrated() async throws -> PostgresPool {
        let (conninfo, _) = try await resolve()
        let pool = PostgresPool(conninfo: conninfo, maxConnections: databaseConnections)
        do {
            try await Migrator().migrate(pool)
        } catch {
            await pool.shutdown()
            throw error
        }
        return pool
    }
}

enum EmbeddedDatabase {
    static let name = "crosswalk"

    static func ensure(named name: String, on endpoint: LocalCluster.Endpoint) async throws {
        let admin = PostgresPool(conninfo: endpoint.conninfo, maxConnections: 1)
        do {
            let exists = try await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).count > 0
            // A fixed identifier, not a value: CREATE DATABASE takes no parameters.
            if !exists { try await admin.query("CREATE DATABASE crosswalk") }
            await admin.shutdown()
        } catch {
            await admin.shutdown()
            throw error
        }
    }
}

/// Prints `crosswalk: error: …` on one line and exits with `code`.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let code: Int32

    init(_ description: String, code: Int32 = 2) {
        self.description = description
        self.code = code
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning any error into a one-line message and an exit code.
    func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("crosswalk: error: \(failure.description)\n".utf8))
            throw ExitCode(failure.code)
        } catch {
            let oneLine = "\(error)".replacingOccurrences(of: "\n", with: " | ")
            FileHandle.standardError.write(Data("crosswalk: error: \(oneLine)\n".utf8))
            throw ExitCode(2)
        }
    }
}
