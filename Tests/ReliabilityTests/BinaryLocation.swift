import Foundation

/// The `crosswalk` executable built next to the test bundle (`swift build --build-tests`
/// and `swift test` build it), or the one `CROSSWALK_BINARY` names (the soak script uses
/// a release build that way).
enum CrosswalkBinary {
    static var url: URL {
        if let given = ProcessInfo.processInfo.environment["CROSSWALK_BINARY"], !given.isEmpty {
            return URL(fileURLWithPath: given)
        }
        // On Linux the test bundle is itself the executable (…/debug/CrosswalkPackageTests.xctest),
        // so its folder is the products folder.
        let products = (Bundle.main.executableURL ?? Bundle.main.bundleURL).deletingLastPathComponent()
        return products.appendingPathComponent("crosswalk")
    }

    /// The path, after checking there is an executable there.
    static func path() throws -> String {
        let path = url.path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw SpawnError("no crosswalk executable at \(path): build it with `swift build --build-tests` (or set CROSSWALK_BINARY)")
        }
        return path
    }

    /// `crosswalk sync --json` run to completion: how it ended and the summary it printed.
    static func sync(database: String, source: URL, extra: [String] = []) async throws -> CLISync {
        try await sync(command: [try path()] + syncArguments(database: database, source: source) + extra)
    }

    /// The same, as a user that file permissions apply to (root reads every folder): the
    /// test's own user when it is not root, else the cluster's `crosswalk-pg` through runuser.
    static func syncAsUnprivilegedUser(database: String, source: URL) async throws -> CLISync {
        let command = [try path()] + syncArguments(database: database, source: source)
        guard getuid() == 0 else { return try await sync(command: command) }
        return try await sync(command: ["/sbin/runuser", "-u", unprivilegedUser, "--"] + command)
    }

    /// The unprivileged user a root test runs the CLI as: the one LocalCluster runs PostgreSQL as.
    static let unprivilegedUser = "crosswalk-pg"

    private static func sync(command: [String]) async throws -> CLISync {
        let (ended, output, errors) = try await Spawned.run(command[0], Array(command.dropFirst()))
        let summary = try? json(output)
        return CLISync(termination: ended, summary: summary, errors: errors)
    }

    static func launchSync(database: String, source: URL, extra: [String] = []) throws -> Spawned {
        try Spawned.launch(try path(), syncArguments(database: database, source: source) + extra)
    }

    private static func syncArguments(database: String, source: URL) -> [String] {
        ["sync", "--database", database, "--source", source.path, "--json"]
    }
}

struct CLISync {
    let termination: Spawned.Termination
    /// The `--json` summary, when it printed one.
    let summary: [String: Any]?
    let errors: String

    var status: String? { summary?["status"] as? String }
    func count(_ key: String) -> Int { summary?[key] as? Int ?? -1 }
}
