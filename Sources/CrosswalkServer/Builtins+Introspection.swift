/// HELP, COMMAND and INFO: what the server can tell about itself.
extension BuiltinCommands {
    // MARK: HELP

    @Sendable static func help(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply {
        let reply = helpReply(request.arguments, registry: server.registry, format: request.replyFormat)
        return SessionReply(reply, errorKind: "unknown_command")
    }

    static func helpReply(_ args: [String], registry: CommandRegistry, format: ReplyFormat) -> ReplyValue {
        if let name = args.first {
            guard let command = registry.command(named: name) else {
                return .error("ERR unknown command '\(name)'")
            }
            switch format {
            case .json:
                return .object(helpFields(command))
            case .resp, .resp3:
                return .array([.string(command.usage), .string(command.summary + aliasNote(command))])
            }
        }
        switch format {
        case .json:
            return .object([("commands", .array(registry.all.map { .object(helpFields($0)) }))])
        case .resp, .resp3:
            return .array(registry.all.map { .string("\($0.usage) - \($0.summary)\(aliasNote($0))") })
        }
    }

    /// One command as HELP shows it in JSON; `aliases` only where there are some.
    private static func helpFields(_ c: Command) -> [(String, ReplyValue)] {
        var fields: [(String, ReplyValue)] = [
            ("name", .string(c.name)),
            ("usage", .string(c.usage)),
            ("summary", .string(c.summary)),
            ("access", .string(accessName(c.access))),
        ]
        if !c.aliases.isEmpty { fields.append(("aliases", .array(c.aliases.map { .string($0) }))) }
        return fields
    }

    /// ` (also SYNCNOW)` after a summary, for commands with other names.
    private static func aliasNote(_ c: Command) -> String {
        c.aliases.isEmpty ? "" : " (also \(c.aliases.joined(separator: ", ")))"
    }

    static func accessName(_ access: Command.Access) -> String {
        switch access {
        case .public: return "public"
        case .authenticated: return "authenticated"
        case .admin: return "admin"
        }
    }

    // MARK: COMMAND

    @Sendable static func command(_ session: inout Session, _ request: SessionCall, _ server: ServerContext) -> SessionReply {
        let reply = commandReply(request.arguments, registry: server.registry)
        return SessionReply(reply, errorKind: "command")
    }

    /// `COMMAND …`: Redis's command-table probe, answered from our table.
    static func commandReply(_ args: [String], registry: CommandRegistry) -> ReplyValue {
        func entry(_ c: Command) -> ReplyValue {
            // Redis arity counts the verb; negative means "at least".
            let exact = c.arity.lowerBound == c.arity.upperBound
            let arity = exact ? Int64(c.arity.lowerBound + 1) : -Int64(c.arity.lowerBound + 1)
            let flags: [ReplyValue] = c.access == .admin ? [.status("admin")] : []
            return .array([.string(c.name.lowercased()), .int(arity), .array(flags), .int(0), .int(0), .int(0)])
        }
        guard let sub = args.first?.uppercased() else {
            return .array(registry.all.map(entry))
        }
        switch sub {
        case "COUNT":
            return .int(Int64(registry.all.count))
        case "LIST":
            return .array(registry.all.map { .string($0.name.lowercased()) })
        case "INFO":
            let wanted = args.dropFirst()
            if wanted.isEmpty { return .array(registry.all.map(entry)) }
            return .array(wanted.map { registry.command(named: $0).map(entry) ?? .null })
        case "DOCS":
            // Redis's shape: name → {summary, since, group, syntax}; arguments are not
            // described one by one (clients then show no hints), the syntax line says it all.
            let wanted = args.dropFirst()
            let commands = wanted.isEmpty ? registry.all : wanted.compactMap { registry.command(named: $0) }
            return .object(commands.map { c in
                (c.name.lowercased(), .object([
                    ("summary", .string(c.summary)),
                    ("since", .string("0.1.0")),
                    ("group", .string(BuiltinCommands.all.contains { $0.name == c.name } ? "connection" : "crosswalk")),
                    ("syntax", .string(c.usage)),
                ]))
            })
        default:
            return .error("ERR unknown subcommand '\(args[0])'. Try COMMAND HELP.")
        }
    }

    // MARK: INFO

    /// Runs off the event loop: the application's sections may ask the database.
    @Sendable static func info(_ request: Request, _ server: ServerContext) async -> ReplyValue {
        let extra = await server.infoProvider?() ?? []
        return infoReply(
            section: request.arguments.first, stats: server.stats, configuration: server.configuration,
            boundPort: server.boundPort, extra: extra, format: request.replyFormat)
    }

    static func infoReply(
        section: String?,
        stats: ServerStats,
        configuration: ServerConfiguration,
        boundPort: Int?,
        extra: [InfoSection],
        format: ReplyFormat
    ) -> ReplyValue {
        let s = stats.snapshot
        let uptime = stats.uptime.components.seconds
        var sections: [InfoSection] = [
            InfoSection(
                name: "server",
                fields: [
                    ("server_name", .string(configuration.serverName)),
                    ("server_version", .string(configuration.serverVersion)),
                    ("protocol", .string("inline-json+resp2+resp3")),
                    ("bind", .string(configuration.host)),
                    ("port", .int(Int64(boundPort ?? configuration.port))),
                    ("uptime_seconds", .int(uptime)),
                ]),
            InfoSection(
                name: "clients",
                fields: [
                    ("connected_clients", .int(Int64(s.connectionsCurrent))),
                    ("total_connections", .int(Int64(s.connectionsTotal))),
                    ("rejected_connections", .int(Int64(s.connectionsRejected))),
                    ("max_clients", .int(Int64(configuration.maxConnections))),
                ]),
            // Keys are unique across sections (as in Redis) so clients that flatten INFO keep them all.
            InfoSection(
                name: "commands",
                fields: [("total_commands", .int(Int64(s.commandsTotal)))]
                    + s.commands.sorted { $0.key < $1.key }.map { ("cmd_\($0.key.lowercased())", .int(Int64($0.value))) }),
            InfoSection(
                name: "errors",
                fields: [("total_errors", .int(Int64(s.errorsTotal)))]
                    + s.errors.sorted { $0.key < $1.key }.map { ("err_\($0.key)", .int(Int64($0.value))) }),
        ]
        sections += extra
        if let section = section?.lowercased(), section != "all", section != "everything", section != "default" {
            sections = sections.filter { $0.name.lowercased() == section }
        }
        switch format {
        case .json:
            return .object(sections.map { ($0.name, .object($0.fields)) })
        case .resp, .resp3:
            // Redis style: "# Section\r\nkey:value\r\n…", one bulk string.
            var text = ""
            for (i, section) in sections.enumerated() {
                if i > 0 { text += "\r\n" }
                text += "# \(section.name.prefix(1).uppercased())\(section.name.dropFirst())\r\n"
                for (key, value) in section.fields {
                    text += "\(key):\(infoText(value))\r\n"
                }
            }
            return .string(text)
        }
    }

    private static func infoText(_ value: ReplyValue) -> String {
        switch value {
        case .string(let s), .status(let s), .error(let s):
            var out = String.UnicodeScalarView()
            for scalar in s.unicodeScalars {
                out.append(scalar == "\r" || scalar == "\n" ? " " : scalar)
            }
            return String(out)
        case .null: return ""
        default: return value.jsonText()
        }
    }
}
