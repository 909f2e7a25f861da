package import CrosswalkAnalytics
import CrosswalkModel
package import CrosswalkServer
import CrosswalkSync
import Foundation
package import Postgres

/// The protocol's data commands: each parses its arguments, asks Analytics or the
/// sync scheduler, and hands the JSON answer back as a reply.
package enum DataCommands {
    /// Returns the registered commands with their handlers, for answering the web's
    /// `/api` and pages exactly as the protocol answers.
    @discardableResult
    package static func register(
        into commands: inout CommandRegistry, analytics: Analytics, scheduler: SyncScheduler, pool: PostgresPool,
        watch: DatabaseWatch
    ) -> DataAnswers {
        let cache = AnswerCache { try await analytics.generation() }
        var registry = DatabaseErrorsAsReplies(registry: commands, cache: cache, watch: watch)
        defer { commands = registry.registry }

        registry.register(
            "HEALTH", usage: "HEALTH",
            summary: "OK when the daemon can reach its database; served before AUTH, for health checks.", access: .public
        ) { _ in
            do {
                _ = try await pool.query("SELECT 1")
            } catch {
                // Public: the host, port, database and user stay in the log and authenticated INFO.
                await watch.failed(error)
                throw CommandError(code: "ERR", DatabaseWatch.publicReply)
            }
            return .status("OK")
        }
        registry.register(
            "SDGS", usage: "SDGS [FY n] [AMOUNT budget|settled|personnel] [MUNI name|code]",
            summary: "The 17 goals with program counts and amounts (gross; a program counts once).", arity: 0...6
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["FY", "AMOUNT", "MUNI"])
            return try reply(await analytics.sdgSummary(
                fiscalYear: try arguments.fiscalYear(), amount: try arguments.amount(), municipality: arguments.municipality))
        }
        registry.register(
            "SDG", usage: "SDG <1-17> [FY n] [MUNI name|code]",
            summary: "The programs contributing to one goal, with policies, department, amounts and grade.", arity: 1...5
        ) { request in
            let arguments = try Arguments(request, positional: 1, options: ["FY", "MUNI"])
            guard let goal = Int(arguments.positional[0]), SDGGoal.range.contains(goal) else { throw CommandError.wrongArguments }
            return try reply(await analytics.goalPrograms(goal: goal, fiscalYear: try arguments.fiscalYear(), municipality: arguments.municipality))
        }
        registry.register(
            "POLICIES", usage: "POLICIES [FY n] [MUNI name|code]", summary: "Policies listed in a year, with program counts and the bureau's grade.", arity: 0...4
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["FY", "MUNI"])
            return try reply(await analytics.policies(fiscalYear: try arguments.fiscalYear(), municipality: arguments.municipality))
        }
        registry.register(
            "POLICY", usage: "POLICY <code> [MUNI name|code]", summary: "One policy's programs and evaluation; the code matches in either width.", arity: 1...3
        ) { request in
            let arguments = try Arguments(request, positional: 1, options: ["MUNI"])
            guard let answer = try await analytics.policy(code: request.arguments[0], municipality: arguments.municipality) else {
                throw CommandError.notFound("no policy '\(request.arguments[0])'")
            }
            return try reply(answer)
        }
        registry.register(
            "PROGRAM", usage: "PROGRAM <name|id> [MUNI name|code]",
            summary: "Everything about one program: listings, policies, goals, conflicts, amounts, indicators, sources.", arity: 1...3
        ) { request in
            let arguments = try Arguments(request, positional: 1, options: ["MUNI"])
            guard let answer = try await analytics.program(request.arguments[0], municipality: arguments.municipality) else {
                throw CommandError.notFound("no program '\(request.arguments[0])'")
            }
            return try reply(answer)
        }
        registry.register(
            "SEARCH", usage: "SEARCH <text> [MUNI name|code]", summary: "Programs whose name or summary contains the text.", arity: 1...3,
            validate: { !$0[0].isEmpty }
        ) { request in
            let arguments = try Arguments(request, positional: 1, options: ["MUNI"])
            return try reply(await analytics.search(request.arguments[0], municipality: arguments.municipality))
        }
        registry.register(
            "DUPLICATES", usage: "DUPLICATES [FY n] [AMOUNT budget|settled|personnel] [MUNI name|code]",
            summary: "Programs listed under two or more policies, and what per-policy totals count twice.", arity: 0...6
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["FY", "AMOUNT", "MUNI"])
            return try reply(await analytics.duplicates(
                fiscalYear: try arguments.fiscalYear(), amount: try arguments.amount(), municipality: arguments.municipality))
        }
        registry.register(
            "SIMILAR", usage: "SIMILAR [FY n] [MUNI name|code]",
            summary: "Pairs of programs with similar names, summaries and indicators (n-grams), within one municipality; never merged.", arity: 0...4
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["FY", "MUNI"])
            return try ReplyValue(
                encodable: await analytics.similar(fiscalYear: try arguments.fiscalYear(), municipality: arguments.municipality),
                wholeDoubles: .doubles)
        }
        registry.register(
            "INDICATORS", usage: "INDICATORS [FY n] [MUNI name|code]",
            summary: "Indicator progress: targets, actuals, recomputed achievement, mismatches, mid-term progress.", arity: 0...4
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["FY", "MUNI"])
            return try ReplyValue(
                encodable: await analytics.indicatorProgress(fiscalYear: try arguments.fiscalYear(), municipality: arguments.municipality),
                wholeDoubles: .doubles)
        }
        registry.register(
            "MATRIX", usage: "MATRIX [FY n] [AMOUNT budget|settled|personnel] [MUNI name|code]",
            summary: "Policy × SDG matrix: per policy, programs and amounts per goal.", arity: 0...6
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["FY", "AMOUNT", "MUNI"])
            return try reply(await analytics.policyMatrix(
                fiscalYear: try arguments.fiscalYear(), amount: try arguments.amount(), municipality: arguments.municipality))
        }
        registry.register(
            "OVERLAP", usage: "OVERLAP [FY n] [MUNI name|code]", summary: "Pairs of policies that list the same programs.", arity: 0...4
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["FY", "MUNI"])
            return try reply(await analytics.policyOverlap(fiscalYear: try arguments.fiscalYear(), municipality: arguments.municipality))
        }
        registry.register(
            "CONFLICTS", usage: "CONFLICTS [FY n] [MUNI name|code]", summary: "Programs whose listings disagree on SDG goals, amounts or grades.", arity: 0...4
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["FY", "MUNI"])
            return try reply(await analytics.conflicts(fiscalYear: try arguments.fiscalYear(), municipality: arguments.municipality))
        }
        registry.register(
            "REPORT", usage: "REPORT SDG [FY n] [MODE gross|split] [AMOUNT budget|settled|personnel] [ORG name] [MUNI name|code]",
            summary: "SDG contribution per goal, saying how it counted.", arity: 1...11
        ) { request in
            let arguments = try Arguments(request, positional: 1, options: ["FY", "MODE", "AMOUNT", "ORG", "MUNI"])
            guard arguments.positional[0].uppercased() == "SDG" else { throw CommandError.wrongArguments }
            let modeText = arguments.options["MODE"] ?? "gross"
            guard let mode = Analytics.Mode(rawValue: modeText.lowercased()) else {
                throw CommandError.invalid("MODE must be gross or split, not '\(modeText)'")
            }
            return try reply(await analytics.sdgReport(
                fiscalYear: try arguments.fiscalYear(), amount: try arguments.amount(), mode: mode,
                organization: arguments.options["ORG"], municipality: arguments.municipality))
        }
        registry.register(
            "COMPARE", usage: "COMPARE FY <a> FY <b> [AMOUNT budget|settled|personnel] [ORG name] [MUNI name|code]",
            summary: "Year over year: programs new, ended, continuing, renamed/moved candidates, grades, indicators, goals per program and per goal.",
            arity: 4...10
        ) { request in
            let (from, to) = try CompareArguments.years(request)
            let arguments = try Arguments(Array(request.arguments.dropFirst(4)), positional: 0, options: ["AMOUNT", "ORG", "MUNI"])
            return try reply(await analytics.compare(
                from: from, to: to, amount: try arguments.amount(), organization: arguments.options["ORG"], municipality: arguments.municipality))
        }
        registry.register(
            "REVIEW", usage: "REVIEW SDG [FY n] [MUNI name|code]",
            summary: "SDG tags checked against programs' own words: tagged without evidence, strong evidence untagged, no goal; suggestions with evidence, never written.",
            arity: 1...5
        ) { request in
            let arguments = try Arguments(request, positional: 1, options: ["FY", "MUNI"])
            guard arguments.positional[0].uppercased() == "SDG" else { throw CommandError.wrongArguments }
            return try ReplyValue(
                encodable: await analytics.sdgReview(fiscalYear: try arguments.fiscalYear(), municipality: arguments.municipality),
                wholeDoubles: .doubles)
        }
        // redis-cli takes SYNC for Redis replication and never shows the reply: SYNCNOW is
        // the same entry under a name no client intercepts.
        registry.register(
            "SYNC", aliases: ["SYNCNOW"], usage: "SYNC",
            summary: "Sync the source folders now and return the run's summary.", access: .admin
        ) { _ in
            guard await scheduler.hasSources else { throw CommandError.invalid("the daemon has no --source folders to sync") }
            do {
                let summary = try await scheduler.syncNow(trigger: "command")
                await cache.clear()
                return try ReplyValue(encoding: summary)
            } catch let error as SyncError {
                throw CommandError.invalid(error.description)
            }
        }
        registry.register(
            "MUNICIPALITIES", usage: "MUNICIPALITIES",
            summary: "The municipalities in the store, with their organizations, documents, programs and fiscal years."
        ) { _ in
            try reply(await analytics.municipalities())
        }
        registry.register(
            "ORGANIZATIONS", usage: "ORGANIZATIONS [MUNI name|code]",
            summary: "The organizations with current documents: municipality, documents, fiscal years, programs, last sync.", arity: 0...2
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["MUNI"])
            return try reply(await analytics.organizations(municipality: arguments.municipality))
        }
        registry.register(
            "SYNCSTATUS", usage: "SYNCSTATUS", summary: "The last sync runs and their rejected documents."
        ) { _ in
            try reply(await analytics.syncStatus())
        }
        registry.register(
            "CHANGES", usage: "CHANGES [SINCE <timestamp>]",
            summary: "The change history (ISO 8601 timestamp, e.g. 2026-11-29T00:00:00Z).", arity: 0...2
        ) { request in
            let arguments = try Arguments(request, positional: 0, options: ["SINCE"])
            var since: Date?
            if let text = arguments.options["SINCE"] {
                guard let date = parseTimestamp(text) else {
                    throw CommandError.invalid("SINCE must be an ISO 8601 timestamp such as 2026-11-29T00:00:00Z, not '\(text)'")
                }
                since = date
            }
            return try reply(await analytics.changes(since: since))
        }
        return DataAnswers(commands: registry.registry, handlers: registry.handlers)
    }

    /// Registers commands whose database failures the client can act on become clear error
    /// replies: `ERR database unavailable: …`, and the argument errors SQL functions raise on
    /// purpose (e.g. `mode must be gross or split, not x`; see `argumentErrors`).
    /// Read-only answers are cached until the data changes (`AnswerCache`).
    struct DatabaseErrorsAsReplies {
        var registry: CommandRegistry
        let cache: AnswerCache
        let watch: DatabaseWatch
        /// Each command's handler as registered (cache and error replies included).
        var handlers: [String: Command.Handler] = [:]
        static let uncached: Set<String> = ["HEALTH", "SYNC", "SYNCSTATUS", "CHANGES"]
        /// The SQLSTATEs of errors about the client's own arguments, raised on purpose:
        /// `22023` invalid_parameter_value (`RAISE … USING ERRCODE = '22023'` in the SQL
        /// functions) and `22021` character_not_in_repertoire (a NUL byte in an argument,
        /// refused by the Postgres layer before it reaches the server).
        static let argumentErrors: Set<String> = ["22023", "22021"]

        mutating func register(
            _ name: String, aliases: [String] = [], usage: String, summary: String, access: Command.Access = .authenticated,
            arity: ClosedRange<Int> = 0...0, validate: (@Sendable ([String]) -> Bool)? = nil,
            handler: @escaping @Sendable (Request) async throws -> ReplyValue
        ) {
            let cache = Self.uncached.contains(name) ? nil : cache
            let watch = self.watch
            let answer: Command.Handler = { request in
                do {
                    let value: ReplyValue
                    if let cache {
                        value = try await cache.answer(request) { try await handler(request) }
                    } else {
                        value = try await handler(request)
                    }
                    await watch.answered()
                    return value
                } catch let error as PostgresError where error.kind == .connection || error.kind == .poolExhausted || error.kind == .shutdown {
                    await watch.failed(error)
                    throw CommandError(code: "ERR", "\(Self.unavailable) \(error.message)")
                } catch let error as PostgresError where error.kind == .statement && Self.argumentErrors.contains(error.sqlState ?? "") {
                    throw CommandError(code: "ERR", error.message)
                } catch let error as PostgresError where error.kind == .statement && error.sqlState == Analytics.notFoundState {
                    // Nothing there: no documents, an unknown year, organization or municipality.
                    throw CommandError.notFound(error.message)
                }
                // Any other failure is the server's: the connection logs it and answers
                // `ERR internal error`, so SQL text and table names stay out of replies.
            }
            handlers[name.uppercased()] = answer
            registry.register(
                name, aliases: aliases, usage: usage, summary: summary, access: access, arity: arity, validate: validate,
                handler: answer)
        }

        /// How an unreachable database's error reply begins.
        static let unavailable = "database unavailable:"
    }

    /// Passes PostgreSQL's JSON answer through as a reply.
    static func reply(_ answer: PostgresJSON) throws -> ReplyValue {
        try ReplyValue(json: Array(answer.text.utf8))
    }

    /// `2026-11-29T00:00:00Z` (any offset, optional fraction) or `2026-11-29` (UTC), and
    /// nothing else: the whole text must be the timestamp (the formatter alone accepts
    /// trailing text).
    static func parseTimestamp(_ text: String) -> Date? {
        let dateTime = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})/
        let dateOnly = /\d{4}-\d{2}-\d{2}/
        let formatter = ISO8601DateFormatter()
        if text.wholeMatch(of: dateTime) != nil {
            if text.contains(".") { formatter.formatOptions.insert(.withFractionalSeconds) }
            return formatter.date(from: text)
        }
        guard text.wholeMatch(of: dateOnly) != nil else { return nil }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }
}
