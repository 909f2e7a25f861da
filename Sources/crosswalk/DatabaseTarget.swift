import CrosswalkDaemon
import CrosswalkStore
import Foundation
import Postgres

/// Where the database is: the `database` setting, else the embedded cluster under
/// `data-dir`, created on first use.
struct DatabaseTarget {
    let conninfo: String?
    let dataDir: String
    let connections: Int
    /// Where the `database` setting came from (flag, environment, file), when given.
    let origin: Settings.Origin?

    init(settings: Settings) throws {
        conninfo = settings.text(.database)
        origin = settings.origin(.database)
        dataDir = settings.text(.dataDir) ?? ".crosswalk"
        connections = try settings.integer(.databaseConnections, in: 1...1000)
        if let conninfo, let origin = settings.origin(.database) {
            do {
                _ = try ConnectionString.describe(conninfo)
            } catch {
                throw SettingsError("\(origin): database is not a valid connection string: \(error)")
            }
        }
    }

    /// A database to use: its connection string, and the embedded cluster when this
    /// command started it (stop it when done, so a one-shot command leaves nothing running).
    struct Resolved {
        let conninfo: String
        let startedCluster: LocalCluster?

        /// Stops the embedded cluster this command started, unless another process (a
        /// daemon started meanwhile) is connected to it: that one now relies on it.
        func stopStartedCluster() async {
            guard let cluster = startedCluster else { return }
            let check = PostgresPool(conninfo: conninfo, maxConnections: 1)
            let others = try? await check.query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).first?.decode("n", as: Int.self)
            await check.shutdown()
            if let others, others > 0 {
                FileHandle.standardError.write(Data("crosswalk: left the embedded cluster running: \(others) other connection(s) use it\n".utf8))
                return
            }
            try? cluster.stop()
        }
    }

    /// The connection string to use, starting the embedded cluster when needed.
    func resolve() async throws -> Resolved {
        if let conninfo { return Resolved(conninfo: conninfo, startedCluster: nil) }
        let cluster = LocalCluster(directory: URL(fileURLWithPath: dataDir).appendingPathComponent("postgres"))
        let endpoint = try cluster.start()
        let resolved = Resolved(
            conninfo: endpoint.conninfo(database: EmbeddedDatabase.name), startedCluster: endpoint.startedNow ? cluster : nil)
        do {
            try await EmbeddedDatabase.ensure(named: EmbeddedDatabase.name, on: endpoint)
        } catch {
            await resolved.stopStartedCluster()
            throw error
        }
        return resolved
    }

    /// Where the database is, for logs: never the password.
    var description: String {
        guard let conninfo else { return "embedded cluster in \(dataDir)/postgres" }
        return (try? ConnectionString.describe(conninfo)) ?? "(unparsable connection string)"
    }

    /// The first line a one-shot command writes (standard error): which database it uses
    /// and why, so a missing environment file never goes unnoticed.
    var announcement: String {
        guard conninfo != nil else {
            let folder = URL(fileURLWithPath: dataDir).appendingPathComponent("postgres").standardizedFileURL.path
            return "crosswalk: database: the embedded cluster in \(folder) (no database setting: give --database, CROSSWALK_DATABASE or 'database =' to use another)"
        }
        return "crosswalk: database: \(description)" + (origin.map { " (from \($0))" } ?? "")
    }

    /// Runs `body` with a pool on the resolved database; closes the pool and stops an
    /// embedded cluster this command started, whatever happens.
    func withPool<T>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        FileHandle.standardError.write(Data((announcement + "\n").utf8))
        let resolved = try await resolve()
        let pool = PostgresPool(conninfo: resolved.conninfo, maxConnections: connections)
        do {
            let value = try await body(pool)
            await pool.shutdown()
            await resolved.stopStartedCluster()
            return value
        } catch {
            await pool.shutdown()
            await resolved.stopStartedCluster()
            throw error
        }
    }

    /// `withPool`, after applying pending migrations.
    func withMigratedPool<T>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        try await withPool { pool in
            try await Migrator().migrate(pool)
            return try await body(pool)
        }
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
