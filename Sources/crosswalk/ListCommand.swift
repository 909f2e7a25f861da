import ArgumentParser
import CrosswalkAnalytics
import CrosswalkDaemon
import Foundation
import Postgres

/// `crosswalk list organizations|municipalities`: what the store holds, by the names the
/// other commands' `--organization` and `--municipality` take.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the organizations or municipalities in the store (the protocol's ORGANIZATIONS and MUNICIPALITIES).",
        discussion: "Prints the answer as JSON. Exit status: 0 listed; 2 on an error, an empty store included."
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case organizations, municipalities
    }

    @OptionGroup var common: CommonOptions
    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("organizations or municipalities.", valueName: "what"))
    var kind: Kind

    @Option(name: .long, help: ArgumentHelp("organizations: only this municipality (its name or code).", valueName: "name|code"))
    var municipality: String?

    func validate() throws {
        if municipality != nil, kind != .organizations { throw ValidationError("--municipality applies to list organizations only") }
        if let municipality, municipality.isEmpty { throw ValidationError("--municipality must not be empty") }
    }

    func run() async throws {
        try await reportingErrors {
            let target = try DatabaseTarget(settings: try loadSettings(common, database))
            let answer = try await target.withMigratedPool { pool in
                let analytics = Analytics(pool: pool)
                switch kind {
                case .organizations: return try await analytics.organizations(municipality: municipality)
                case .municipalities: return try await analytics.municipalities()
                }
            }
            print(JSONPretty.format(answer.text))
        }
    }
}
