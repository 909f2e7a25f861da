import NIOCore

/// Replies encoded one after another into one buffer, to leave in one write. A value the
/// connection keeps, so appending a reply is one access to it rather than one per field:
/// each access to a class's stored property is an exclusivity check at run time.
struct GatheredReplies {
    private(set) var buffer: ByteBuffer?
    /// Requests whose replies `buffer` holds.
    private(set) var requests = 0

    /// Bytes gathered.
    var byteCount: Int { buffer?.readableBytes ?? 0 }

    /// Appends the reply `encode` writes, in place; returns the bytes it added.
    mutating func append(
        allocator: @autoclosure () -> ByteBufferAllocator, _ encode: (inout ByteBuffer) -> Void
    ) -> Int {
        if buffer == nil { buffer = allocator().buffer(capacity: 256) }
        let before = buffer!.readableBytes
        encode(&buffer!)
        requests += 1
        return buffer!.readableBytes - before
    }

    /// The gathered replies and their request count, leaving nothing gathered.
    mutating func take() -> (replies: ByteBuffer, requests: Int)? {
        guard let replies = buffer else { return nil }
        defer { self = GatheredReplies() }
        return (replies, requests)
    }
}
