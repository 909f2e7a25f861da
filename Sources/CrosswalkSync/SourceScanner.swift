import Foundation

/// Finds the documents under the source folders: recursive, filtered by a glob on
/// the file name, sorted so runs are repeatable.
///
/// The walk reads folders itself (opendir/readdir on the names' bytes) so that nothing
/// is passed over silently: a subfolder that cannot be read, or a matching file whose
/// name is not UTF-8, is reported as a problem (a reject of the sync), never dropped.
package struct SourceScanner: Sendable {
    package var folders: [String]
    /// fnmatch(3) patterns on the file name, separated by commas: `*.txt` or
    /// `*.txt,*.csv,*.xlsx`.
    package var include: String

    package init(folders: [String], include: String = "*.txt") {
        self.folders = folders.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        self.include = include
    }

    /// What a walk found.
    package struct Scan: Sendable {
        /// Absolute paths of the matching files.
        package var files: [String] = []
        /// What could not be read or named; each is rejected by the sync.
        package var problems: [Problem] = []
    }

    /// A folder that cannot be read, or a matching file whose name cannot be stored.
    package struct Problem: Sendable, Equatable {
        /// The path, with bytes that are not UTF-8 shown as `\xNN`.
        package var path: String
        package var reason: String
        /// A folder whose stored documents stay in force (its contents are unknown, not gone).
        package var keepsFolder: Bool
    }

    /// Absolute paths of the matching files. Throws when a source folder cannot be read;
    /// skips the problems below it (the sync uses `survey()`, which reports them).
    package func scan() throws -> [String] {
        try survey().files
    }

    /// The matching files and the problems met on the way. Throws when a source folder
    /// itself is missing or cannot be read.
    package func survey() throws -> Scan {
        var scan = Scan()
        let patterns = include.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for folder in folders {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw SyncError.source("source folder \(folder) does not exist or is not a folder")
            }
            // Walk the folder a symlink points to (a symlink below it is not followed into a
            // folder), but keep the configured path in the documents' names, so a link
            // switched to a new target does not rename every document.
            let target = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
            guard FileManager.default.isReadableFile(atPath: target) else {
                throw SyncError.source("source folder \(folder) is not readable")
            }
            var walk = Walk(patterns: patterns)
            if let problem = walk.folder(Array(target.utf8), shownAs: Array(folder.utf8)), problem.path == folder {
                throw SyncError.source("source folder \(folder) is not readable: \(problem.reason)")
            }
            scan.files += walk.scan.files
            scan.problems += walk.scan.problems
        }
        scan.files = Array(Set(scan.files)).sorted()
        scan.problems.sort { $0.path < $1.path }
        return scan
    }

    /// One source folder's walk, on the bytes of the names.
    private struct Walk {
        let patterns: [String]
        var scan = Scan()

        /// Walks `path` (shown as `shown`); returns the problem when the folder itself cannot be listed.
        @discardableResult
        mutating func folder(_ path: [UInt8], shownAs shown: [UInt8]) -> Problem? {
            guard let stream = withCString(path, { opendir($0) }) else {
                return folderProblem(shown, "cannot open the folder: \(String(cString: strerror(errno)))")
            }
            defer { closedir(stream) }
            var names: [[UInt8]] = []
            while true {
                errno = 0
                guard let entry = readdir(stream) else {
                    if errno != 0 {
                        return folderProblem(shown, "cannot list the folder: \(String(cString: strerror(errno)))")
                    }
                    break
                }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                if name != [0x2E], name != [0x2E, 0x2E] { names.append(name) }
            }
            for name in names {
                entry(path + [0x2F] + name, shownAs: shown + [0x2F] + name, name: name)
            }
            return nil
        }

        private mutating func entry(_ path: [UInt8], shownAs shown: [UInt8], name: [UInt8]) {
            var status = stat()
            guard withCString(path, { lstat($0, &status) }) == 0 else {
                // Gone between listing and looking: deleted, so not a document any more.
                if errno == ENOENT { return }
                return fileProblem(shown, "cannot read the file's status: \(String(cString: strerror(errno)))")
            }
            if status.st_mode & S_IFMT == S_IFDIR {
                folder(path, shownAs: shown)
                return
            }
            if status.st_mode & S_IFMT == S_IFLNK {
                // A link to a folder is not walked (no loops); a dangling one is read, and refused by name.
                var target = stat()
                if withCString(path, { stat($0, &target) }) == 0, target.st_mode & S_IFMT == S_IFDIR { return }
            }
            guard name.first != 0x2E, name != Array(SourceDeclarations.fileName.utf8),
                  withCString(name, { cName in patterns.contains { fnmatch($0, cName, 0) == 0 } })
            else { return }
            // FIFOs, sockets and devices are listed too: DocumentFile refuses them by name.
            guard let text = String(validating: shown, as: UTF8.self) else {
                return fileProblem(shown, "the file name is not valid UTF-8 (the bytes shown as \\xNN); rename it in UTF-8 to sync it")
            }
            scan.files.append(text)
        }

        private mutating func folderProblem(_ shown: [UInt8], _ reason: String) -> Problem {
            let problem = Problem(path: SourceScanner.escaped(shown), reason: reason, keepsFolder: true)
            scan.problems.append(problem)
            return problem
        }

        private mutating func fileProblem(_ shown: [UInt8], _ reason: String) {
            scan.problems.append(Problem(path: SourceScanner.escaped(shown), reason: reason, keepsFolder: false))
        }

        private func withCString<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
            (bytes + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
        }
    }

    /// A name's bytes as text: UTF-8 kept, every other byte shown as `\xNN`.
    package static func escaped(_ bytes: [UInt8]) -> String {
        var text = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                text.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .error(let length):
                for byte in bytes[offset..<offset + length] { text += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) }
                offset += length
            case .emptyInput:
                return text
            }
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
