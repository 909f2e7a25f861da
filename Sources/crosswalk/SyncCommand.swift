import ArgumentParser
import CrosswalkDaemon
import CrosswalkModel
import CrosswalkSync
import Foundation
import Logging

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync the source folders into the database once (for cron and systemd timers).",
        discussion: "Exit status: 0 when every document applied or was unchanged, 1 when some were rejected (the rest applied), 2 on a fatal error."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var database: DatabaseOptions

    @OptionGroup var sources: SourceOptions

    @Flag(name: .long, help: "Parse and report what would change; write nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for a sync already running elsewhere (default: 30).", valueName: "seconds"))
    var lockTimeout: String?

    func run() async throws {
        var exitCode: Int32 = 0
        try await reportingErrors {
            let settings = try loadSettings(common, database, sources, extra: [.lockTimeout: lockTimeout])
            var options = try SyncEngine.Options(settings: settings)
            guard !options.sources.isEmpty else {
                throw SettingsError("give at least one source folder: --source, CROSSWALK_SOURCE or 'source =' in the configuration file")
            }
            options.dryRun = dryRun
            let target = try DatabaseTarget(settings: settings)
            let logger = try bootstrapLogging(settings, label: "crosswalk.sync")
            let summary = try await target.withMigratedPool { pool in
                try await SyncEngine(pool: pool, logger: logger).run(options)
            }
            if json {
                let data = try EvaluationJSON.encoder().encode(summary)
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(summary.line)
                for reject in summary.rejects {
                    print("rejected: \(reject.reason)")
                }
            }
            switch summary.status {
            case .failed: exitCode = 2
            case .partial: exitCode = 1
            case .ok, .dryRun: exitCode = summary.documentsRejected > 0 ? 1 : 0
            }
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}
