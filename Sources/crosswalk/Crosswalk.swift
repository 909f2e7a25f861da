import ArgumentParser
import Foundation

@main
struct Crosswalk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosswalk",
        abstract: "SDG mapping and cross-policy analytics over municipal administrative-evaluation records.",
        subcommands: [
            ServeCommand.self, SyncCommand.self, HealthCommand.self, ReportCommand.self, ParseCommand.self, MigrateCommand.self,
            ReviewEvalCommand.self,
            ListCommand.self,
        ]
    )

    /// Bad flags exit 2 like every other fatal error (argument-parser's default is 64),
    /// so `sync`'s documented exit codes hold for cron and systemd.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
