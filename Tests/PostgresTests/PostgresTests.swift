import Foundation
import Postgres
import TestSupport
import XCTest

final class PostgresTests: XCTestCase {
    func testEveryTypeRoundTrips() async throws {
        try await TestDatabase.withPool { pool, _ in
            let moment = Date(timeIntervalSince1970: 1_700_000_000.25)
            let rows = try await pool.query(
                "SELECT $1::text AS t, $2::int AS i, $3::bigint AS b, $4::numeric AS n, $5::float8 AS f, $6::bool AS ok, $7::int[] AS goals, $8::timestamptz AS at, $9::jsonb AS doc",
                ["デジタル 'quoted' \\ \t", 42, Int64(9_000_000_000), Decimal(string: "19027.5")!, 0.125, true, [11, 16], moment, PostgresJSON(text: #"{"a": [1, 2]}"#)]
            )
            let row = try XCTUnwrap(rows.first)
            XCTAssertEqual(try row.decode("t", as: String.self), "デジタル 'quoted' \\ \t")
            XCTAssertEqual(try row.decode("i", as: Int.self), 42)
            XCTAssertEqual(try row.decode("b", as: Int64.self), 9_000_000_000)
            XCTAssertEqual(try row.decode("n", as: Decimal.self), Decimal(string: "19027.5"))
            XCTAssertEqual(try row.decode("f", as: Double.self), 0.125)
            XCTAssertEqual(try row.decode("ok", as: Bool.self), true)
            XCTAssertEqual(try row.decode("goals", as: [Int].self), [11, 16])
            XCTAssertEqual(try row.decode("at", as: Date.self).timeIntervalSince1970, moment.timeIntervalSince1970, accuracy: 0.001)
            struct Doc: Decodable, Equatable { let a: [Int] }
            XCTAssertEqual(try row.decode("doc", as: PostgresJSON.self).decode(Doc.self), Doc(a: [1, 2]))
        }
    }

    func testNullsDecodeAsNilAndNonOptionalDecodingNamesTheColumn() async throws {
        try await TestDatabase.withPool { pool, _ in
            let rows = try await pool.query("SELECT $1::int AS missing, 'abc'::text AS word", [Int?.none])
            let row = try XCTUnwrap(rows.first)
            XCTAssertNil(try row.decodeIfPresent("missing", as: Int.self))
            XCTAssertThrowsError(try row.decode("missing", as: Int.self)) { error in
                XCTAssertTrue("\(error)".contains("\"missing\" is NULL"), "\(error)")
            }
            XCTAssertThrowsError(try row.decode("word", as: Int.self)) { error in
                XCTAssertTrue("\(error)".contains("column \"word\""), "\(error)")
            }
            XCTAssertThrowsError(try row.decode("nope", as: Int.self)) { error in
                XCTAssertTrue("\(error)".contains("no column \"nope\""), "\(error)")
            }
        }
    }

    func testFailingStatementCarriesSQLStateAndStatementButNotValues() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.query("CREATE TABLE t (id int PRIMARY KEY)")
            try await pool.query("INSERT INTO t VALUES ($1)", [1])
            do {
                try await pool.query("INSERT INTO t VALUES ($1)", [1])
                XCTFail("duplicate key accepted")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, "23505")
                XCTAssertEqual(error.kind, .statement)
                XCTAssertEqual(error.statement, "INSERT INTO t VALUES ($1)")
                XCTAssertNotNil(error.detail)
            }
            // The failing statement is named by its text with placeholders, never its values.
            do {
                try await pool.query("SELECT $1::int", ["s3cret-token"])
                XCTFail("bad integer accepted")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, "22P02")
                XCTAssertEqual(error.statement, "SELECT $1::int")
            }
        }
    }

    func testTransactionRollsBackWhenBodyThrows() async throws {
        struct Boom: Error {}
        try await TestDatabase.withPool { pool, _ in
            try await pool.query("CREATE TABLE t (v int)")
            do {
                try await pool.transaction { connection in
                    try await connection.query("INSERT INTO t VALUES ($1)", [1])
                    throw Boom()
                }
                XCTFail("body error swallowed")
            } catch is Boom {}
            try await pool.transaction { connection in
                try await connection.query("INSERT INTO t VALUES ($1)", [2])
            }
            let values = try await pool.query("SELECT v FROM t ORDER BY v").map { try $0.decode("v", as: Int.self) }
            XCTAssertEqual(values, [2])
        }
    }

    func testCopyLoadsOneHundredThousandRows() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await pool.query("CREATE TABLE t (id int, label text, note text)")
            let rows = (1...100_000).lazy.map { id -> [String?] in
                [String(id), "行\(id)\twith tab\\", id % 10 == 0 ? nil : "line\nbreak"]
            }
            let copied = try await pool.withConnection { try await $0.copy("COPY t (id, label, note) FROM STDIN", rows: Array(rows)) }
            XCTAssertEqual(copied, 100_000)
            let summary = try await pool.query("SELECT count(*) AS n, count(note) AS notes, max(id) AS top FROM t")
            let row = try XCTUnwrap(summary.first)
            XCTAssertEqual(try row.decode("n", as: Int.self), 100_000)
            XCTAssertEqual(try row.decode("notes", as: Int.self), 90_000)
            XCTAssertEqual(try row.decode("top", as: Int.self), 100_000)
            let seventh = try await pool.query("SELECT label, note FROM t WHERE id = $1", [7])
            let sample = try XCTUnwrap(seventh.first)
            XCTAssertEqual(try sample.decode("label", as: String.self), "行7\twith tab\\")
            XCTAssertEqual(try sample.decode("note", as: String.self), "line\nbreak")
        }
    }

    func testCopyErrorIsReportedAndConnectionStaysUsable() async throws {
        try await TestDatabase.withPool(maxConnections: 1) { pool, _ in
            try await pool.query("CREATE TABLE t (id int)")
            do {
                try await pool.withConnection { try await $0.copy("COPY t (id) FROM STDIN", rows: [["1"], ["not a number"]]) }
                XCTFail("bad COPY row accepted")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, "22P02")
            }
            let count = try await pool.query("SELECT count(*) AS n FROM t").first?.decode("n", as: Int.self)
            XCTAssertEqual(count, 0)
        }
    }

    func testPipelineAnswersInOrderAndStopsAtTheFirstFailure() async throws {
        try await TestDatabase.withPool(maxConnections: 1) { pool, _ in
            try await pool.query("CREATE TABLE t (id int PRIMARY KEY)")
            let insert = "INSERT INTO t VALUES ($1) RETURNING id * 10 AS tenfold"
            let answers = try await pool.withConnection { connection in
                try await connection.transaction { connection in
                    try await connection.pipeline([(insert, [1]), (insert, [2]), (insert, [1]), (insert, [3])])
                }
            }
            XCTAssertEqual(answers.count, 4)
            XCTAssertEqual(try answers[0].get().first?.decode("tenfold", as: Int.self), 10)
            XCTAssertEqual(try answers[1].get().first?.decode("tenfold", as: Int.self), 20)
            XCTAssertThrowsError(try answers[2].get()) { error in
                XCTAssertEqual((error as? PostgresError)?.sqlState, "23505", "the duplicate key is the failure: \(error)")
            }
            XCTAssertThrowsError(try answers[3].get()) { error in
                XCTAssertTrue("\(error)".contains("not run"), "after a failure the rest is not run: \(error)")
            }
            // The failed transaction committed nothing, and the connection serves the next statement.
            try await pool.withConnection { connection in
                let counted = try await connection.pipeline([("SELECT count(*) AS n FROM t", [])])
                XCTAssertEqual(try counted[0].get().first?.decode("n", as: Int.self), 0)
                try await connection.query("INSERT INTO t VALUES ($1)", [5])
            }
            let count = try await pool.query("SELECT count(*) AS n FROM t").first?.decode("n", as: Int.self)
            XCTAssertEqual(count, 1)
        }
    }

    func testPoolExhaustionWaitsRatherThanFails() async throws {
        try await TestDatabase.withPool(maxConnections: 2) { pool, _ in
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            try await connection.query("SELECT pg_sleep(0.2)")
                            return index
                        }
                    }
                }
                var done: [Int] = []
                for try await index in group { done.append(index) }
                return done
            }
            XCTAssertEqual(results.sorted(), [0, 1, 2, 3, 4, 5])
            let open = await pool.openConnections()
            XCTAssertLessThanOrEqual(open, 2)
        }
    }

    func testPoolGivesUpAfterItsWaitLimit() async throws {
        let conninfo = try await TestDatabase.create()
        let pool = PostgresPool(conninfo: conninfo, maxConnections: 1, acquireTimeout: .milliseconds(200))
        defer { Task { await pool.shutdown() } }
        try await pool.withConnection { _ in
            do {
                try await pool.query("SELECT 1")
                XCTFail("second caller served beyond the bound")
            } catch let error as PostgresError {
                XCTAssertEqual(error.kind, .poolExhausted)
            }
        }
        // After the holder returns it, the connection serves again.
        let one = try await pool.query("SELECT 1 AS one").first?.decode("one", as: Int.self)
        XCTAssertEqual(one, 1)
    }

    func testKilledBackendIsReplacedNotHandedOutAgain() async throws {
        try await TestDatabase.withPool(maxConnections: 1) { pool, conninfo in
            let firstPID = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int.self)
            let killer = PostgresPool(conninfo: conninfo, maxConnections: 1)
            try await killer.query("SELECT pg_terminate_backend($1)", [firstPID])
            await killer.shutdown()
            try await Task.sleep(for: .milliseconds(100))
            let secondPID = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int.self)
            XCTAssertNotEqual(firstPID, secondPID)
            let open = await pool.openConnections()
            XCTAssertEqual(open, 1)
        }
    }

    func testUnreachableDatabaseNamesHostAndPortButNotPassword() async throws {
        let pool = PostgresPool(conninfo: "postgresql://app:hunter2@127.0.0.1:1/crosswalk?connect_timeout=2", maxConnections: 1)
        defer { Task { await pool.shutdown() } }
        do {
            try await pool.query("SELECT 1")
            XCTFail("connected to nothing")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .connection)
            XCTAssertTrue(error.description.contains("host=127.0.0.1 port=1"), error.description)
            XCTAssertFalse(error.description.contains("hunter2"), error.description)
        }
    }

    func testMissingServerBinariesSayWhatToInstall() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-nobin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cluster = LocalCluster(directory: folder, binaryFolders: ["/nonexistent/bin"])
        XCTAssertThrowsError(try cluster.start()) { error in
            XCTAssertTrue("\(error)".contains("not found in /nonexistent/bin"), "\(error)")
            XCTAssertTrue("\(error)".contains("apt-get install postgresql"), "\(error)")
        }
    }

    func testUnwritableDataFolderIsAClearError() throws {
        // A regular file where a folder should be: no one, not even root, can create inside it.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-file-\(UUID().uuidString)")
        try Data("not a folder".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let cluster = LocalCluster(directory: file.appendingPathComponent("data"))
        XCTAssertThrowsError(try cluster.start()) { error in
            XCTAssertTrue("\(error)".contains("cannot create the data folder \(file.path)/data"), "\(error)")
        }
    }

    func testLocalClusterReusesARunningFolder() throws {
        let endpoint = try TestDatabase.endpoint()
        let again = try LocalCluster(directory: URL(fileURLWithPath: endpoint.socketDirectory)).start()
        XCTAssertEqual(again.port, endpoint.port)
        XCTAssertEqual(again.socketDirectory, endpoint.socketDirectory)
        XCTAssertFalse(again.startedNow, "a running cluster must be reused, not started again")
    }
}

final class ConnectionStringTests: XCTestCase {
    /// libpq quotes an unparsable URI back, password included; the error must not.
    func testAnUnparsableConnectionStringIsReportedWithoutItsPassword() {
        for conninfo in ["postgresql://u:Bad-SECRET94@[::1/clean", "host=db password='Unclosed-SECRET77", "postgresql://u:Pct-SECRET55@db/x?sslmode=%zz"] {
            XCTAssertThrowsError(try ConnectionString.describe(conninfo), conninfo) { error in
                XCTAssertTrue("\(error)".contains("invalid database setting"), "\(error)")
                XCTAssertFalse("\(error)".contains("SECRET"), "\(error)")
            }
        }
        XCTAssertEqual(try ConnectionString.describe("host=db port=6543 dbname=c user=u password=Good-SECRET11"), "host=db port=6543 dbname=c user=u")
    }
}
