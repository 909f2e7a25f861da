import CrosswalkServer
package import CrosswalkWeb
package import Logging

/// The data commands as registered, with their handlers: what the web asks.
package struct DataAnswers: Sendable {
    let commands: CommandRegistry
    let handlers: [String: Command.Handler]
}

/// The web's questions answered by the protocol's own handlers: the same arguments,
/// cache, JSON and error texts; each error reply mapped to its HTTP meaning.
package struct WebAnswers: CommandAnswering {
    let answers: DataAnswers
    let logger: Logger

    package init(answers: DataAnswers, logger: Logger) {
        self.answers = answers
        self.logger = logger
    }

    package func answer(_ name: String, _ arguments: [String]) async -> CommandAnswer {
        guard let command = answers.commands.command(named: name), let handler = answers.handlers[command.name] else {
            return .failure(AnswerFailure(.internal, "ERR internal error"))
        }
        guard command.arity.contains(arguments.count), command.validate?(arguments) ?? true else {
            return .failure(AnswerFailure(.badArgument, command.wrongArgumentsMessage))
        }
        var requestLogger = logger
        requestLogger[metadataKey: "command"] = "\(command.name)"
        requestLogger[metadataKey: "via"] = "http"
        do {
            let reply = try await handler(Request(command: command.name, arguments: arguments, logger: requestLogger))
            return .json(reply.jsonText())
        } catch let error as CommandError {
            return .failure(Self.failure(error, command: command))
        } catch {
            requestLogger.warning("command failed", metadata: ["error": "\(error)"])
            return .failure(AnswerFailure(.internal, "ERR internal error"))
        }
    }

    static func failure(_ error: CommandError, command: Command) -> AnswerFailure {
        if error.isWrongArguments { return AnswerFailure(.badArgument, command.wrongArgumentsMessage) }
        if error.code == "NOTFOUND" { return AnswerFailure(.notFound, error.description) }
        if error.message.hasPrefix(DataCommands.DatabaseErrorsAsReplies.unavailable) { return AnswerFailure(.unavailable, error.description) }
        return AnswerFailure(.badArgument, error.description)
    }
}
