import Foundation

/// Finds the documents under the source folders: recursive, filtered by a glob on
/// the file name, sorted so runs are repeatable.
package struct SourceScanner: Sendable {
    package var folders: [String]
    /// fnmatch(3) patterns on the file name, separated by commas: `*.txt` or
    /// `*.txt,*.csv,*.xlsx`.
    package var include: String

    package init(folders: [String], include: String = "*.txt") {
        self.folders = folders.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        self.include = include
    }

    /// Absolute paths of the matching files. Throws when a folder cannot be read.
    package func scan() throws -> [String] {
        var found: [String] = []
        let patterns = include.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for folder in folders {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw SyncError.source("source folder \(folder) does not exist or is not a folder")
            }
            // Walk the folder a symlink points to (the enumerator would not descend into the
            // link itself), but keep the configured path in the documents' names, so a link
            // switched to a new target does not rename every document.
            let target = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
            guard FileManager.default.isReadableFile(atPath: target),
                  let walker = FileManager.default.enumerator(atPath: target)
            else {
                throw SyncError.source("source folder \(folder) is not readable")
            }
            while let relative = walker.nextObject() as? String {
                let path = folder + "/" + relative
                let name = (relative as NSString).lastPathComponent
                guard !name.hasPrefix("."), name != SourceDeclarations.fileName,
                      patterns.contains(where: { fnmatch($0, name, 0) == 0 }) else { continue }
                var entryIsDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue {
                    found.append(path)
                }
            }
        }
        return Array(Set(found)).sorted()
    }
}
