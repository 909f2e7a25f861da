import CrosswalkModel
import CrosswalkStore
package import EvaluationTables
import Foundation
package import Logging
package import Postgres
import TableLayouts

/// Keeps the database in step with the source folders. One run: take the sync lock,
/// hash every file, skip unchanged hashes, parse and apply each changed document
/// atomically, record rejects, end documents that disappeared, record the run.
/// A document that fails leaves its previous version in force.
///
/// Throughput: files are read and parsed one chunk ahead of the chunk being applied, a
/// chunk's documents are sent to the database in one pipeline, and documents are committed
/// in groups — each document still all-or-nothing (a subtransaction), so a crash or a bad
/// document never leaves one half applied.
package struct SyncEngine: Sendable {
    package struct Options: Sendable {
        package var sources: [String]
        package var include: String = "*.txt"
        package var dryRun = false
        /// How long to wait for another process's sync to finish.
        package var lockTimeout: Duration = .seconds(30)
        /// Recorded with the run: `cli`, `serve`, `interval`, `command`.
        package var trigger = "cli"
        package var readerLimits = ReaderLimits()
        /// Documents per commit.
        package var documentsPerCommit = 200
        /// The largest share (0…1) of a source folder's documents one sync may end. More
        /// gone at once looks like an unmounted share, not deletions: the sync fails and
        /// changes nothing (`max-end`; 1 ends whatever is gone).
        package var maxEndShare = 0.5
        /// The longest one sync may run (`sync-deadline`): past it the statement running is
        /// cancelled and the run fails, recorded with what it committed, and lets the lock
        /// go. nil: no limit.
        package var deadline: Duration?

        package init(sources: [String]) { self.sources = sources }
    }

    private let pool: PostgresPool
    private let logger: Logger
    private let store = EvaluationStore()

    package init(pool: PostgresPool, logger: Logger = Logger(label: "crosswalk.sync")) {
        self.pool = pool
        self.logger = logger
    }

    package func run(_ options: Options) async throws -> SyncSummary {
        let started = ContinuousClock.now
        let scanner = SourceScanner(folders: options.sources, include: options.include)
        let scan = try scanner.survey()
        let files = scan.files
        let (summary, recorded) = try await pool.withConnection { connection in
            try await withSyncLock(connection, timeout: options.lockTimeout) {
                let deadline = SyncDeadline(options.deadline, startedAt: started, connection: connection)
                var summary = SyncSummary()
                summary.documentsSeen = files.count + scan.problems.count
                let run = options.dryRun ? nil : try await store.beginRun(connection, trigger: options.trigger, sources: scanner.folders)
                summary.runId = run
                // What is committed so far: a failure rolls back the open group, and the
                // run must then report (and record) only what stayed.
                var settled = summary
                do {
                    let known = try await store.currentVersions(connection)
                    // What an unreadable folder held is unknown, not gone: it stays in force.
                    let unseen = scan.problems.filter(\.keepsFolder).map(\.path)
                    let kept = known.keys.filter { source in unseen.contains { source.hasPrefix($0 + "/") } }
                    let missing = try Self.missingDocuments(
                        known: known.keys, present: files + kept, folders: scanner.folders, maxShare: options.maxEndShare)
                    try await syncFiles(
                        files, problems: scan.problems, known: known, declarations: Self.declarations(files, roots: scanner.folders),
                        options: options, deadline: deadline, connection: connection, run: run, summary: &summary, settled: &settled)
                    try deadline.check()
                    try await end(missing, connection: connection, run: run, summary: &summary, settled: &settled)
                    summary.status = options.dryRun ? .dryRun : (summary.documentsRejected > 0 ? .partial : .ok)
                } catch {
                    if connection.isOpen { try? await connection.execute(script: "ROLLBACK") }
                    summary = settled
                    summary.status = .failed
                    // A statement the deadline cancelled says only "canceling statement": say why.
                    summary.error = deadline.hasPassed ? deadline.error.description : "\(error)"
                }
                deadline.stop()
                summary.durationMs = Int(started.duration(to: .now) / .milliseconds(1))
                var recorded = run == nil
                if let run, connection.isOpen {
                    recorded = (try? await store.finishRun(connection, run: run, summary: summary)) != nil
                }
                return (summary, recorded)
            }
        }
        // The run's connection broke: record the outcome on a fresh one, so the run does
        // not stay 'running'. When the database is down too, the next run marks it abandoned.
        if !recorded, let run = summary.runId {
            _ = try? await pool.withConnection { try await store.finishRun($0, run: run, summary: summary) }
        }
        // One line per sync: the summary as the message, the key facts as fields to filter on.
        // Counts as numbers, so JSON logs carry them typed; no run id (a dry run) → no field.
        var fields: Logger.Metadata = [
            "status": "\(summary.status.rawValue)", "trigger": "\(options.trigger)",
            "applied": .stringConvertible(summary.documentsApplied), "rejected": .stringConvertible(summary.documentsRejected),
        ]
        if let run = summary.runId { fields["run"] = .stringConvertible(run) }
        logger.log(level: summary.status == .failed ? .error : .info, "\(summary.line)", metadata: fields)
        return summary
    }

    // MARK: Documents

    /// A file after reading, hashing and (when changed) parsing.
    enum Prepared: Sendable {
        case unchanged
        case unreadable(source: String, reason: String)
        case undeclared(source: String, error: DeclarationError)
        case refused(source: String, sha256: String, error: ReadError)
        /// Ends inside a row (a torn write): not applied this run, read again at the next.
        case cut(source: String, sha256: String, line: Int?, reason: String)
        /// Read and encoded for the database (the JSON `crosswalk_apply_document` takes).
        case parsed(ParsedDocument)

        var parsedDocument: ParsedDocument? {
            if case .parsed(let document) = self { return document }
            return nil
        }
    }

    struct ParsedDocument: Sendable {
        let source: String
        let sha256: String
        let json: PostgresJSON
    }

    private func syncFiles(
        _ files: [String], problems: [SourceScanner.Problem], known: [String: EvaluationStore.StoredVersion],
        declarations: [String: Result<SourceDeclarations.Declaration, DeclarationError>], options: Options,
        deadline: SyncDeadline, connection: PostgresConnection, run: Int64?, summary: inout SyncSummary, settled: inout SyncSummary
    ) async throws {
        let reader = EvaluationReader(limits: options.readerLimits)
        let chunks = stride(from: 0, to: files.count, by: 16).map { Array(files[$0..<min($0 + 16, files.count)]) }
        var commits = CommitGroup(connection: connection, size: options.dryRun ? 0 : options.documentsPerCommit) { [store] summary in
            if let run { try await store.recordProgress(connection, run: run, summary: summary) }
        }
        func prepareAhead(_ chunk: [String]) -> Task<[Prepared], Never> {
            Task { Self.prepare(chunk, known: known, declarations: declarations, reader: reader) }
        }
        for problem in problems {
            try await commits.ensureOpen()
            try await reject(connection, run: run, source: problem.path, sha256: nil, line: nil, reason: "\(problem.path): \(problem.reason)", excerpt: nil, summary: &summary)
        }
        var next = chunks.first.map(prepareAhead)
        for index in chunks.indices {
            try deadline.check()
            let prepared = await next!.value
            next = index + 1 < chunks.count ? prepareAhead(chunks[index + 1]) : nil
            var position = prepared.startIndex
            while position < prepared.endIndex {
                var consumed = 1
                switch prepared[position] {
                case .unchanged:
                    summary.documentsUnchanged += 1
                    settled.documentsUnchanged += 1
                case .unreadable(let source, let reason):
                    try await commits.ensureOpen()
                    try await reject(connection, run: run, source: source, sha256: nil, line: nil, reason: reason, excerpt: nil, summary: &summary)
                case .undeclared(let source, let error):
                    try await commits.ensureOpen()
                    try await reject(connection, run: run, source: source, sha256: nil, line: nil, reason: error.description, excerpt: nil, summary: &summary)
                case .refused(let source, let sha, let error):
                    try await commits.ensureOpen()
                    try await reject(connection, run: run, source: source, sha256: sha, line: error.line, reason: error.description, excerpt: error.excerpt, summary: &summary)
                case .cut(let source, let sha, let line, let reason):
                    try await commits.ensureOpen()
                    try await reject(connection, run: run, source: source, sha256: sha, line: line, reason: reason, excerpt: nil, summary: &summary)
                case .parsed:
                    // This and the parsed documents after it go to the database in one
                    // pipeline, up to the end of the commit group.
                    let batch = prepared[position...].prefix { $0.parsedDocument != nil }
                        .prefix(max(1, commits.room)).compactMap(\.parsedDocument)
                    try await commits.ensureOpen()
                    let outcomes = try await apply(batch.map(\.json), connection: connection, run: run)
                    for (document, outcome) in zip(batch, outcomes) {
                        try await record(outcome, of: document, connection: connection, run: run, summary: &summary)
                        if try await commits.documentDone(summary) { settled = summary }
                    }
                    consumed = batch.count
                }
                position += consumed
            }
        }
        try await commits.close(summary)
        settled = summary
    }

    /// What each file's `source.conf` files declare, read once per sync.
    static func declarations(_ files: [String], roots: [String]) -> [String: Result<SourceDeclarations.Declaration, DeclarationError>] {
        var declarations = SourceDeclarations(roots: roots)
        var byFile: [String: Result<SourceDeclarations.Declaration, DeclarationError>] = [:]
        for file in files {
            byFile[file] = Result { () throws(DeclarationError) in try declarations.declaration(for: file) }
        }
        return byFile
    }

    /// Reads, hashes and parses — no database — so it can run ahead of the writes. A
    /// document is unchanged when its bytes, its declared municipality and the reading
    /// rules all are.
    static func prepare(
        _ paths: [String], known: [String: EvaluationStore.StoredVersion],
        declarations: [String: Result<SourceDeclarations.Declaration, DeclarationError>], reader: EvaluationReader
    ) -> [Prepared] {
        paths.map { path in
            let declaration: SourceDeclarations.Declaration
            switch declarations[path] ?? .success(.init()) {
            case .success(let value): declaration = value
            case .failure(let error): return .undeclared(source: path, error: error)
            }
            let bytes: [UInt8]
            do {
                bytes = try DocumentFile.read(path, limit: reader.limits.maxDocumentBytes)
            } catch {
                return .unreadable(source: path, reason: "\(error)")
            }
            // A table's version is its bytes and the layout that reads it.
            let sha = SHA256.hex(declaration.layout.map { bytes + Array($0.text.utf8) } ?? bytes)
            let version = EvaluationStore.StoredVersion(
                sha256: sha, municipality: declaration.municipality, readerVersion: ReaderRules.version)
            if known[path] == version { return .unchanged }
            let read = { () throws(ReadError) -> EvaluationDocument in
                guard TableReader.handles(path) else { return try reader.read(bytes, source: path) }
                return try TableReader.read(bytes: bytes, source: path, sha256: sha, layout: declaration.layout?.layout)
            }
            switch Result(catching: read) {
            case .success(var document):
                if let cut = document.warnings.first(where: { $0.code == "truncated" }) {
                    return .cut(source: path, sha256: sha, line: cut.line,
                                reason: "\(cut.message); not applied in this run (still being written?): read again at the next sync")
                }
                document.municipality = declaration.municipality
                return .parsed(ParsedDocument(source: path, sha256: sha, json: PostgresJSON(text: CompactJSON.encode(document))))
            case .failure(let error): return .refused(source: path, sha256: sha, error: error)
            }
        }
    }

    /// Counts a document's outcome, or records why it was not applied.
    private func record(
        _ outcome: Result<EvaluationStore.ApplyOutcome, PostgresError>, of document: ParsedDocument,
        connection: PostgresConnection, run: Int64?, summary: inout SyncSummary
    ) async throws {
        switch outcome {
        case .success(let outcome):
            summary.documentsApplied += 1
            summary.listingsAdded += outcome.added
            summary.listingsChanged += outcome.changed
            summary.listingsEnded += outcome.ended
        case .failure(let error) where error.sqlState?.hasPrefix("53") == true:
            // Out of disk, memory or connections: not this document's fault, and the
            // next would fail alike. The run stops, keeping what it committed.
            throw SyncError.resources(
                "the database could not take \(document.source): \(error.message) (SQLSTATE \(error.sqlState ?? "")); the documents committed before are kept, nothing of this group is; free space and sync again")
        case .failure(let error):
            try await reject(
                connection, run: run, source: document.source, sha256: document.sha256, line: nil,
                reason: "\(document.source): \(error.message)", excerpt: nil, summary: &summary)
        }
    }

    /// A dry run applies inside a transaction it rolls back, so its counts are exactly
    /// what a real run would write.
    private func apply(_ documents: [PostgresJSON], connection: PostgresConnection, run: Int64?) async throws -> [Result<EvaluationStore.ApplyOutcome, PostgresError>] {
        if let run {
            return try await store.tryApply(connection, documents: documents, run: run, readerVersion: ReaderRules.version)
        }
        var outcomes: [Result<EvaluationStore.ApplyOutcome, PostgresError>] = []
        for json in documents {
            try await connection.execute(script: "BEGIN")
            do {
                let previewRun = try await store.beginRun(connection, trigger: "dry-run", sources: [])
                outcomes.append(try await store.tryApply(connection, json: json, run: previewRun, readerVersion: ReaderRules.version))
                try await connection.execute(script: "ROLLBACK")
            } catch {
                try? await connection.execute(script: "ROLLBACK")
                throw error
            }
        }
        return outcomes
    }

    /// The documents in force under the source folders whose files are gone. Throws,
    /// before anything is written, when a folder lost more than `maxShare` of them.
    static func missingDocuments(
        known: some Collection<String>, present files: [String], folders: [String], maxShare: Double
    ) throws(SyncError) -> [String] {
        let present = Set(files)
        var missing: [String] = []
        for folder in folders {
            let held = known.filter { $0.hasPrefix(folder + "/") }
            let gone = held.filter { !present.contains($0) }
            if !gone.isEmpty, Double(gone.count) > maxShare * Double(held.count) {
                throw SyncError.vanished(
                    "source folder \(folder): \(gone.count) of the \(held.count) documents it held are gone (an unmounted share?); one sync ends at most \(Int((maxShare * 100).rounded()))% of a source's documents, so nothing was changed. If they were removed on purpose, sync once with --max-end 100%.")
            }
            missing += gone
        }
        return Array(Set(missing)).sorted()
    }

    private func end(
        _ missing: [String], connection: PostgresConnection, run: Int64?,
        summary: inout SyncSummary, settled: inout SyncSummary
    ) async throws {
        for source in missing {
            try await connection.execute(script: "BEGIN")
            let ended = try await store.endDocument(connection, source: source, run: try await runForWrite(run, connection))
            summary.documentsEnded += 1
            summary.listingsEnded += ended
            if let run { try await store.recordProgress(connection, run: run, summary: summary) }
            try await connection.execute(script: run == nil ? "ROLLBACK" : "COMMIT")
            settled = summary
            logger.info("document ended: no longer in its source", metadata: ["source": "\(source)", "listings": .stringConvertible(ended)])
        }
    }

    /// The run to record writes under; a dry run makes a throwaway one inside its rolled-back transaction.
    private func runForWrite(_ run: Int64?, _ connection: PostgresConnection) async throws -> Int64 {
        if let run { return run }
        return try await store.beginRun(connection, trigger: "dry-run", sources: [])
    }

    private func reject(
        _ connection: PostgresConnection, run: Int64?, source: String, sha256: String?, line: Int?, reason: String,
        excerpt: String?, summary: inout SyncSummary
    ) async throws {
        summary.documentsRejected += 1
        summary.rejects.append(.init(source: source, line: line, reason: reason))
        var fields: Logger.Metadata = ["source": "\(source)", "reason": "\(reason)"]
        if let line { fields["line"] = .stringConvertible(line) }
        logger.warning("document rejected", metadata: fields)
        if let run {
            try await store.reject(connection, run: run, source: source, sha256: sha256, line: line, reason: reason, excerpt: excerpt)
        }
    }

    private func withSyncLock<T>(_ connection: PostgresConnection, timeout: Duration, _ body: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            let locked = try await connection.query("SELECT pg_try_advisory_lock(crosswalk_sync_lock_key()) AS locked")
            if try locked.first!.decode("locked", as: Bool.self) { break }
            guard ContinuousClock.now < deadline else {
                throw SyncError.busy("another sync is running (waited \(timeout) for it to finish)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        do {
            let value = try await body()
            _ = try? await connection.query("SELECT pg_advisory_unlock(crosswalk_sync_lock_key())")
            return value
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(crosswalk_sync_lock_key())")
            throw error
        }
    }
}

/// Groups document writes into transactions of `size` documents, recording the run's
/// counts in each transaction it commits. Size 0: no transaction of its own (a dry run
/// manages its own per document).
struct CommitGroup {
    let connection: PostgresConnection
    let size: Int
    /// Writes the run's counts so far; runs inside the transaction about to commit.
    let recordProgress: (SyncSummary) async throws -> Void
    private var open = false
    private var documents = 0

    init(connection: PostgresConnection, size: Int, recordProgress: @escaping (SyncSummary) async throws -> Void) {
        self.connection = connection
        self.size = size
        self.recordProgress = recordProgress
    }

    /// Documents the open group can still take before it commits.
    var room: Int { size - documents }

    mutating func ensureOpen() async throws {
        guard size > 0, !open else { return }
        try await connection.execute(script: "BEGIN")
        open = true
    }

    /// True when nothing of the documents so far is left uncommitted.
    mutating func documentDone(_ summary: SyncSummary) async throws -> Bool {
        guard size > 0 else { return true }
        documents += 1
        guard documents >= size else { return false }
        try await close(summary)
        return true
    }

    mutating func close(_ summary: SyncSummary) async throws {
        guard open else { return }
        try await recordProgress(summary)
        try await connection.execute(script: "COMMIT")
        open = false
        documents = 0
    }
}
