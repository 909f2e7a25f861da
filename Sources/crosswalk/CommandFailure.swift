import ArgumentParser
import CrosswalkAnalytics
import CrosswalkDaemon
import Foundation
import Logging
import Postgres

/// Prints `crosswalk: error: …` on one line and exits with `code`.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let code: Int32

    init(_ description: String, code: Int32 = 2) {
        self.description = description
        self.code = code
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning any error into a one-line message and an exit code.
    func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch let error as PostgresError where error.kind == .statement && [Analytics.notFoundState, "22023"].contains(error.sqlState ?? "") {
            // Nothing there (no documents, unknown year, organization or municipality) or a
            // bad argument: the SQL function's message lists what there is.
            FileHandle.standardError.write(Data("crosswalk: error: \(error.message)\n".utf8))
            throw ExitCode(2)
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("crosswalk: error: \(failure.description)\n".utf8))
            throw ExitCode(failure.code)
        } catch {
            let oneLine = "\(error)".replacingOccurrences(of: "\n", with: " | ")
            FileHandle.standardError.write(Data("crosswalk: error: \(oneLine)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Sends swift-log to standard error in the configured format and level; returns a logger.
func bootstrapLogging(_ settings: Settings, label: String) throws -> Logger {
    let (format, level) = try settings.logging()
    LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, format: format, level: level) }
    return Logger(label: label)
}
