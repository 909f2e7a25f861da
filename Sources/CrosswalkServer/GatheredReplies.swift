import NIOCore

/// Replies encoded one after another into one buffer, to leave in one write. A value the
/// connection keeps, so appending a reply is one access to it rather than one per field:
/// each access to a class's stored property is an exclusivity check at run time.
struct GatheredReplies {
    private(set) var buffer: ByteBuffer?
    /// Requests whose replies `buffer` holds.
    private(set) var requests = 0

    /// Appends the reply `encode` writes, in place; returns the bytes it added and the bytes
    /// now gathered (the caller's next question, answered without another access).
    mutating func append(
        allocator: @autoclosure () -> ByteBufferAllocator, _ encode: (inout ByteBuffer) -> Void
    ) -> (added: Int, total: Int) {
        if buffer == nil { buffer = allocator().buffer(capacity: 256) }
        let before = buffer!.readableBytes
        encode(&buffer!)
        requests += 1
        let total = buffer!.readableBytes
        return (total - before, total)
    }

    /// The gathered replies and their request count, leaving nothing gathered.
    mutating func take() -> (replies: ByteBuffer, requests: Int)? {
        guard let replies = buffer else { return nil }
        defer { self = GatheredReplies() }
        return (replies, requests)
    }
}

/// Reply bytes of one connection that are ready but not yet written to the socket (in its
/// slots, gathered, or in the channel's outbound buffer); also counted in the server-wide
/// `queuedReplyBytes`, to which `unshared` of them are not yet added: they are added once
/// per round of parsing, not per reply, since every event loop updates that total. One
/// value, so adding a reply's bytes is one access to the connection's storage.
struct QueuedBytes {
    var bytes = 0
    private(set) var unshared = 0

    mutating func add(_ count: Int) {
        bytes += count
        unshared += count
    }

    /// The bytes not yet shared, now counted as shared.
    mutating func takeUnshared() -> Int {
        defer { unshared = 0 }
        return unshared
    }
}

/// Requests served by one connection and not yet added to the server's counters: a run of
/// one command, added when another command comes or before replies are written. One value,
/// so counting a request is one access to the connection's storage.
struct ServedRun {
    private var command: Command?
    private var count = 0

    /// Counts one request of `command`; returns the run this ends, to be reported.
    mutating func add(_ command: Command) -> (command: Command, count: Int)? {
        if command === self.command {
            count += 1
            return nil
        }
        let ended = take()
        self.command = command
        count = 1
        return ended
    }

    /// The run not yet reported, now counted as reported.
    mutating func take() -> (command: Command, count: Int)? {
        guard let command, count > 0 else { return nil }
        defer { count = 0 }
        return (command, count)
    }
}
