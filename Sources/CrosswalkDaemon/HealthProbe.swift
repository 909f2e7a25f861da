#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `crosswalk health`: asks a running daemon `HEALTH` over a plain blocking socket (a
/// one-shot check needs no event loop) and reports whether it and its database answer.
package enum HealthProbe {
    package enum Result: Equatable, Sendable {
        case healthy
        /// Why not, in words for an operator: no daemon, no answer, or the daemon's error.
        case unhealthy(String)
    }

    package static func check(host: String, port: Int, timeoutSeconds: Int = 5) -> Result {
        let address = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .unhealthy("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return .unhealthy("cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            return .unhealthy("no daemon answering at \(address): \(String(cString: strerror(errno)))")
        }
        // RESP framing, so the reply is a RESP status or error rather than inline JSON.
        let request = Array("*1\r\n$6\r\nHEALTH\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            return .unhealthy("cannot send to \(address): \(String(cString: strerror(errno)))")
        }
        guard let line = readLine(fd) else {
            return .unhealthy("no reply from \(address) within \(timeoutSeconds)s")
        }
        if line == "+OK" { return .healthy }
        let reason = line.hasPrefix("-") ? String(line.dropFirst()) : "unexpected reply '\(line.prefix(80))'"
        return .unhealthy("daemon at \(address): \(reason)")
    }

    /// One CRLF-terminated line (at most 4 KiB), or nil on timeout or close.
    private static func readLine(_ fd: Int32) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while bytes.count < 4096 {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return nil }
            bytes += buffer[..<n]
            if let end = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                let line = bytes[..<end].last == UInt8(ascii: "\r") ? bytes[..<(end - 1)] : bytes[..<end]
                return String(decoding: line, as: UTF8.self)
            }
        }
        return nil
    }
}
