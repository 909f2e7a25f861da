/// The commands every server has. Each entry carries its implementation: those that read or
/// change the connection's session (AUTH, HELLO, CLIENT, OUTPUT, SELECT, PING, QUIT, HELP,
/// COMMAND) run in request order on the event loop (`Builtins+Session.swift`); INFO asks the
/// application for its sections and runs like a data command (`Builtins+Introspection.swift`).
enum BuiltinCommands {
    static let all: [Command] = [
        Command(
            name: "PING", usage: "PING [message]",
            summary: "Test the connection: replies PONG, or the message.",
            access: .public, arity: 0...1, work: .session(ping)),
        Command(
            // redis-cli answers HELP itself and never sends it: USAGE reaches the server.
            name: "HELP", aliases: ["USAGE"], usage: "HELP [command]",
            summary: "List the commands with their usage, or show one command's usage.",
            access: .public, arity: 0...1, work: .session(help)),
        Command(
            name: "INFO", usage: "INFO [section]",
            summary: "Server statistics: uptime, connections, commands served, errors, application sections.",
            access: .authenticated, arity: 0...1, work: .answer(info)),
        Command(
            name: "QUIT", usage: "QUIT",
            summary: "Reply OK and close the connection.",
            access: .public, arity: 0...0, work: .session(quit)),
        Command(
            name: "AUTH", usage: "AUTH <token>",
            summary: "Authenticate with the password or the admin token.",
            access: .public, arity: 1...2, work: .session(auth)),
        Command(
            name: "OUTPUT", usage: "OUTPUT [json|resp|auto]",
            summary: "Choose the reply form for this connection (auto: follow each request's framing).",
            access: .authenticated, arity: 0...1,
            validate: { args in args.isEmpty || ["JSON", "RESP", "AUTO"].contains(args[0].uppercased()) },
            work: .session(output)),
        Command(
            name: "HELLO", usage: "HELLO [2|3 [AUTH <user> <token>] [SETNAME <name>]]",
            summary: "Redis handshake: choose RESP2 or RESP3, authenticate and name the connection in one step.",
            access: .public, arity: 0...6, work: .session(hello)),
        Command(
            name: "CLIENT", usage: "CLIENT SETNAME <name> | GETNAME | ID | INFO | SETINFO <attr> <value>",
            summary: "Client-library probes; harmless answers.",
            access: .authenticated, arity: 1...8, work: .session(client)),
        Command(
            name: "COMMAND", usage: "COMMAND [COUNT | LIST | DOCS [name …] | INFO [name …]]",
            summary: "Command table for client libraries.",
            access: .authenticated, arity: 0...Int.max, work: .session(command)),
        Command(
            name: "SELECT", usage: "SELECT 0",
            summary: "Accepted for client compatibility; only database 0 exists.",
            access: .authenticated, arity: 1...1, work: .session(select)),
    ]
}
