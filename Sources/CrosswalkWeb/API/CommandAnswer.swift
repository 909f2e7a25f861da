/// What the web asks the daemon: a protocol read command's answer. The daemon answers
/// through its own command table (same arguments, cache and error texts), so the web
/// never grows a second copy of the commands.
package protocol CommandAnswering: Sendable {
    /// `command` with protocol arguments: `("SDG", ["13", "FY", "2023"])`.
    func answer(_ command: String, _ arguments: [String]) async -> CommandAnswer
}

/// A command's answer: the SQL's JSON text, or why there is none.
package enum CommandAnswer: Sendable {
    case json(String)
    case failure(AnswerFailure)
}

/// A failed answer, with the protocol's error text (`ERR FY must be …`).
package struct AnswerFailure: Error, Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// The client's own argument: HTTP 400.
        case badArgument
        /// No such program or policy: 404.
        case notFound
        /// A password is set and the request has no session or token: 401.
        case unauthorized
        /// The database cannot be reached: 503.
        case unavailable
        /// Anything else; the detail is in the log only: 500.
        case `internal`
    }

    package var kind: Kind
    package var text: String

    package init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}
