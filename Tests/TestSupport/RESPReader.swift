/// One RESP2 or RESP3 reply as it came over the wire, type by type, so tests can check the
/// type a client library would see, not only the text.
public indirect enum RESPValue: Equatable, Sendable {
    case simple(String)
    case error(String)
    case integer(Int64)
    /// A bulk string; `nil` for RESP2's null bulk string `$-1`.
    case bulk(String?)
    /// A RESP3 double, as written.
    case double(String)
    case boolean(Bool)
    /// RESP3 `_`.
    case null
    case array([RESPValue])
    /// A RESP3 map, keys and values alternating.
    case map([RESPValue])

    /// The value for `key` in a RESP3 map or a RESP2 flat key/value array.
    public subscript(key: String) -> RESPValue? {
        let pairs: [RESPValue]
        switch self {
        case .map(let items), .array(let items): pairs = items
        default: return nil
        }
        return stride(from: 0, to: pairs.count - 1, by: 2).first { pairs[$0] == .bulk(key) }.map { pairs[$0 + 1] }
    }

    /// The elements of an array.
    public var items: [RESPValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

extension TestClient {
    /// Reads one complete RESP reply (RESP2 or RESP3).
    public func readRESP() async throws -> RESPValue {
        let line = try await readLine()
        guard let type = line.first else { throw TestTimeout(what: "a RESP reply, got an empty line") }
        let rest = String(line.dropFirst())
        switch type {
        case "+": return .simple(rest)
        case "-": return .error(rest)
        case ":": return .integer(Int64(rest) ?? .min)
        case ",": return .double(rest)
        case "#": return .boolean(rest == "t")
        case "_": return .null
        case "$":
            guard let length = Int(rest), length >= 0 else { return .bulk(nil) }
            let bytes = try await read(count: length + 2)
            return .bulk(String(decoding: bytes.dropLast(2), as: UTF8.self))
        case "*", "%":
            guard let count = Int(rest), count >= 0 else { return .bulk(nil) }
            var items: [RESPValue] = []
            for _ in 0..<(type == "%" ? count * 2 : count) { items.append(try await readRESP()) }
            return type == "%" ? .map(items) : .array(items)
        default:
            throw TestTimeout(what: "a RESP reply, got \(line.prefix(80))")
        }
    }
}
