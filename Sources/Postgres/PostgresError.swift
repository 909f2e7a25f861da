/// A failure reported by PostgreSQL or libpq. Carries what an operator needs to act
/// (SQLSTATE, message, detail, the statement) and never the parameter values,
/// which may hold secrets.
package struct PostgresError: Error, CustomStringConvertible, Sendable {
    package enum Kind: Sendable, Equatable {
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

    package var kind: Kind
    /// Five-character SQLSTATE (`23505`), when the server sent one.
    package var sqlState: String?
    package var message: String
    package var detail: String?
    package var hint: String?
    /// The SQL text that failed (placeholders, not values).
    package var statement: String?

    package init(
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

    package var description: String {
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
    package var isConnectionFailure: Bool { kind == .connection }
}

import Foundation
