import ArgumentParser
import CrosswalkModel
import CrosswalkSync
import EvaluationTables
import Foundation
import TableLayouts

/// `crosswalk parse FILE… [--layout FILE] [--strict] [--compact]`: reads evaluation tables
/// and prints one `crosswalk.evaluation/1` JSON batch on stdout. No database. Published
/// `.txt` tables go through `EvaluationReader`; `.csv` and `.xlsx` through `TableReader`,
/// with the layout when one is given (docs/LAYOUTS.md).
///
/// Exit codes: 0 parsed; 1 parsed with warnings under `--strict`; 2 a file was refused
/// (each refusal printed on stderr as `file:line: reason`; the batch on stdout then
/// holds the documents that could be read).
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Read evaluation tables and print them as crosswalk.evaluation/1 JSON.",
        discussion: """
            Exit status: 0 parsed; 1 parsed with warnings (only with --strict); \
            2 a file was refused (messages on stderr as file:line: reason).
            """
    )

    @Argument(help: "Evaluation table files (published .txt tables, .csv, .xlsx), or folders of them.")
    var files: [String]

    @Option(help: "Layout file for .csv and .xlsx tables (docs/LAYOUTS.md); without one, common header names are recognised.")
    var layout: String?

    @Option(help: "File-name pattern of the documents inside folders given as arguments.")
    var include: String = "*.txt"

    @Flag(help: "Exit with status 1 when any document has warnings.")
    var strict = false

    @Flag(help: "Print compact JSON instead of indented JSON.")
    var compact = false

    @Option(help: "Longest accepted line, in bytes.")
    var maxLineBytes: Int = ReaderLimits().maxLineBytes

    @Option(help: "Largest accepted document, in bytes.")
    var maxDocumentBytes: Int = ReaderLimits().maxDocumentBytes

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Give at least one file.") }
        guard maxLineBytes > 0, maxDocumentBytes > 0 else { throw ValidationError("Limits must be positive.") }
    }

    func run() throws {
        let reader = EvaluationReader(limits: ReaderLimits(maxLineBytes: maxLineBytes, maxDocumentBytes: maxDocumentBytes))
        // A folder stands for the matching files under it (one argument instead of thousands).
        var paths: [String] = []
        for file in files {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), isFolder.boolValue {
                paths += try SourceScanner(folders: [file], include: include).scan()
            } else {
                paths.append(file)
            }
        }
        var tableLayout: TableLayout? = nil
        if let layout {
            guard let bytes = Self.readFile(layout, limit: 1 << 20) else {
                Self.printError("\(layout):1: cannot read the layout file")
                throw ExitCode(2)
            }
            do {
                tableLayout = try TableReader.layout(bytes: bytes, file: layout)
            } catch {
                Self.printError(error.description)
                throw ExitCode(2)
            }
        }
        let outcomes = Self.readAll(paths, reader: reader, layout: tableLayout, limit: maxDocumentBytes)
        var documents: [EvaluationDocument] = []
        var refused: [String] = []
        for outcome in outcomes {
            switch outcome {
            case .read(let doc): documents.append(doc)
            case .refused(let message): refused.append(message)
            }
        }
        reader.reconcile(&documents)
        let warnings = strict ? documents.flatMap(\.warnings) : []

        let output = StandardOutput()
        if compact {
            // Byte-for-byte what EvaluationJSON.encoder(pretty: false) writes, written as
            // it is encoded (the output is never held whole).
            CompactJSON.write(documents: consume documents, format: EvaluationBatch.formatName, to: output.write)
        } else {
            let json = try EvaluationJSON.encoder(pretty: true).encode(EvaluationBatch(documents: documents))
            json.withUnsafeBytes { output.write($0.bindMemory(to: UInt8.self)) }
        }
        output.write([0x0A])
        if let failure = output.failure {
            Self.printError("cannot write the output: \(failure)")
            throw ExitCode(2)
        }

        for message in refused { Self.printError(message) }
        if !refused.isEmpty { throw ExitCode(2) }
        if strict, !warnings.isEmpty {
            for warning in warnings { Self.printError("warning: \(warning.message)") }
            throw ExitCode(1)
        }
    }

    /// Standard output without buffering or copies: write(2) until every byte is out.
    /// After the first failure (a closed pipe) the rest is dropped and the failure kept.
    final class StandardOutput {
        private(set) var failure: String?

        func write(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard failure == nil, let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(1, base + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }

        func write(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { write($0) }
        }
    }

    enum Outcome {
        case read(EvaluationDocument)
        case refused(String)
    }

    /// Reads every file, several at a time (documents are independent); results keep
    /// the command-line order.
    static func readAll(_ files: [String], reader: EvaluationReader, layout: TableLayout?, limit: Int) -> [Outcome] {
        let results = UnsafeMutableBufferPointer<Outcome>.allocate(capacity: files.count)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            // Each iteration writes only its own slot.
            (slots.baseAddress! + i).initialize(to: readOne(files[i], reader: reader, layout: layout, limit: limit))
        }
        let outcomes = Array(results)
        _ = results.deinitialize()
        return outcomes
    }

    static func readOne(_ path: String, reader: EvaluationReader, layout: TableLayout?, limit: Int) -> Outcome {
        guard let bytes = readFile(path, limit: limit) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let reason = !exists ? "no such file" : isDirectory.boolValue ? "is a directory" : "cannot be read"
            return .refused("\(path):1: cannot read: \(reason)")
        }
        do {
            if TableReader.handles(path) {
                return .read(try TableReader.read(bytes: bytes, source: path, layout: layout, limits: .init(maxFileBytes: limit)))
            }
            return .read(try reader.read(bytes, source: path))
        } catch {
            return .refused(error.description)
        }
    }

    /// Reads at most `limit + 1` bytes, so an oversized file is refused by the reader
    /// (with its line) without being loaded whole.
    static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        // nil for a directory (EISDIR) or an unreadable file.
        return DocumentFile.bytes(of: fd, upTo: limit + 1, expected: Int(info.st_size))
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
