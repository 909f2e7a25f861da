extension ReplyValue {
    /// How `ReplyValue(encodable:)` writes a `Double` with a whole value.
    package enum WholeDoubles: Sendable {
        /// As an `.int`, the value `JSONEncoder` text reads back as (`3.0` is written `3`).
        case integers
        /// As a `.double`, so a field keeps one type whatever its value: RESP2 clients get a
        /// string and RESP3 clients a double for every value of a decimal field.
        case doubles
    }

    /// Builds a reply straight from an answer computed in Swift, without JSON text in between.
    ///
    /// The value is the one `JSONEncoder` with `.sortedKeys` would write, read back: keys as the
    /// type's coding keys give them, sorted; nil optionals left out; a whole `Double` becomes an
    /// `.int` (JSONEncoder writes `3.0` as `3`) unless `wholeDoubles` is `.doubles`, others stay
    /// `.double`. Dates, data and URLs have no single JSON form and are refused.
    package init<T: Encodable>(encodable value: T, wholeDoubles: WholeDoubles = .integers) throws {
        self = try ReplyValueEncoding.box(value, codingPath: [], doubles: wholeDoubles).value
    }
}

/// The pieces of `ReplyValue(encodable:)`: a tree of nodes the containers fill in, read as
/// a `ReplyValue` when encoding is done.
enum ReplyValueEncoding {
    /// One value being encoded; a class because containers hand out references to their children.
    final class Node {
        enum Content {
            case empty
            case single(ReplyValue)
            case keyed([String: Node])
            case unkeyed([Node])
        }

        var content = Content.empty

        init(_ content: Content = .empty) { self.content = content }

        var value: ReplyValue {
            switch content {
            // A type that opened no container: JSONEncoder writes `{}`.
            case .empty: return .object([])
            case .single(let value): return value
            // Sorted by code units, as `.sortedKeys` does for the ASCII keys of our answers.
            case .keyed(let children): return .object(children.sorted { $0.key < $1.key }.map { ($0.key, $0.value.value) })
            case .unkeyed(let children): return .array(children.map(\.value))
            }
        }
    }

    static func box<T: Encodable>(_ value: T, codingPath: [any CodingKey], doubles: ReplyValue.WholeDoubles) throws -> Node {
        switch value {
        case let v as Bool: return Node(.single(.bool(v)))
        case let v as String: return Node(.single(.string(v)))
        case let v as Double: return Node(.single(try number(v, codingPath: codingPath, doubles: doubles)))
        case let v as Float: return Node(.single(try number(Double("\(v)") ?? Double(v), codingPath: codingPath, doubles: doubles)))
        case let v as any BinaryInteger:
            // JSON text cannot tell integer types apart; one beyond Int64 reads back as a double.
            return Node(.single(Int64(exactly: v).map { .int($0) } ?? .double(Double(v))))
        default:
            try refuseUnrepresentable(value, codingPath: codingPath)
            let node = Node()
            try value.encode(to: Encoder(node: node, codingPath: codingPath, doubles: doubles))
            return node
        }
    }

    private static func number(_ d: Double, codingPath: [any CodingKey], doubles: ReplyValue.WholeDoubles) throws -> ReplyValue {
        guard d.isFinite else {
            throw EncodingError.invalidValue(d, .init(codingPath: codingPath, debugDescription: "\(d) is not a JSON number"))
        }
        // Whole numbers JSONEncoder writes without exponent are written as integers.
        if doubles == .integers, d == d.rounded(.towardZero), !"\(d)".contains("e"), let i = Int64(exactly: d) {
            return .int(i)
        }
        return .double(d)
    }

    /// JSONEncoder gives these special forms (and strategies); their own `encode(to:)` would
    /// give something else, so they are refused rather than encoded differently.
    private static func refuseUnrepresentable(_ value: Any, codingPath: [any CodingKey]) throws {
        let name = "\(type(of: value))"
        if name == "Date" || name == "Data" || name == "URL" || name == "Decimal" {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "\(name) has no single JSON form"))
        }
    }

    struct Encoder: Swift.Encoder {
        let node: Node
        let codingPath: [any CodingKey]
        let doubles: ReplyValue.WholeDoubles
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .keyed = node.content {} else { node.content = .keyed([:]) }
            return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath, doubles: doubles))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .unkeyed = node.content {} else { node.content = .unkeyed([]) }
            return UnkeyedContainer(node: node, codingPath: codingPath, doubles: doubles)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            SingleValueContainer(node: node, codingPath: codingPath, doubles: doubles)
        }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]
        let doubles: ReplyValue.WholeDoubles

        private func set(_ child: Node, for key: Key) {
            guard case .keyed(var children) = node.content else { return }
            children[key.stringValue] = child
            node.content = .keyed(children)
        }

        mutating func encodeNil(forKey key: Key) throws { set(Node(.single(.null)), for: key) }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            set(try box(value, codingPath: codingPath + [key], doubles: doubles), for: key)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node(.keyed([:]))
            set(child, for: key)
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key], doubles: doubles))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Node(.unkeyed([]))
            set(child, for: key)
            return UnkeyedContainer(node: child, codingPath: codingPath + [key], doubles: doubles)
        }

        mutating func superEncoder() -> any Swift.Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

        mutating func superEncoder(forKey key: Key) -> any Swift.Encoder {
            let child = Node()
            set(child, for: key)
            return Encoder(node: child, codingPath: codingPath + [key], doubles: doubles)
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        let doubles: ReplyValue.WholeDoubles

        var count: Int {
            guard case .unkeyed(let children) = node.content else { return 0 }
            return children.count
        }

        private var nextKey: any CodingKey { IndexKey(intValue: count) }

        private func append(_ child: Node) {
            guard case .unkeyed(var children) = node.content else { return }
            children.append(child)
            node.content = .unkeyed(children)
        }

        mutating func encodeNil() throws { append(Node(.single(.null))) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            append(try box(value, codingPath: codingPath + [nextKey], doubles: doubles))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node(.keyed([:]))
            let path = codingPath + [nextKey]
            append(child)
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: path, doubles: doubles))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Node(.unkeyed([]))
            let path = codingPath + [nextKey]
            append(child)
            return UnkeyedContainer(node: child, codingPath: path, doubles: doubles)
        }

        mutating func superEncoder() -> any Swift.Encoder {
            let child = Node()
            let path = codingPath + [nextKey]
            append(child)
            return Encoder(node: child, codingPath: path, doubles: doubles)
        }
    }

    struct SingleValueContainer: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        let doubles: ReplyValue.WholeDoubles

        mutating func encodeNil() throws { node.content = .single(.null) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            node.content = try box(value, codingPath: codingPath, doubles: doubles).content
        }
    }

    struct IndexKey: CodingKey {
        var stringValue: String { "\(intValue!)" }
        var intValue: Int?
        init(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }
}
