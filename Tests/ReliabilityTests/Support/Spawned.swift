import Foundation
import Synchronization

/// A child process of a test, started with posix_spawn: stdin from /dev/null, stdout and
/// stderr into files of their own, killable at any moment, reaped by polling `waitpid(WNOHANG)` so
/// an async test never blocks a thread on it.
final class Spawned: Sendable {
    enum Termination: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signaled(let signal): "signal \(signal)"
            }
        }
    }

    let pid: pid_t
    let command: String
    let outputPath: String
    let errorPath: String
    private let termination = Mutex<Termination?>(nil)

    private init(pid: pid_t, command: String, outputPath: String, errorPath: String) {
        self.pid = pid
        self.command = command
        self.outputPath = outputPath
        self.errorPath = errorPath
    }

    static func launch(_ executable: String, _ arguments: [String]) throws -> Spawned {
        try FileManager.default.createDirectory(at: scratchRoot, withIntermediateDirectories: true)
        let base = scratchRoot.appendingPathComponent("child-\(UUID().uuidString)").path
        let output = base + ".out", errors = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw SpawnError("cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        return Spawned(pid: pid, command: ([executable] + arguments).joined(separator: " "), outputPath: output, errorPath: errors)
    }

    /// Runs to completion (the deadline only avoids a hang): how it ended, stdout, stderr.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(900)) async throws -> (Termination, String, String) {
        let child = try launch(executable, arguments)
        let ended = try await child.wait(timeout: timeout)
        let output = (child.output, child.errors)
        child.removeOutput()
        return (ended, output.0, output.1)
    }

    func kill(_ signal: Int32 = SIGKILL) {
        if termination.withLock({ $0 == nil }) { Glibc.kill(pid, signal) }
    }

    /// How it ended, or nil while it runs. Reaps it once.
    func poll() -> Termination? {
        termination.withLock { state in
            if let state { return state }
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            guard reaped == pid else { return nil }
            // WIFSIGNALED / WTERMSIG / WEXITSTATUS, spelled out: the C macros are not imported.
            let signal = status & 0x7f
            state = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
            return state
        }
    }

    func wait(timeout: Duration) async throws -> Termination {
        try await eventually("\(command) to end", timeout: timeout, every: .milliseconds(20)) { poll() }
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    func removeOutput() {
        unlink(outputPath)
        unlink(errorPath)
    }
}

struct SpawnError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
