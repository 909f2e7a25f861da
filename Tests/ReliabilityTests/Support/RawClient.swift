import Foundation

/// A blocking TCP client on 127.0.0.1 that reads only when told, so a test can play a
/// client that pipelines requests and never reads its replies. Use it off the test's
/// thread (`offThread`).
final class RawClient: @unchecked Sendable {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SpawnError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw SpawnError("connect to port \(port): \(String(cString: strerror(errno)))")
        }
        // A read that waits this long fails instead of hanging the test.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw SpawnError("write: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Reads until `count` bytes arrived (or the server closed, or a minute passed with
    /// nothing), keeping only the last two: how many arrived, and how they ended.
    func drain(count: Int) throws -> (bytes: Int, ending: String) {
        var chunk = [UInt8](repeating: 0, count: 256 << 10)
        var bytes = 0
        var ending: [UInt8] = []
        while bytes < count {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, count - bytes)) }
            guard n > 0 else { break }
            bytes += n
            ending = Array((ending + chunk[max(0, n - 2)..<n]).suffix(2))
        }
        return (bytes, String(decoding: ending, as: UTF8.self))
    }
}
