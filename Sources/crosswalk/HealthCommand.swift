import ArgumentParser
import CrosswalkDaemon
import Foundation

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check that a running daemon answers and reaches its database.",
        discussion: "Exit status: 0 healthy; 1 unhealthy (the reason on standard error); 2 bad settings. Reads bind and port from the same settings as serve."
    )

    @OptionGroup var common: CommonOptions

    @Option(name: [.customLong("host"), .customLong("bind")], help: ArgumentHelp("The daemon's address (default: its bind address; loopback for 0.0.0.0).", valueName: "address"))
    var host: String?

    @Option(name: .long, help: ArgumentHelp("The daemon's port (default: 7017).", valueName: "port"))
    var port: String?

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for an answer.", valueName: "seconds"))
    var timeout: Int = 5

    func run() async throws {
        var result = HealthProbe.Result.healthy
        try await reportingErrors {
            let settings = try loadSettings(common, extra: [.bind: host, .port: port])
            let port = try settings.integer(.port, in: 1...65535)
            result = HealthProbe.check(host: Self.reachable(settings.text(.bind) ?? "127.0.0.1"), port: port, timeoutSeconds: max(1, timeout))
        }
        switch result {
        case .healthy:
            print("healthy")
        case .unhealthy(let reason):
            FileHandle.standardError.write(Data("crosswalk: unhealthy: \(reason)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// A wildcard bind address is not one to connect to: ask loopback instead.
    static func reachable(_ bind: String) -> String {
        switch bind {
        case "0.0.0.0", "": "127.0.0.1"
        case "::", "[::]": "::1"
        default: bind
        }
    }
}
