import Foundation

/// A real client program the tests drive as its users run it (redis-cli, python3 with
/// redis-py). A missing one fails the test with how to install it, never skips it:
/// `Deploy/install-test-deps.sh` installs them, and CI runs it from `.ci/run`.
struct ExternalClient: Sendable {
    struct Missing: Error, CustomStringConvertible {
        var what: String
        var description: String {
            "\(what) is not installed: run Deploy/install-test-deps.sh (CI runs it from .ci/run before swift test)"
        }
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let path: String

    /// The program called `name` on PATH.
    static func named(_ name: String) throws -> ExternalClient {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return ExternalClient(path: candidate) }
        }
        throw Missing(what: name)
    }

    /// python3 with the redis-py package importable.
    static func pythonWithRedisPy() async throws -> ExternalClient {
        let python = try named("python3")
        let probe = try await python.run(["-c", "import redis"])
        guard probe.status == 0 else { throw Missing(what: "the Python package redis (redis-py) for \(python.path)") }
        return python
    }

    /// Runs the program to its end (killed after `timeout`) on a thread of its own, so
    /// waiting for it never holds a thread the daemon's tasks need.
    func run(_ arguments: [String], stdin: String = "", timeout: TimeInterval = 60) async throws -> Output {
        let path = self.path
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try Self.runToEnd(path, arguments, stdin: stdin, timeout: timeout) })
            }.start()
        }
    }

    /// Output goes to files, not pipes, so a large answer cannot fill a pipe and stall.
    private static func runToEnd(_ path: String, _ arguments: [String], stdin: String, timeout: TimeInterval) throws -> Output {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString)")
        let input = base.appendingPathExtension("in"), output = base.appendingPathExtension("out")
        let errors = base.appendingPathExtension("err")
        defer { for url in [input, output, errors] { try? FileManager.default.removeItem(at: url) } }
        try Data(stdin.utf8).write(to: input)
        try Data().write(to: output)
        try Data().write(to: errors)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
