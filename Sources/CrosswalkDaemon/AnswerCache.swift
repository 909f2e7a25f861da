import CrosswalkServer

/// Answers to read-only commands, kept until the data changes, so a repeated question
/// costs a memory copy instead of a query. The data's generation is the newest entry
/// of the change history, looked up at most every `recheck`: an answer can trail a
/// sync made by another process by that long; this daemon's own SYNC clears it at once.
actor AnswerCache {
    /// Keyed by the verb and arguments as a list: no separator two arguments could fake.
    private var entries: [[String]: EncodedReply] = [:]
    private var bytes = 0
    private var generation: Int64?
    private var checkedAt: ContinuousClock.Instant?
    private let recheck: Duration
    private let maxBytes: Int
    private let currentGeneration: @Sendable () async throws -> Int64

    init(recheck: Duration = .milliseconds(500), maxBytes: Int = 256 << 20, currentGeneration: @escaping @Sendable () async throws -> Int64) {
        self.recheck = recheck
        self.maxBytes = maxBytes
        self.currentGeneration = currentGeneration
    }

    func answer(_ request: Request, compute: @Sendable () async throws -> ReplyValue) async throws -> ReplyValue {
        try await refreshGeneration()
        let key = [request.command] + request.arguments
        if let hit = entries[key] { return .encoded(hit) }
        let encoded = EncodedReply(try await compute())
        if bytes + encoded.size > maxBytes { clear() }
        entries[key] = encoded
        bytes += encoded.size
        return .encoded(encoded)
    }

    func clear() {
        entries.removeAll()
        bytes = 0
    }

    private func refreshGeneration() async throws {
        let now = ContinuousClock.now
        if let checkedAt, now - checkedAt < recheck { return }
        let latest = try await currentGeneration()
        checkedAt = now
        if latest != generation {
            clear()
            generation = latest
        }
    }
}
