#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization

/// The bytes of replies that are ready but not yet handed to the kernel, summed over every
/// connection of one server. Connections stop taking work while it is above the server-wide
/// bound, so many clients that do not read their replies cannot make the daemon hold
/// gigabytes between them.
///
/// When the queue empties after a burst (more than `trimAfter` queued at once), freed memory
/// is handed back to the system: glibc keeps what threads freed in per-thread arenas, so
/// without it the RSS stays near the burst's peak until the process ends (OPERATIONS.md).
final class QueuedReplyBytes: Sendable {
    private let total = Atomic<Int>(0)
    private let peakSeen = Atomic<Int>(0)
    /// The most queued since memory was last handed back.
    private let burst = Atomic<Int>(0)
    private let trimAfter: Int
    private let logger: Logger

    init(trimAfter: Int = 32 << 20, logger: Logger) {
        self.trimAfter = trimAfter
        self.logger = logger
    }

    /// Bytes queued by all connections now.
    var current: Int { total.load(ordering: .relaxed) }
    /// The most ever queued at once.
    var peak: Int { peakSeen.load(ordering: .relaxed) }

    func add(_ bytes: Int) {
        let now = total.add(bytes, ordering: .relaxed).newValue
        // Read before writing: the marks rarely move, and a write to a line every event
        // loop shares costs each request a cache miss.
        if now > peakSeen.load(ordering: .relaxed) { peakSeen.max(now, ordering: .relaxed) }
        if now > burst.load(ordering: .relaxed) { burst.max(now, ordering: .relaxed) }
    }

    func remove(_ bytes: Int) {
        let now = total.subtract(bytes, ordering: .relaxed).newValue
        guard now == 0, burst.load(ordering: .relaxed) > trimAfter,
            burst.exchange(0, ordering: .relaxed) > trimAfter
        else { return }
        returnFreedMemory()
    }

    /// `malloc_trim(0)` off the event loop (it walks every arena: milliseconds on a large
    /// heap), logging the resident memory before and after so an operator sees what it did.
    private func returnFreedMemory() {
        guard let trim = Self.mallocTrim else { return }
        let logger = self.logger
        Task.detached(priority: .background) {
            let before = Self.residentMiB()
            _ = trim(0)
            logger.info(
                "freed memory returned to the system after a burst of replies",
                metadata: ["rss_before_mib": "\(before ?? -1)", "rss_after_mib": "\(Self.residentMiB() ?? -1)"])
        }
    }

    /// The process's resident memory from `/proc/self/statm` (Linux); nil elsewhere.
    private static func residentMiB() -> Int? {
        #if canImport(Glibc)
        // statm: size resident shared … in pages.
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 128)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let fields = String(decoding: bytes[..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) >> 20
        #else
        return nil
        #endif
    }

    /// glibc's `malloc_trim`, looked up at run time (`malloc.h` is not in the Glibc module);
    /// nil on other C libraries.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
