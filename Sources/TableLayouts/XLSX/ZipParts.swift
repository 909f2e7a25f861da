import EvaluationTables
import Foundation
import ZIPFoundation

/// The parts of an xlsx zip, each extracted whole but never past `maxPartBytes`: the
/// count is checked while inflating, so a zip bomb stops at the limit, not at its size.
struct ZipParts {
    private let archive: Archive
    let source: String
    let maxPartBytes: Int

    private struct OverLimit: Error {}

    init(bytes: [UInt8], source: String, maxPartBytes: Int) throws(ReadError) {
        self.source = source
        self.maxPartBytes = maxPartBytes
        // An OLE compound file: Excel writes an encrypted (password-protected) xlsx, and
        // an old .xls, as one of these instead of a zip.
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw ReadError(source: source, line: 1, kind: .encrypted,
                reason: "a password-protected workbook (or an old .xls): an OLE compound file, not an xlsx zip; save it from Excel as .xlsx without a password")
        }
        guard bytes.starts(with: [0x50, 0x4B]) else {
            throw ReadError(source: source, line: 1, kind: .malformed, reason: "not an xlsx workbook: the file is not a zip archive")
        }
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw ReadError(source: source, line: 1, kind: .malformed, reason: "corrupt xlsx workbook: the zip archive cannot be opened (\(error))")
        }
    }

    /// The part's bytes, or nil when the archive has no such part.
    func data(_ path: String) throws(ReadError) -> Data? {
        guard let entry = archive[path] else { return nil }
        if entry.uncompressedSize > UInt64(maxPartBytes) {
            throw tooLarge(path)
        }
        var out = Data()
        let limit = maxPartBytes
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                if out.count + chunk.count > limit { throw OverLimit() }
                out.append(chunk)
            }
        } catch is OverLimit {
            throw tooLarge(path)
        } catch {
            throw ReadError(source: source, line: 1, kind: .malformed,
                reason: "corrupt xlsx workbook: part \(path) cannot be extracted (\(error))")
        }
        return out
    }

    private func tooLarge(_ path: String) -> ReadError {
        ReadError(source: source, line: 1, kind: .tooLarge,
            reason: "xlsx part \(path) inflates past the limit of \(maxPartBytes) bytes (a zip bomb, or a sheet too large to read)")
    }
}
