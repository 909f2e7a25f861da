import Foundation
import Postgres

/// One private PostgreSQL cluster per test process, started on first use and
/// destroyed when the process exits; each test gets a database of its own.
package enum TestDatabase {
    static let directory = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("crosswalk-tests-\(getpid())")

    static let cluster: Result<LocalCluster.Endpoint, any Error> = {
        let result = Result { try LocalCluster(directory: directory, durable: false).start() }
        atexit { try? LocalCluster(directory: TestDatabase.directory, durable: false).destroy() }
        return result
    }()

    /// The running test cluster.
    package static func endpoint() throws -> LocalCluster.Endpoint { try cluster.get() }

    /// Creates an empty database and returns its connection string.
    package static func create(_ label: String = #function) async throws -> String {
        let endpoint = try endpoint()
        let safeLabel = label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(30)
        let name = "t_\(safeLabel)_\(UInt32.random(in: 0...UInt32.max))"
        // A generated identifier, not a value: CREATE DATABASE takes no parameters.
        let admin = PostgresPool(conninfo: endpoint.conninfo, maxConnections: 1)
        do {
            try await admin.query("CREATE DATABASE \(name)")
            await admin.shutdown()
        } catch {
            await admin.shutdown()
            throw error
        }
        return endpoint.conninfo(database: name)
    }

    /// Creates a database and a pool on it; the pool is shut down after `body`.
    package static func withPool<T>(
        _ label: String = #function, maxConnections: Int = 4,
        _ body: (PostgresPool, String) async throws -> T
    ) async throws -> T {
        let conninfo = try await create(label)
        let pool = PostgresPool(conninfo: conninfo, maxConnections: maxConnections)
        do {
            let value = try await body(pool, conninfo)
            await pool.shutdown()
            return value
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
