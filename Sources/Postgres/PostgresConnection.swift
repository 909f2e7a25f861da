import CLibPQ
import Foundation
package import NIOPosix
import Synchronization

/// One libpq connection. Every libpq call runs on the NIO thread pool (never on an
/// event loop) and under the connection's mutex, so a connection is safe to share
/// but serves one statement at a time. Use `PostgresPool` for concurrency.
package final class PostgresConnection: Sendable {
    /// The raw `PGconn*`. Only ever touched inside `state.withLock`.
    struct Handle: @unchecked Sendable {
        let raw: OpaquePointer
    }

    struct State: ~Copyable {
        var handle: Handle?
    }

    private let state: Mutex<State>
    private let threadPool: NIOThreadPool
    /// libpq's cancel object, made at connect: `PQcancel` may use it from any thread
    /// while a statement runs under the mutex.
    private let canceller: Handle?
    /// host/port/dbname/user of the connection, without the password.
    package let endpoint: String

    private init(handle: Handle, threadPool: NIOThreadPool, endpoint: String) {
        self.state = Mutex(State(handle: handle))
        self.threadPool = threadPool
        self.endpoint = endpoint
        self.canceller = PQgetCancel(handle.raw).map { Handle(raw: $0) }
    }

    deinit {
        state.withLock { state in
            if let handle = state.handle { PQfinish(handle.raw) }
            state.handle = nil
        }
        if let canceller { PQfreeCancel(canceller.raw) }
    }

    /// Connects with a libpq connection string (`host=… dbname=…`) or URI
    /// (`postgresql://…`). libpq's environment variables (PGPASSWORD, PGSSLMODE, …)
    /// fill in whatever the string leaves out.
    package static func connect(_ conninfo: String, threadPool: NIOThreadPool) async throws -> PostgresConnection {
        let endpoint = try ConnectionString.describe(conninfo)
        let handle: Handle = try await threadPool.runIfActive {
            let keywords = ["dbname", "fallback_application_name"]
            let values = [conninfo, "crosswalk"]
            let raw = withArrayOfCStrings(keywords) { keywordPointers in
                withArrayOfCStrings(values) { valuePointers in
                    PQconnectdbParams(keywordPointers, valuePointers, 1)
                }
            }
            guard let raw else {
                throw PostgresError(kind: .connection, message: "cannot connect to PostgreSQL at \(endpoint): out of memory")
            }
            guard PQstatus(raw) == CONNECTION_OK else {
                let reason = Self.trimmed(PQerrorMessage(raw)).split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
                PQfinish(raw)
                throw PostgresError(kind: .connection, message: "cannot connect to PostgreSQL at \(endpoint): \(reason)")
            }
            // Server notices (DROP … IF EXISTS skipping) are not for the terminal.
            PQsetNoticeProcessor(raw, { _, _ in }, nil)
            // Timestamps travel as ISO text in UTC; see PostgresTimestamp.
            let setup = PQexec(raw, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_encoding = 'UTF8'")
            let ok = PQresultStatus(setup) == PGRES_COMMAND_OK
            PQclear(setup)
            guard ok else {
                let reason = Self.trimmed(PQerrorMessage(raw))
                PQfinish(raw)
                throw PostgresError(kind: .connection, message: "cannot set up the session at \(endpoint): \(reason)")
            }
            return Handle(raw: raw)
        }
        return PostgresConnection(handle: handle, threadPool: threadPool, endpoint: endpoint)
    }

    // MARK: Statements

    /// Runs one statement with bound parameters (`$1`, `$2`, …) and returns its rows.
    @discardableResult
    package func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresRows {
        let texts = try Self.parameterTexts(parameters, statement: sql)
        return try await withHandle { handle in
            let result = withArrayOfOptionalCStrings(texts) { pointers in
                PQexecParams(handle.raw, sql, Int32(texts.count), nil, pointers, nil, nil, 0)
            }
            return try Self.consume(result, handle: handle, statement: sql)
        }
    }

    /// Runs the statements in one libpq pipeline: all are sent before the first answer is
    /// read, so the server goes from one to the next without waiting for a round trip.
    /// Returns each statement's rows or error, in order; after a failed statement the rest
    /// of the pipeline is not run (each then fails saying so). For statements with small
    /// answers (the answers wait in the socket until every statement is sent).
    package func pipeline(_ statements: [(sql: String, parameters: [any PostgresEncodable])]) async throws -> [Result<PostgresRows, PostgresError>] {
        let sqls = statements.map(\.sql)
        let texts = try statements.map { try Self.parameterTexts($0.parameters, statement: $0.sql) }
        return try await withHandle { handle in
            guard PQenterPipelineMode(handle.raw) == 1 else {
                throw PostgresError(kind: .statement, message: "cannot enter pipeline mode: \(Self.trimmed(PQerrorMessage(handle.raw)))")
            }
            var results: [Result<PostgresRows, PostgresError>] = []
            results.reserveCapacity(sqls.count)
            for (sql, parameters) in zip(sqls, texts) {
                let sent = withArrayOfOptionalCStrings(parameters) { pointers in
                    PQsendQueryParams(handle.raw, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
                }
                guard sent == 1 else {
                    throw PostgresError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle.raw)), statement: sql)
                }
            }
            guard PQpipelineSync(handle.raw) == 1 else {
                throw PostgresError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle.raw)))
            }
            for sql in sqls {
                // One statement's answer: its results, then NULL.
                var outcome: Result<PostgresRows, PostgresError>?
                while let result = PQgetResult(handle.raw) {
                    guard outcome == nil else { PQclear(result); continue }
                    if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                        PQclear(result)
                        outcome = .failure(PostgresError(
                            kind: .statement, message: "not run: an earlier statement of its pipeline failed", statement: sql))
                    } else {
                        outcome = Result { () throws(PostgresError) in try Self.consume(result, handle: handle, statement: sql) }
                    }
                }
                guard let outcome else {
                    throw PostgresError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle.raw)), statement: sql)
                }
                results.append(outcome)
            }
            // The sync point's own result, then back to one statement at a time.
            while let result = PQgetResult(handle.raw) {
                let status = PQresultStatus(result)
                PQclear(result)
                if status == PGRES_PIPELINE_SYNC { break }
            }
            guard PQexitPipelineMode(handle.raw) == 1 else {
                throw PostgresError(kind: .connection, message: "cannot leave pipeline mode: \(Self.trimmed(PQerrorMessage(handle.raw)))")
            }
            return results
        }
    }

    /// Parameters as libpq takes them: C strings, so a NUL would silently cut a value
    /// short ("name\0junk" would find "name"). PostgreSQL text cannot hold NUL: refuse it
    /// as the server does for any other invalid byte.
    private static func parameterTexts(_ parameters: [any PostgresEncodable], statement: String) throws -> [String?] {
        let texts = parameters.map(\.postgresText)
        if texts.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(
                kind: .statement, message: #"invalid byte sequence for encoding "UTF8": 0x00 (in a parameter)"#,
                sqlState: "22021", statement: statement)
        }
        return texts
    }

    /// Runs a script of statements without parameters (migrations, DDL). Values never
    /// go through here: anything that carries a value uses `query` and a parameter.
    package func execute(script sql: String) async throws {
        try await withHandle { handle in
            _ = try Self.consume(PQexec(handle.raw, sql), handle: handle, statement: sql)
        }
    }

    /// Streams rows into `COPY … FROM STDIN` (text format). Returns the rows copied.
    @discardableResult
    package func copy<Rows: Sequence & Sendable>(_ sql: String, rows: Rows) async throws -> Int where Rows.Element == [String?] {
        try await withHandle { handle in
            let start = PQexec(handle.raw, sql)
            guard PQresultStatus(start) == PGRES_COPY_IN else {
                _ = try Self.consume(start, handle: handle, statement: sql)
                throw PostgresError(kind: .statement, message: "statement did not start COPY FROM STDIN", statement: sql)
            }
            PQclear(start)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 16)
            var failure: String?
            func flush() {
                guard !buffer.isEmpty, failure == nil else { return }
                let sent = buffer.withUnsafeBufferPointer { bytes in
                    bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        PQputCopyData(handle.raw, $0, Int32(bytes.count))
                    }
                }
                if sent != 1 { failure = Self.trimmed(PQerrorMessage(handle.raw)) }
                buffer.removeAll(keepingCapacity: true)
            }
            for row in rows {
                CopyText.append(row, to: &buffer)
                if buffer.count >= 1 << 16 { flush() }
                if failure != nil { break }
            }
            flush()
            let ended = failure.map { PQputCopyEnd(handle.raw, $0) } ?? PQputCopyEnd(handle.raw, nil)
            if ended != 1 {
                throw PostgresError(kind: .connection, message: Self.trimmed(PQerrorMessage(handle.raw)), statement: sql)
            }
            var copied = 0
            var firstError: Error?
            while let result = PQgetResult(handle.raw) {
                do {
                    let rows = try Self.consume(result, handle: handle, statement: sql)
                    copied = rows.affectedRows
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
            if let firstError { throw firstError }
            return copied
        }
    }

    /// Runs `body` inside BEGIN … COMMIT; rolls back and rethrows when it throws.
    @discardableResult
    package func transaction<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await execute(script: "BEGIN")
        do {
            let value = try await body(self)
            try await execute(script: "COMMIT")
            return value
        } catch {
            if isOpen { try? await execute(script: "ROLLBACK") }
            throw error
        }
    }

    /// Asks the server to cancel the statement this connection is running, if any (the
    /// statement then fails with SQLSTATE 57014). Callable from any thread; blocks for
    /// one short round trip to the server. False when the request could not be sent.
    @discardableResult
    package func cancelRunningStatement() -> Bool {
        guard let canceller else { return false }
        var message = [CChar](repeating: 0, count: 256)
        return PQcancel(canceller.raw, &message, Int32(message.count)) == 1
    }

    // MARK: Health

    /// False once libpq has seen the connection break.
    package var isOpen: Bool {
        state.withLock { state in
            guard let handle = state.handle else { return false }
            return PQstatus(handle.raw) == CONNECTION_OK
        }
    }

    /// True when the connection is open, idle (no transaction left open) and the
    /// server has not sent anything unasked — which on an idle connection means it
    /// was terminated (`pg_terminate_backend`, a server restart).
    func isReusable() -> Bool {
        state.withLock { state in
            guard let handle = state.handle, PQstatus(handle.raw) == CONNECTION_OK else { return false }
            guard PQtransactionStatus(handle.raw) == PQTRANS_IDLE else { return false }
            var descriptor = pollfd(fd: PQsocket(handle.raw), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            if ready == 0 { return true }
            // Something arrived: read it; a notice is harmless, a termination is not.
            _ = PQconsumeInput(handle.raw)
            return false
        }
    }

    /// Closes the connection. Safe to call more than once.
    package func close() {
        state.withLock { state in
            if let handle = state.handle { PQfinish(handle.raw) }
            state.handle = nil
        }
    }

    // MARK: Internals

    private func withHandle<T: Sendable>(_ body: @escaping @Sendable (Handle) throws -> T) async throws -> T {
        do {
            return try await threadPool.runIfActive { [self] in
                try state.withLock { state in
                    guard let handle = state.handle else {
                        throw PostgresError(kind: .connection, message: "connection to \(self.endpoint) is closed")
                    }
                    return try body(handle)
                }
            }
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(kind: .shutdown, message: "database thread pool is not running: \(error)")
        }
    }

    /// Copies a PGresult into Swift values, clears it, and turns failures into errors.
    private static func consume(_ result: OpaquePointer?, handle: Handle, statement: String) throws(PostgresError) -> PostgresRows {
        guard let result else {
            throw PostgresError(kind: .connection, message: trimmed(PQerrorMessage(handle.raw)), statement: statement)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            let fieldCount = Int(PQnfields(result))
            let rowCount = Int(PQntuples(result))
            var columns: [String] = []
            columns.reserveCapacity(fieldCount)
            var columnIndex: [String: Int] = [:]
            for field in 0..<fieldCount {
                let name = String(cString: PQfname(result, Int32(field)))
                columns.append(name)
                if columnIndex[name] == nil { columnIndex[name] = field }
            }
            var rows: [PostgresRow] = []
            rows.reserveCapacity(rowCount)
            for row in 0..<rowCount {
                var values: [String?] = []
                values.reserveCapacity(fieldCount)
                for field in 0..<fieldCount {
                    if PQgetisnull(result, Int32(row), Int32(field)) == 1 {
                        values.append(nil)
                    } else {
                        values.append(String(cString: PQgetvalue(result, Int32(row), Int32(field))))
                    }
                }
                rows.append(PostgresRow(columnIndex: columnIndex, values: values))
            }
            return PostgresRows(columns: columns, rows: rows, affectedRows: rowCount)
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
            return PostgresRows(columns: [], rows: [], affectedRows: affected)
        default:
            throw error(from: result, handle: handle, statement: statement)
        }
    }

    private static func error(from result: OpaquePointer, handle: Handle, statement: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let broken = PQstatus(handle.raw) != CONNECTION_OK
        let message = field("M") ?? trimmed(PQresultErrorMessage(result))
        return PostgresError(
            kind: broken ? .connection : .statement,
            message: message.isEmpty ? trimmed(PQerrorMessage(handle.raw)) : message,
            sqlState: field("C"), detail: field("D"), hint: field("H"), statement: statement
        )
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// COPY text format: tab-separated, `\N` for NULL, backslash escapes.
enum CopyText {
    static func append(_ row: [String?], to buffer: inout [UInt8]) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let value else {
                buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "N"))
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [0x5C, 0x5C])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
    }
}

private func withArrayOfCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    withArrayOfOptionalCStrings(strings.map(Optional.some)) { pointers in
        body(pointers + [nil])
    }
}

/// Bridges `[String?]` to the `const char *const *` libpq wants; nil stays NULL.
private func withArrayOfOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    let duplicates: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { duplicates.forEach { free($0) } }
    return try body(duplicates.map { $0.map { UnsafePointer($0) } })
}
