package import CrosswalkModel
package import Foundation

/// Caps that keep a hostile or broken file from costing unbounded time or memory.
package struct ReaderLimits: Sendable, Equatable {
    /// Longest line accepted, in bytes of decoded UTF-8 text (default 1 MiB).
    package var maxLineBytes: Int
    /// Largest document accepted, in bytes as handed to the reader (default 64 MiB).
    package var maxDocumentBytes: Int

    package init(maxLineBytes: Int = 1 << 20, maxDocumentBytes: Int = 64 << 20) {
        self.maxLineBytes = maxLineBytes
        self.maxDocumentBytes = maxDocumentBytes
    }
}

/// A document the reader refuses. `description` is `source:line: reason`.
package struct ReadError: Error, CustomStringConvertible, Sendable, Equatable {
    package enum Kind: String, Sendable, Equatable {
        case empty
        case tooLarge = "too_large"
        case lineTooLong = "line_too_long"
        case binary
        case undecodable
        case notEvaluationTable = "not_evaluation_table"
        case noListings = "no_listings"
        /// A CSV or workbook that cannot be read as one (unclosed quote, corrupt zip, bad XML).
        case malformed
        /// A password-protected (encrypted) workbook.
        case encrypted
        /// The table does not match its layout (a named column or sheet is missing,
        /// no header recognised, no fiscal year or organization to be found).
        case layoutMismatch = "layout_mismatch"
        /// A cell whose value cannot be stored exactly (a 円 amount that is not whole 千円).
        case inexactAmount = "inexact_amount"
    }

    package var source: String
    /// 1-based line the problem was found on.
    package var line: Int
    package var kind: Kind
    package var reason: String
    /// The start of the offending line (at most 80 characters, undecodable bytes
    /// shown as U+FFFD), when there is one.
    package var excerpt: String?
    /// Where in a table the problem is, when more than a line says it
    /// (`hyoka.xlsx:事業評価!G14`, `hyoka.csv:row 14, column G`).
    package var location: String?

    package init(source: String, line: Int, kind: Kind, reason: String, excerpt: String? = nil, location: String? = nil) {
        self.source = source
        self.line = line
        self.kind = kind
        self.reason = reason
        self.excerpt = excerpt
        self.location = location
    }

    /// At most `limit` characters of `bytes` (lossy UTF-8), for `excerpt`.
    static func excerpt(_ bytes: some Collection<UInt8>, limit: Int = 80) -> String? {
        let text = String(decoding: bytes.prefix(limit * 4), as: UTF8.self)
        let trimmed = String(text.prefix(limit)).trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    package var description: String {
        if let location { return "\(location): \(reason)" }
        return "\(source):\(line): \(reason)"
    }
}

/// Reads one published evaluation table (bytes + a name for messages) into the
/// interchange model. No I/O: the caller reads the file.
package struct EvaluationReader: Sendable {
    package var limits: ReaderLimits

    package init(limits: ReaderLimits = .init()) {
        self.limits = limits
    }

    package func read(_ data: Data, source: String) throws(ReadError) -> EvaluationDocument {
        try read([UInt8](data), source: source)
    }

    /// Decodes, parses and reconciles one document (listings of one program within
    /// the document are reconciled here; use `reconcile(_:)` across documents).
    package func read(_ bytes: [UInt8], source: String) throws(ReadError) -> EvaluationDocument {
        if bytes.count > limits.maxDocumentBytes {
            let line = Self.line(atOffset: limits.maxDocumentBytes, in: bytes)
            throw ReadError(source: source, line: line, kind: .tooLarge,
                reason: "document is \(bytes.count) bytes, over the limit of \(limits.maxDocumentBytes) bytes (limit reached on this line)")
        }
        if bytes.isEmpty || (bytes.count == 3 && bytes == [0xEF, 0xBB, 0xBF]) {
            throw ReadError(source: source, line: 1, kind: .empty, reason: "empty file")
        }
        let decoded = try Self.decode(bytes, source: source)
        var initial: [(Int?, String, String)] = []
        if decoded.truncatedTail {
            let line = Self.line(atOffset: decoded.utf8.count, in: decoded.utf8)
            initial.append((line, "truncated", "file ends inside a multi-byte character (truncated?); the partial character was dropped"))
        }
        let limits = self.limits
        let result = try decoded.utf8.withUnsafeBufferPointer { buf throws(ReadError) in
            var parser = DocumentParser(text: ByteText(buf: buf), source: source, limits: limits)
            return try parser.parse(initialWarnings: initial)
        }
        let sha = SHA256.hex(bytes)
        var document = EvaluationDocument(
            source: source, sha256: sha, encoding: decoded.encoding, fiscalYear: result.fiscalYear,
            organization: result.organization, policies: result.policies, listings: result.listings,
            warnings: result.warnings)
        Self.reconcile(within: &document)
        return document
    }

    /// Reconciles listings of one program within one document, as `read` does before
    /// it returns; readers of other formats call it for the same rules.
    package static func reconcile(within document: inout EvaluationDocument) {
        // Moved in and out, not copied: a copy would make every change copy the listings.
        var docs = [consume document]
        Reconciler.run(&docs, sameDocument: true, crossDocument: false)
        document = docs.removeLast()
    }

    /// Reconciles listings of one program across the documents of one parse: fills
    /// indicator names still missing from another document's listing (`nameInferred`)
    /// and warns where SDG sets (same fiscal year), grades (same fiscal year) or
    /// amounts (same year and kind) disagree. Warnings go to the later listing's
    /// document. Idempotent.
    ///
    /// Each document must already be reconciled within itself, as the readers return
    /// it: pairs of listings of one document are not compared again. (They would only
    /// rebuild warnings the document holds: a later listing is compared with the
    /// earlier documents' listings first, and only a pair of one document could come
    /// after those.)
    package func reconcile(_ docs: inout [EvaluationDocument]) {
        Reconciler.run(&docs, sameDocument: false, crossDocument: true)
    }

    /// Detects the encoding (UTF-8 with or without BOM, else CP932) and refuses binary,
    /// UTF-16, undecodable and whitespace-only text with the line it was found on.
    static func decode(_ bytes: [UInt8], source: String) throws(ReadError) -> DecodedText {
        let decoded: DecodedText
        switch TextDecoder.decode(bytes) {
        case .success(let d):
            decoded = d
        case .failure(.binary(let offset)):
            throw ReadError(source: source, line: Self.line(atOffset: offset, in: bytes), kind: .binary,
                reason: "binary data (NUL byte at offset \(offset)); not a text document",
                excerpt: Self.escaped(bytes, around: offset))
        case .failure(.utf16(let offset)):
            throw ReadError(source: source, line: Self.line(atOffset: offset, in: bytes), kind: .undecodable,
                reason: "UTF-16 text is not supported; expected UTF-8 or Shift_JIS (CP932)")
        case .failure(.undecodable(let offset, let detail)):
            throw ReadError(source: source, line: Self.line(atOffset: offset, in: bytes), kind: .undecodable,
                reason: "undecodable text at byte offset \(offset): \(detail)",
                excerpt: Self.escaped(bytes, around: offset))
        }
        if decoded.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw ReadError(source: source, line: 1, kind: .empty, reason: "empty file (whitespace only)")
        }
        return decoded
    }

    /// Up to 16 bytes from `offset` as hex, for binary and undecodable input.
    static func escaped(_ bytes: [UInt8], around offset: Int) -> String {
        let digits = Array("0123456789abcdef")
        let end = min(bytes.count, offset + 16)
        return bytes[offset..<end].map { "\(digits[Int($0 >> 4)])\(digits[Int($0 & 15)])" }.joined(separator: " ")
    }

    /// 1-based line of a byte offset (LF-separated; CR-only files by CR).
    static func line(atOffset offset: Int, in bytes: [UInt8]) -> Int {
        let end = min(offset, bytes.count)
        return bytes.withUnsafeBufferPointer { buf -> Int in
            var lf = 0
            var cr = 0
            for i in 0..<end {
                let b = buf[i]
                if b == 0x0A { lf += 1 } else if b == 0x0D { cr += 1 }
            }
            return (lf > 0 ? lf : cr) + 1
        }
    }
}
