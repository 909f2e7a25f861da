import CrosswalkDaemon
import CrosswalkServer
import Logging
import NIOConcurrencyHelpers
import Postgres
import TestSupport
import XCTest

/// What a client learns when a SQL function fails: the message of an argument error the
/// function raises on purpose (SQLSTATE 22023), and nothing of any other failure, which is
/// logged for the operator instead.
final class DatabaseErrorTests: XCTestCase {
    private final class Lines: Sendable {
        let box = NIOLockedValueBox<[String]>([])
        var all: [String] { box.withLockedValue { $0 } }
    }

    func testOnlyArgumentErrorsRaisedOnPurposeReachTheClient() async throws {
        let lines = Lines()
        let logger = Logger(label: "crosswalk.test") { label in
            StructuredLogHandler(label: label, format: .logfmt, level: .warning) { line in
                lines.box.withLockedValue { $0.append(line) }
            }
        }
        try await SyncedDaemon.run(logger: logger) { _, port, pool in
            // Two functions broken the two ways a SQL function can fail.
            _ = try await pool.query(
                """
                CREATE OR REPLACE FUNCTION crosswalk_policies(p_fiscal_year integer DEFAULT NULL, p_municipality text DEFAULT NULL) RETURNS jsonb
                LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'fiscal year must be 2000 or later, not %', p_fiscal_year
                USING ERRCODE = '22023'; END $$
                """)
            _ = try await pool.query(
                """
                CREATE OR REPLACE FUNCTION crosswalk_policy_overlap(p_fiscal_year integer DEFAULT NULL, p_municipality text DEFAULT NULL) RETURNS jsonb
                LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'relation "secret_internal_table" does not exist'; END $$
                """)
            let connection = try await JSONOverRESP.connect(port: port)
            defer { Task { await connection.close() } }

            // A year the store holds, so the question gets past the scope check to the function.
            try await connection.send([["POLICIES", "FY", "2023"]])
            let argumentError = try await connection.reply()
            XCTAssertEqual(argumentError.error, "ERR fiscal year must be 2000 or later, not 2023", argumentError.raw)

            try await connection.send([["OVERLAP", "FY", "2023"]])
            let internalError = try await connection.reply()
            XCTAssertEqual(internalError.error, "ERR internal error", internalError.raw)
            XCTAssertFalse(internalError.raw.contains("secret_internal_table"))

            // The operator sees the real message.
            let warning = lines.all.first { $0.contains("command failed") }
            XCTAssertNotNil(warning, "\(lines.all)")
            XCTAssertTrue(warning?.contains("secret_internal_table") ?? false, warning ?? "")
            XCTAssertFalse(lines.all.contains { $0.contains("fiscal year must be 2000") }, "argument errors are the client's, not logged as failures")
        }
    }
}
