/// A query's result, copied out of libpq so it outlives the PGresult.
package struct PostgresRows: Sendable, Sequence {
    package let columns: [String]
    package let rows: [PostgresRow]
    /// Rows affected, for INSERT/UPDATE/DELETE/COPY.
    package let affectedRows: Int

    package func makeIterator() -> IndexingIterator<[PostgresRow]> { rows.makeIterator() }
    package var count: Int { rows.count }
    package var first: PostgresRow? { rows.first }
}

/// One row: values in text form, decoded on demand with an error naming the column.
package struct PostgresRow: Sendable {
    let columnIndex: [String: Int]
    package let values: [String?]

    package func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        let text = try rawValue(column)
        guard let text else {
            throw PostgresError(kind: .decoding, message: "column \"\(column)\" is NULL, expected \(T.self)")
        }
        guard let value = T(postgresText: text) else {
            throw PostgresError(kind: .decoding, message: "column \"\(column)\" holds \(Self.excerpt(text)), which is not a valid \(T.self)")
        }
        return value
    }

    /// Like `decode`, but SQL NULL is `nil`.
    package func decodeIfPresent<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard try rawValue(column) != nil else { return nil }
        return try decode(column, as: type)
    }

    package func isNull(_ column: String) throws -> Bool { try rawValue(column) == nil }

    private func rawValue(_ column: String) throws -> String? {
        guard let index = columnIndex[column] else {
            throw PostgresError(kind: .decoding, message: "no column \"\(column)\" in the result (columns: \(columnIndex.keys.sorted().joined(separator: ", ")))")
        }
        return values[index]
    }

    private static func excerpt(_ text: String) -> String {
        text.count > 40 ? "'\(text.prefix(40))…'" : "'\(text)'"
    }
}
