import ArgumentParser

@main
struct Crosswalk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosswalk",
        abstract: "SDG mapping and cross-policy analytics over municipal administrative-evaluation records.",
        subcommands: [
            ServeCommand.self, SyncCommand.self, ReportCommand.self, ParseCommand.self, MigrateCommand.self,
            SimilarBenchCommand.self,
        ]
    )
}
