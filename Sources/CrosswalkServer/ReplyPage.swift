/// `LIMIT n`, `OFFSET m` and `FIELDS a,b,…` at the end of any application command's
/// arguments: the server takes them off before the command sees its arguments (so a cached
/// answer serves every page), then cuts the reply's list to the page and each entry to the
/// fields. The list is the reply itself when it is an array, else the first member of the
/// reply object whose value is an array; the reply gains
/// `page: {list, total, offset, limit, fields}` so a client knows how many there are in all.
package struct ReplyPage: Sendable, Equatable {
    package var limit: Int?
    package var offset = 0
    package var fields: [String]?

    package static let keywords: Set<String> = ["LIMIT", "OFFSET", "FIELDS"]

    /// The page options at the end of `arguments`, and the arguments before them; nil page
    /// when there are none. A keyword followed by a bad value is an error naming both.
    package static func take(from arguments: [String]) throws(CommandError) -> (page: ReplyPage?, rest: [String]) {
        var rest = arguments
        var page = ReplyPage()
        var seen: Set<String> = []
        while rest.count >= 2, case let keyword = rest[rest.count - 2].uppercased(), keywords.contains(keyword),
            !seen.contains(keyword)
        {
            let value = rest[rest.count - 1]
            seen.insert(keyword)
            switch keyword {
            case "LIMIT":
                guard let n = Int(value), n >= 0 else { throw .invalid("LIMIT takes a whole number from 0, not '\(clip(value))'") }
                page.limit = n
            case "OFFSET":
                guard let n = Int(value), n >= 0 else { throw .invalid("OFFSET takes a whole number from 0, not '\(clip(value))'") }
                page.offset = n
            default:
                let names = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard !names.contains(where: \.isEmpty) else {
                    throw .invalid("FIELDS takes field names separated by commas, such as name,thousand_yen, not '\(clip(value))'")
                }
                page.fields = names
            }
            rest.removeLast(2)
        }
        return (seen.isEmpty ? nil : page, rest)
    }

    /// The reply cut to this page; errors pass through. A reply with no list is an error.
    package func apply(to reply: ReplyValue, command: String) throws(CommandError) -> ReplyValue {
        switch reply {
        case .error:
            return reply
        case .encoded(let encoded):
            return try apply(to: encoded.value, command: command)
        case .array(let items):
            return .object([("page", meta(list: nil, total: items.count)), ("result", .array(try cut(items)))])
        case .object(var pairs):
            guard let index = pairs.firstIndex(where: { if case .array = $0.1 { true } else { false } }),
                case .array(let items) = pairs[index].1
            else {
                throw .invalid("\(command)'s reply has no list to take in parts (LIMIT, OFFSET, FIELDS)")
            }
            pairs[index].1 = .array(try cut(items))
            pairs.append(("page", meta(list: pairs[index].0, total: items.count)))
            return .object(pairs)
        default:
            throw .invalid("\(command)'s reply has no list to take in parts (LIMIT, OFFSET, FIELDS)")
        }
    }

    private func cut(_ items: [ReplyValue]) throws(CommandError) -> [ReplyValue] {
        let start = min(offset, items.count)
        let end = limit.map { min(items.count, start + $0) } ?? items.count
        let page = items[start..<end]
        guard let fields else { return Array(page) }
        // Unknown names are refused, not answered with nothing: judged on the first entry.
        if case .object(let first)? = items.first.map(Self.plain) {
            let known = first.map(\.0)
            if let unknown = fields.first(where: { !known.contains($0) }) {
                throw .invalid("FIELDS: no field '\(Self.clip(unknown))'; the fields are \(known.joined(separator: ","))")
            }
        }
        return page.map { item in
            guard case .object(let pairs) = Self.plain(item) else { return item }
            return .object(fields.compactMap { name in pairs.first { $0.0 == name } })
        }
    }

    private func meta(list: String?, total: Int) -> ReplyValue {
        .object([
            ("list", list.map { .string($0) } ?? .null),
            ("total", .int(Int64(total))),
            ("offset", .int(Int64(offset))),
            ("limit", limit.map { .int(Int64($0)) } ?? .null),
            ("fields", fields.map { .array($0.map { .string($0) }) } ?? .null),
        ])
    }

    private static func plain(_ value: ReplyValue) -> ReplyValue {
        if case .encoded(let encoded) = value { return encoded.value }
        return value
    }

    private static func clip(_ s: String) -> String {
        s.count > 64 ? String(s.prefix(64)) + "…" : s
    }
}
