#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one document's bytes, refusing what a sync must not wait on or trust: anything
/// but a regular file (a FIFO in a source folder would block `open` until some writer
/// came, holding the sync lock), and a file that changed while it was read (one being
/// written: applying it would store a torn last row; the next sync reads it whole).
package enum DocumentFile {
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
        // One byte more than the size: a file that grew while being read shows it.
        guard let bytes = Self.bytes(of: fd, upTo: Int(before.st_size) + 1, expected: Int(before.st_size)) else {
            throw .source("\(path): cannot read the file: \(String(cString: strerror(errno)))")
        }
        var after = stat()
        let unchanged = stat(path, &after) == 0 && after.st_ino == before.st_ino && after.st_size == before.st_size
            && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec
            && bytes.count == Int(before.st_size)
        guard unchanged else {
            throw .source("\(path): changed while it was read (still being written?); not applied, read again at the next sync")
        }
        return bytes
    }

    /// At most `maximum` bytes of an open file, read(2) straight into the array, which is
    /// sized for the `expected` size (the file's, from fstat) and grows if there is more.
    /// nil when a read fails (errno says why: EISDIR for a folder).
    package static func bytes(of fd: Int32, upTo maximum: Int, expected: Int) -> [UInt8]? {
        // One byte more than expected: the read that finds the end confirms it.
        var bytes = [UInt8](repeating: 0, count: max(1, min(maximum, expected + 1)))
        var count = 0
        while count < maximum {
            if count == bytes.count {
                bytes.append(contentsOf: repeatElement(0, count: min(maximum, 2 * bytes.count) - bytes.count))
            }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeSubrange(count...)
        return bytes
    }
}
