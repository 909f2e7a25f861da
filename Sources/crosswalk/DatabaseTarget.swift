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

    init(settings: Settings) throws {
        conninfo = settings.text(.database)
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

        func stopStartedCluster() {
            try? startedCluster?.stop()
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
            resolved.stopStartedCluster()
            throw error
        }
        return resolved
    }

    /// Where the database is, for logs: never the password.
    var description: String {
        guard let conninfo else { return "embedded cluster in \(dataDir)/postgres" }
        return (try? ConnectionString.describe(conninfo)) ?? "(unparsable connection string)"
    }

    /// Runs `body` with a migrated pool on the resolved database; closes the pool and
    /// stops an embedded cluster this command started, whatever happens.
    func withMigratedPool<T>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        let resolved = try await resolve()
        let pool = PostgresPool(conninfo: resolved.conninfo, maxConnections: connections)
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
