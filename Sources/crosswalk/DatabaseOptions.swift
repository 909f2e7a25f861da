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

    /// A database to use: its connection string, and the embedded cluster when this
    /// command started it (stop it when done, so a one-shot command leaves nothing running).
    struct Resolved {
        let conninfo: String
        let startedCluster: LocalCluster?

        func stopStartedCluster() {
            try? startedCluster?.stop()
        }
    }

    /// The connection string to use, starting the embedded cluster when needed.
    func resolve() async throws -> Resolved {
        if let given = database ?? ProcessInfo.processInfo.environment["CROSSWALK_DATABASE"], !given.isEmpty {
            _ = try ConnectionString.describe(given)
            return Resolved(conninfo: given, startedCluster: nil)
        }
        let cluster = LocalCluster(directory: URL(fileURLWithPath: dataDir).appendingPathComponent("postgres"))
        let endpoint = try cluster.start()
        let resolved = Resolved(
            conninfo: endpoint.conninfo(database: EmbeddedDatabase.name), startedCluster: endpoint.startedNow ? cluster : nil)
        do {
            try await EmbeddedDatabase.ensure(named: EmbeddedDatabase.name, on: endpoint)
        } catch {
            resolved.stopStartedCluster()
            throw error
        }
        return resolved
    }

    /// Where the database is, for logs: never the password.
    func describe() throws -> String {
        if let given = database ?? ProcessInfo.processInfo.environment["CROSSWALK_DATABASE"], !given.isEmpty {
            return try ConnectionString.describe(given)
        }
        return "embedded cluster in \(dataDir)/postgres"
    }

    /// Runs `body` with a migrated pool on the resolved database; closes the pool and
    /// stops an embedded cluster this command started, whatever happens.
    func withMigratedPool<T>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        let resolved = try await resolve()
        let pool = PostgresPool(conninfo: resolved.conninfo, maxConnections: databaseConnections)
        do {
            try await Migrator().migrate(pool)
            let value = try await body(pool)
            await pool.shutdown()
            resolved.stopStartedCluster()
            return value
        } catch {
            await pool.shutdown()
            resolved.stopStartedCluster()
            throw error
        }
    }
}

/// The folders a sync reads, shared by `sync` and `serve`.
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder of published documents (recursive; repeatable).", valueName: "dir"))
    var source: [String] = []

    @Option(name: .long, help: "File-name pattern of the documents in the source folders.")
    var include: String = "*.txt"
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
