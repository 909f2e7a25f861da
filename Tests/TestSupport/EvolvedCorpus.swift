import Foundation

/// A corpus `Benchmarks/corpus/generate.py --evolve --truth` writes: several fiscal years per
/// organization, with programs renamed, moved and retagged between years, and the ground
/// truth of what changed (`yoy_truth.json`).
package struct EvolvedCorpus {
    package let folder: URL
    package var documents: URL { folder.appendingPathComponent("docs") }
    package var truthFile: URL { folder.appendingPathComponent("yoy_truth.json") }

    /// Writes the corpus into `folder` (created or replaced); throws when python3 or the
    /// generator fails, with what it printed.
    package static func generate(into folder: URL, listings: Int, seed: Int) throws -> EvolvedCorpus {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/corpus/generate.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--out", folder.path, "--listings", "\(listings)", "--seed", "\(seed)",
                             "--docs-per-org", "3", "--evolve", "0.3", "--truth", "--quiet", "--force"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let printed = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EvolvedCorpusError(description: "generate.py (python3 is needed) exited \(process.terminationStatus): \(printed)")
        }
        return EvolvedCorpus(folder: folder)
    }
}

package struct EvolvedCorpusError: Error, CustomStringConvertible {
    package let description: String
}
