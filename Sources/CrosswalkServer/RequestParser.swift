import NIOCore

/// Splits a byte stream into requests: inline lines or RESP arrays of bulk strings.
///
/// The parser is pure: it looks at the readable bytes of a buffer and says how many bytes
/// the next request occupies. It never holds more than one request's worth of bytes
/// (bounded by `maxRequestBytes`) — callers stop reading while the buffer has no
/// complete request and is over the limit, which this parser reports as a fatal error.
struct RequestParser: Sendable {
    enum Outcome: Equatable {
        /// Not enough bytes yet.
        case needMore
        /// A blank line or an empty RESP array: consumed, nothing to answer.
        case empty(consumed: Int)
        /// The verb apart from its arguments: a request of a verb alone (`PING`) allocates no array.
        case request(Framing, verb: String, arguments: [String], consumed: Int)
        /// An error to answer. When `fatal`, the stream can't be resynchronised: answer,
        /// then close. Non-fatal errors consumed exactly one request.
        case error(Framing, String, fatal: Bool, consumed: Int)
    }

    var maxRequestBytes: Int
    var maxArguments: Int

    /// The longest `*N` / `$N` header line accepted.
    static let maxHeaderLine = 32

    /// Parses the first request in `buffer`'s readable bytes (without moving its reader index).
    /// With `atEOF`, a trailing inline line without a newline counts as complete.
    func parse(_ buffer: ByteBuffer, atEOF: Bool = false) -> Outcome {
        buffer.withUnsafeReadableBytes { parse(bytes: $0, atEOF: atEOF) }
    }

    func parse(bytes: [UInt8], atEOF: Bool = false) -> Outcome {
        bytes.withUnsafeBytes { parse(bytes: $0, atEOF: atEOF) }
    }

    func parse(bytes: UnsafeRawBufferPointer, atEOF: Bool) -> Outcome {
        guard let first = bytes.first else { return .needMore }
        if first == UInt8(ascii: "*") {
            return parseRESP(bytes)
        }
        return parseInline(bytes, atEOF: atEOF)
    }

    // MARK: Inline

    private func parseInline(_ bytes: UnsafeRawBufferPointer, atEOF: Bool) -> Outcome {
        let lineEnd: Int
        let consumed: Int
        if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            lineEnd = newline
            consumed = newline + 1
        } else if bytes.count > maxRequestBytes {
            return .error(.inline, "ERR Protocol error: too big inline request", fatal: true, consumed: bytes.count)
        } else if atEOF {
            lineEnd = bytes.count
            consumed = bytes.count
        } else {
            return .needMore
        }
        guard lineEnd <= maxRequestBytes else {
            return .error(.inline, "ERR Protocol error: too big inline request", fatal: true, consumed: consumed)
        }
        var end = lineEnd
        if end > 0, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        switch Self.splitArguments(UnsafeRawBufferPointer(rebasing: bytes[0..<end]), maxArguments: maxArguments) {
        case .success(let args):
            guard let verb = args.first else { return .empty(consumed: consumed) }
            return .request(.inline, verb: verb, arguments: Array(args.dropFirst()), consumed: consumed)
        case .failure(let error):
            return .error(.inline, error.message, fatal: false, consumed: consumed)
        }
    }

    struct SplitError: Error, Equatable {
        var message: String
        static let unbalancedQuotes = SplitError(message: "ERR Protocol error: unbalanced quotes in request")
        static let invalidUTF8 = SplitError(message: "ERR invalid UTF-8 in request")
        static let tooManyArguments = SplitError(message: "ERR Protocol error: too many arguments")
    }

    /// Splits one inline line like Redis's `sdssplitargs`: words separated by spaces or tabs;
    /// `"double quotes"` with `\" \\ \n \r \t \b \a \xHH` escapes; `'single quotes'` with `\'`.
    /// A closing quote must be followed by whitespace or the end of the line.
    static func splitArguments(_ line: UnsafeRawBufferPointer, maxArguments: Int) -> Result<[String], SplitError> {
        var args: [String] = []
        var i = 0
        let n = line.count
        func isSpace(_ b: UInt8) -> Bool {
            b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C || b == 0x0D || b == 0x0A
        }
        func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while true {
            while i < n, isSpace(line[i]) { i += 1 }
            if i >= n { break }
            var current: [UInt8] = []
            var inDouble = false
            var inSingle = false
            var done = false
            while !done {
                if inDouble {
                    guard i < n else { return .failure(.unbalancedQuotes) }
                    let b = line[i]
                    if b == UInt8(ascii: "\\"), i + 3 < n, line[i + 1] == UInt8(ascii: "x"),
                        let hi = hexValue(line[i + 2]), let lo = hexValue(line[i + 3])
                    {
                        current.append(hi << 4 | lo)
                        i += 3
                    } else if b == UInt8(ascii: "\\"), i + 1 < n {
                        i += 1
                        switch line[i] {
                        case UInt8(ascii: "n"): current.append(0x0A)
                        case UInt8(ascii: "r"): current.append(0x0D)
                        case UInt8(ascii: "t"): current.append(0x09)
                        case UInt8(ascii: "b"): current.append(0x08)
                        case UInt8(ascii: "a"): current.append(0x07)
                        default: current.append(line[i])
                        }
                    } else if b == UInt8(ascii: "\"") {
                        // The closing quote must be followed by a space or the end.
                        if i + 1 < n, !isSpace(line[i + 1]) { return .failure(.unbalancedQuotes) }
                        done = true
                    } else {
                        current.append(b)
                    }
                } else if inSingle {
                    guard i < n else { return .failure(.unbalancedQuotes) }
                    let b = line[i]
                    if b == UInt8(ascii: "\\"), i + 1 < n, line[i + 1] == UInt8(ascii: "'") {
                        i += 1
                        current.append(UInt8(ascii: "'"))
                    } else if b == UInt8(ascii: "'") {
                        if i + 1 < n, !isSpace(line[i + 1]) { return .failure(.unbalancedQuotes) }
                        done = true
                    } else {
                        current.append(b)
                    }
                } else {
                    if i >= n {
                        done = true
                        break
                    }
                    let b = line[i]
                    if isSpace(b) {
                        done = true
                    } else if b == UInt8(ascii: "\"") {
                        inDouble = true
                    } else if b == UInt8(ascii: "'") {
                        inSingle = true
                    } else {
                        current.append(b)
                    }
                }
                if i < n { i += 1 }
            }
            guard let s = current.withUnsafeBytes(Self.string) else { return .failure(.invalidUTF8) }
            guard args.count < maxArguments else { return .failure(.tooManyArguments) }
            args.append(s)
        }
        return .success(args)
    }

    // MARK: RESP

    /// Reads a header line (`*N` or `$N`) starting at `start`; returns the number and the
    /// index after the line, `nil` for "need more", or an error text.
    private enum Header {
        case needMore
        case value(Int, next: Int)
        case invalid
    }

    private func header(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Header {
        // bytes[start] is the type byte ('*' or '$').
        var i = start + 1
        var value = 0
        var digits = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        while i < bytes.count {
            let b = bytes[i]
            if b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
                digits += 1
                if digits > 18 { return .invalid }
                value = value * 10 + Int(b - UInt8(ascii: "0"))
                i += 1
            } else if b == UInt8(ascii: "\r") {
                guard i + 1 < bytes.count else { return .needMore }
                guard bytes[i + 1] == UInt8(ascii: "\n"), digits > 0 else { return .invalid }
                return .value(negative ? -value : value, next: i + 2)
            } else if b == UInt8(ascii: "\n") {
                guard digits > 0 else { return .invalid }
                return .value(negative ? -value : value, next: i + 1)
            } else {
                return .invalid
            }
        }
        return i - start > Self.maxHeaderLine ? .invalid : .needMore
    }

    private func parseRESP(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let count: Int
        var i: Int
        switch header(bytes, at: 0) {
        case .needMore: return .needMore
        case .invalid:
            return .error(.resp, "ERR Protocol error: invalid multibulk length", fatal: true, consumed: bytes.count)
        case .value(let n, let next):
            count = n
            i = next
        }
        if count <= 0 { return .empty(consumed: i) }
        guard count <= maxArguments else {
            return .error(.resp, "ERR Protocol error: invalid multibulk length", fatal: true, consumed: bytes.count)
        }
        // First the framing: where the request ends, or a fatal error. Nothing is copied yet,
        // so a large request arriving in many reads is not turned into strings each time.
        let firstArgument = i
        var total = 0
        for _ in 0..<count {
            guard i < bytes.count else { return .needMore }
            guard bytes[i] == UInt8(ascii: "$") else {
                let got = Self.printable(bytes[i])
                return .error(.resp, "ERR Protocol error: expected '$', got '\(got)'", fatal: true, consumed: bytes.count)
            }
            let length: Int
            switch header(bytes, at: i) {
            case .needMore: return .needMore
            case .invalid:
                return .error(.resp, "ERR Protocol error: invalid bulk length", fatal: true, consumed: bytes.count)
            case .value(let n, let next):
                length = n
                i = next
            }
            total += max(length, 0)
            guard length >= 0, length <= maxRequestBytes, total <= maxRequestBytes else {
                return .error(.resp, "ERR Protocol error: invalid bulk length", fatal: true, consumed: bytes.count)
            }
            guard i + length + 2 <= bytes.count else { return .needMore }
            guard bytes[i + length] == UInt8(ascii: "\r"), bytes[i + length + 1] == UInt8(ascii: "\n") else {
                return .error(.resp, "ERR Protocol error: bulk string not terminated by CRLF", fatal: true, consumed: bytes.count)
            }
            i += length + 2
        }
        // Then the arguments, reading the (valid) `$N` headers again rather than keeping an
        // array of ranges per request.
        var verb: String?
        var args: [String] = []
        if count > 1 { args.reserveCapacity(count - 1) }
        var at = firstArgument
        while at < i, case .value(let length, let start) = header(bytes, at: at) {
            guard let s = Self.string(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)])) else {
                return .error(.resp, "ERR invalid UTF-8 in request", fatal: false, consumed: i)
            }
            if verb == nil { verb = s } else { args.append(s) }
            at = start + length + 2
        }
        return .request(.resp, verb: verb ?? "", arguments: args, consumed: i)
    }

    /// The bytes as a `String` if they are valid UTF-8. ASCII (verbs, numbers, most arguments)
    /// takes a fast path: `String(validating:)` looks up generic metadata on every call.
    static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
        if bytes.allSatisfy({ $0 < 0x80 }) {
            return bytes.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func printable(_ b: UInt8) -> String {
        if b >= 0x20, b < 0x7F { return String(UnicodeScalar(b)) }
        return "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
    }
}
