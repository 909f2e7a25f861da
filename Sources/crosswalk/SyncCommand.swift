import ArgumentParser
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

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var sources: SourceOptions

    @Flag(name: .long, help: "Parse and report what would change; write nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for a sync already running elsewhere.", valueName: "seconds"))
    var lockTimeout: Int = 30

    func validate() throws {
        if sources.source.isEmpty { throw ValidationError("give at least one --source folder") }
        if lockTimeout < 0 { throw ValidationError("--lock-timeout must be 0 or more seconds") }
    }

    func run() async throws {
        var exitCode: Int32 = 0
        try await reportingErrors {
            var options = SyncEngine.Options(sources: sources.source)
            options.include = sources.include
            options.dryRun = dryRun
            options.lockTimeout = .seconds(lockTimeout)
            let summary = try await database.withMigratedPool { pool in
                try await SyncEngine(pool: pool, logger: Logger(label: "crosswalk.sync")).run(options)
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
