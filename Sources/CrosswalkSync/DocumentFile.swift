#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one document's bytes, refusing what a sync must not wait on or trust: anything
/// but a regular file (a FIFO in a source folder would block `open` until some writer
/// came, holding the sync lock), and a file that changed while it was read (one being
/// written: applying it would store a torn last row; the next sync reads it whole).
enum DocumentFile {
    static func read(_ path: String, limit: Int) throws(SyncError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .source("\(path): cannot open the file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var before = stat()
        guard fstat(fd, &before) == 0 else { throw .source("\(path): cannot read the file's status") }
        guard before.st_mode & S_IFMT == S_IFREG else {
            throw .source("\(path): not a regular file (a FIFO, socket or device); not read")
        }
        guard before.st_size <= limit else {
            throw .source("\(path): larger than the document size limit of \(limit) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: Int(before.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .source("\(path): cannot read the file: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            count += n
        }
        var after = stat()
        let unchanged = stat(path, &after) == 0 && after.st_ino == before.st_ino && after.st_size == before.st_size
            && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec
            && count == Int(before.st_size)
        guard unchanged else {
            throw .source("\(path): changed while it was read (still being written?); not applied, read again at the next sync")
        }
        return Array(bytes.prefix(count))
    }
}
