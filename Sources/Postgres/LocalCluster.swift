package import Foundation

/// A private PostgreSQL cluster in a folder of its own: created with the installed
/// server binaries on first use, started on a free loopback port with its socket in
/// that folder, reused when already initialised or running. Used by the tests and
/// as the embedded default when no database is configured.
///
/// initdb and postgres refuse to run as root; as root the cluster runs as the
/// unprivileged system user `crosswalk-pg`, created when missing.
/// Clients connect through the socket (trust, socket folder private to the owner);
/// TCP on 127.0.0.1 asks for a password that no role has, so it admits nobody.
package struct LocalCluster: Sendable {
    package static let systemUser = "crosswalk-pg"

    /// The folder that holds `pgdata/`, the socket and `postgres.log`.
    package let directory: URL
    package var dataDirectory: URL { directory.appendingPathComponent("pgdata") }
    package var logFile: URL { directory.appendingPathComponent("postgres.log") }

    /// False only for throwaway clusters (tests): fsync off, faster, unsafe on a crash.
    package let durable: Bool
    /// Folders to find initdb, pg_ctl and postgres in; nil: PATH, `pg_config --bindir`,
    /// then /usr/lib/postgresql/*/bin.
    package let binaryFolders: [String]?

    package init(directory: URL, durable: Bool = true, binaryFolders: [String]? = nil) {
        self.directory = directory.standardizedFileURL
        self.durable = durable
        self.binaryFolders = binaryFolders
    }

    /// A running cluster's address.
    package struct Endpoint: Sendable, Equatable {
        package let socketDirectory: String
        package let port: Int
        /// True when this call started the server (false: it was already running).
        package var startedNow = false
        package var conninfo: String { conninfo(database: "postgres") }
        package func conninfo(database: String) -> String {
            "host=\(socketDirectory) port=\(port) user=postgres dbname=\(database)"
        }
    }

    /// Creates the cluster if needed and starts it if it is not running.
    package func start() throws -> Endpoint {
        let binaries = try ServerBinaries.locate(in: binaryFolders)
        let runAs = try Self.unprivilegedUserIfRoot()
        try prepareDirectory(owner: runAs)
        if !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            try run(binaries.initdb, [
                "-D", dataDirectory.path, "-U", "postgres", "--no-sync",
                "--auth-local=trust", "--auth-host=scram-sha-256",
                "--encoding=UTF8", "--locale=C.UTF-8",
            ], as: runAs, what: "initdb")
        }
        if let running = runningEndpoint(binaries: binaries, runAs: runAs) { return running }
        // Back on the port it had when that port is still free, so the connection strings
        // of processes that outlived the server (a daemon) reach it again.
        let port = try previousPort().flatMap { Self.isFreeLoopbackPort($0) ? $0 : nil } ?? Self.freeLoopbackPort()
        try run(binaries.pgCtl, [
            "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60",
            "-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700 -c max_connections=200" + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
            "start",
        ], as: runAs, what: "pg_ctl start")
        return Endpoint(socketDirectory: directory.path, port: port, startedNow: true)
    }

    /// Stops the cluster (fast shutdown). Does nothing when it is not running.
    package func stop() throws {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("postmaster.pid").path) else { return }
        let binaries = try ServerBinaries.locate(in: binaryFolders)
        try run(binaries.pgCtl, ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"], as: try Self.unprivilegedUserIfRoot(), what: "pg_ctl stop")
    }

    /// Stops the cluster and deletes its folder.
    package func destroy() throws {
        try? stop()
        try FileManager.default.removeItem(at: directory)
    }

    // MARK: Internals

    private func runningEndpoint(binaries: ServerBinaries, runAs: String?) -> Endpoint? {
        let pidFile = dataDirectory.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 4, let port = Int(lines[3]) else { return nil }
        guard (try? run(binaries.pgCtl, ["-D", dataDirectory.path, "status"], as: runAs, what: "pg_ctl status")) != nil else {
            return nil
        }
        return Endpoint(socketDirectory: String(lines[4]), port: port)
    }

    /// The port of the last start, from the command line PostgreSQL records in postmaster.opts.
    private func previousPort() -> Int? {
        guard let options = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.opts"), encoding: .utf8),
              let match = options.firstMatch(of: /"-p" "(\d+)"/)
        else { return nil }
        return Int(match.output.1)
    }

    private func prepareDirectory(owner: String?) throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw LocalClusterError("cannot create the data folder \(directory.path): \(Self.reason(error))")
        }
        guard manager.isWritableFile(atPath: directory.path) else {
            throw LocalClusterError("the data folder \(directory.path) is not writable")
        }
        if let owner {
            // The server user must own its folder and reach it through every parent. A folder it
            // already owns was prepared before: walking it again could race a running server
            // creating and removing files (chown fails on a file that vanished mid-walk).
            let currentOwner = (try? manager.attributesOfItem(atPath: directory.path))?[.ownerAccountName] as? String
            if currentOwner != owner {
                try run(URL(fileURLWithPath: "/bin/chown"), ["-R", "\(owner):\(owner)", directory.path], as: nil, what: "chown")
            }
            var parent = directory.deletingLastPathComponent()
            while parent.path != "/" {
                if let attributes = try? manager.attributesOfItem(atPath: parent.path),
                   let permissions = attributes[.posixPermissions] as? Int, permissions & 0o001 == 0 {
                    try manager.setAttributes([.posixPermissions: permissions | 0o001], ofItemAtPath: parent.path)
                }
                parent = parent.deletingLastPathComponent()
            }
        }
        try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
    }

    /// Runs a server binary, as `user` when given, and throws its output on failure.
    @discardableResult
    private func run(_ executable: URL, _ arguments: [String], as user: String?, what: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        environment.removeValue(forKey: "PGDATA")
        let command = user.map { ("/sbin/runuser", ["-u", $0, "--", executable.path] + arguments) }
            ?? (executable.path, arguments)
        let result = try ChildProcess.run(command.0, command.1, environment: environment, directory: directory.path)
        guard result.status == 0 else {
            var message = "\(what) failed (exit \(result.status)): \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))"
            if what == "pg_ctl start", let log = try? String(contentsOf: logFile, encoding: .utf8) {
                message += "\nlast lines of \(logFile.path):\n" + log.split(separator: "\n").suffix(5).joined(separator: "\n")
            }
            throw LocalClusterError(message)
        }
        return result.output
    }

    private static func unprivilegedUserIfRoot() throws -> String? {
        guard geteuid() == 0 else { return nil }
        if getpwnam(systemUser) != nil { return systemUser }
        let created = try ChildProcess.run(
            "/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", systemUser],
            environment: ProcessInfo.processInfo.environment, directory: "/")
        // Another process may have created it meanwhile; only its absence is an error.
        guard getpwnam(systemUser) != nil else {
            throw LocalClusterError("running as root, and cannot create the system user \(systemUser) for PostgreSQL (useradd: \(created.output.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        return systemUser
    }

    private static func freeLoopbackPort() throws -> Int {
        guard let port = bindLoopback(port: 0) else { throw LocalClusterError("cannot find a free port on 127.0.0.1") }
        return port
    }

    private static func isFreeLoopbackPort(_ port: Int) -> Bool {
        (1...65535).contains(port) && bindLoopback(port: port) == port
    }

    /// Binds a socket to 127.0.0.1:`port` (0: any) and closes it; the port bound, or nil.
    private static func bindLoopback(port: Int) -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        // As PostgreSQL binds: a port with connections in TIME_WAIT is free to it.
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress -> Bool in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    private static func reason(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

package struct LocalClusterError: Error, CustomStringConvertible, Sendable {
    package let description: String
    init(_ description: String) { self.description = description }
}

/// initdb, pg_ctl and postgres from one installation.
struct ServerBinaries {
    let initdb: URL
    let pgCtl: URL

    static let installHint = "install the PostgreSQL server (Debian: apt-get install postgresql, or run Deploy/install-deps.sh), or give --database"

    /// Looks in PATH, then `pg_config --bindir`, then /usr/lib/postgresql/*/bin (newest first).
    static func locate(in folders: [String]? = nil) throws -> ServerBinaries {
        let candidates = folders ?? defaultFolders()
        for folder in candidates {
            let names = ["initdb", "pg_ctl", "postgres"].map { URL(fileURLWithPath: folder).appendingPathComponent($0) }
            if names.allSatisfy({ FileManager.default.isExecutableFile(atPath: $0.path) }) {
                return ServerBinaries(initdb: names[0], pgCtl: names[1])
            }
        }
        let searched = folders.map { $0.joined(separator: ", ") } ?? "PATH, pg_config --bindir or /usr/lib/postgresql/*/bin"
        throw LocalClusterError("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in \(searched): \(installHint)")
    }

    private static func defaultFolders() -> [String] {
        var folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        if let bindir = pgConfigBindir() { folders.append(bindir) }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        folders += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        return folders
    }

    private static func pgConfigBindir() -> String? {
        let environment = ProcessInfo.processInfo.environment
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/pg_config" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path, let result = try? ChildProcess.run(path, ["--bindir"], environment: environment, directory: "/"),
              result.status == 0
        else { return nil }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
