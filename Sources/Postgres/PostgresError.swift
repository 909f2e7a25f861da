/// A failure reported by PostgreSQL or libpq. Carries what an operator needs to act
/// (SQLSTATE, message, detail, the statement) and never the parameter values,
/// which may hold secrets.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached or the connection broke.
        case connection
        /// The server rejected a statement.
        case statement
        /// A value did not fit the Swift type asked for.
        case decoding
        /// The pool had no connection to give within the wait limit.
        case poolExhausted
        /// The pool or thread pool was shut down.
        case shutdown
    }

    public var kind: Kind
    /// Five-character SQLSTATE (`23505`), when the server sent one.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The SQL text that failed (placeholders, not values).
    public var statement: String?

    public init(
        kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, statement: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.statement = statement
    }

    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail { text += "; detail: \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        if let statement {
            let oneLine = statement.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            text += "; statement: \(oneLine.prefix(200))"
        }
        return text
    }

    /// True for errors after which the connection cannot be used again.
    public var isConnectionFailure: Bool { kind == .connection }
}

import Foundation
