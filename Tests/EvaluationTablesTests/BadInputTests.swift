import CrosswalkModel
import XCTest

@testable import EvaluationTables

/// Bad input is refused (ReadError) or warned about, always naming file and line;
/// never a crash or a hang.
final class BadInputTests: XCTestCase {
    let reader = EvaluationReader()

    func testEmptyFile() {
        let error = readError { try reader.read([], "empty.txt") }
        XCTAssertEqual(error?.kind, .empty)
        XCTAssertEqual(error?.line, 1)
        XCTAssertEqual(error?.description, "empty.txt:1: empty file")
    }

    func testWhitespaceOnlyFile() {
        let error = readError { try reader.read(Array("\n\n \t\r\n".utf8), "blank.txt") }
        XCTAssertEqual(error?.kind, .empty)
        XCTAssertTrue(error?.description.hasPrefix("blank.txt:1: ") == true, error?.description ?? "")
    }

    func testBinaryFile() {
        // A PNG header: \r\n and \n inside it, so the first NUL is on line 3.
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52]
        let error = readError { try reader.read(png, "image.png") }
        XCTAssertEqual(error?.kind, .binary)
        XCTAssertEqual(error?.line, 3)
        XCTAssertTrue(error?.description.hasPrefix("image.png:3: binary data") == true, error?.description ?? "")
        XCTAssertNotNil(error?.excerpt)
    }

    func testUndecodableBytes() throws {
        // 0xFF is neither UTF-8 nor CP932: refused at its line, not guessed.
        var rows = try Fixture.sampleRows()
        rows[11][0] += "\u{FFFF}"
        var bytes = Fixture.join(rows)
        let marker: [UInt8] = [0xEF, 0xBF, 0xBF]
        let at = try XCTUnwrap((0..<(bytes.count - 2)).first { Array(bytes[$0..<($0 + 3)]) == marker })
        bytes.replaceSubrange(at..<(at + 3), with: [0xFF])
        let error = readError { try reader.read(bytes) }
        XCTAssertEqual(error?.kind, .undecodable)
        XCTAssertEqual(error?.line, 12)
        XCTAssertTrue(error?.description.hasPrefix("digital_R5.txt:12: ") == true, error?.description ?? "")
    }

    func testUTF16IsRefused() {
        let error = readError { try reader.read([0xFF, 0xFE, 0x64, 0x30], "utf16.txt") }
        XCTAssertEqual(error?.kind, .undecodable)
        XCTAssertEqual(error?.description.hasPrefix("utf16.txt:1: UTF-16"), true)
    }

    /// Cut in the middle of line 20 (inside a multi-byte character): the rows before
    /// are read, the cut row is warned about with its line.
    func testTruncatedDocument() throws {
        let sample = try Fixture.sample
        let lineStarts = [0] + sample.indices.filter { sample[$0] == 0x0A }.map { $0 + 1 }
        var cut = lineStarts[19] + 100  // line 20, inside its summary
        while sample[cut] & 0xC0 != 0x80 { cut += 1 }
        XCTAssertTrue(sample[cut] & 0xC0 == 0x80, "cut inside a character")
        let doc = try reader.read(Array(sample[..<cut]))
        XCTAssertEqual(doc.listings.map(\.no), [1, 2, 3, 4, 5])
        let incomplete = try XCTUnwrap(doc.warnings.first { $0.code == "incomplete_row" })
        XCTAssertEqual(incomplete.line, 20)
        XCTAssertTrue(incomplete.message.hasPrefix("digital_R5.txt:20: "), incomplete.message)
        let truncated = try XCTUnwrap(doc.warnings.first { $0.code == "truncated" })
        XCTAssertEqual(truncated.line, 20)
        XCTAssertTrue(truncated.message.hasPrefix("digital_R5.txt:20: "), truncated.message)
        XCTAssertTrue(doc.listings[4].amounts.isEmpty)
    }

    func testTruncatedBeforeAnyProgram() throws {
        let rows = try Fixture.sampleRows()
        let error = readError { try reader.read(Fixture.join(Array(rows[0..<7]))) }
        XCTAssertEqual(error?.kind, .noListings)
        XCTAssertEqual(error?.line, 7)
        XCTAssertTrue(error?.description.hasPrefix("digital_R5.txt:7: ") == true, error?.description ?? "")
    }

    func testFiveMegabyteLine() throws {
        let long = [UInt8](repeating: 0x61, count: 5 << 20)
        let bytes = try Fixture.sample + [0x0A] + long + Array("\nafter".utf8)
        let error = readError { try reader.read(bytes) }
        XCTAssertEqual(error?.kind, .lineTooLong)
        XCTAssertEqual(error?.line, 38)
        XCTAssertTrue(error?.description.hasPrefix("digital_R5.txt:38: line is 5242880 bytes long") == true, error?.description ?? "")
        XCTAssertEqual(error?.excerpt?.count, 80)
        // The limit is configurable.
        let lenient = EvaluationReader(limits: ReaderLimits(maxLineBytes: 8 << 20))
        let doc = try lenient.read(bytes)
        XCTAssertEqual(doc.listings.count, 8)
        XCTAssertTrue(doc.warnings.contains { $0.code == "unassigned_text" && $0.line == 38 })
    }

    func testDocumentSizeLimit() throws {
        let small = EvaluationReader(limits: ReaderLimits(maxDocumentBytes: 4096))
        let error = readError { try small.read(try Fixture.sample) }
        XCTAssertEqual(error?.kind, .tooLarge)
        XCTAssertEqual(error?.line, 10, "byte 4096 is on line 10 (page 1's third program row)")
        XCTAssertTrue(error?.description.hasPrefix("digital_R5.txt:10: document is 11372 bytes") == true, error?.description ?? "")
    }

    func testNotAnEvaluationTable() {
        let csv = Array("\nname,age\nalice,30\nbob,41\n".utf8)
        let error = readError { try reader.read(csv, "people.csv") }
        XCTAssertEqual(error?.kind, .notEvaluationTable)
        XCTAssertEqual(error?.line, 2)
        XCTAssertTrue(error?.description.hasPrefix("people.csv:2: not an evaluation table") == true, error?.description ?? "")
        XCTAssertEqual(error?.excerpt, "name,age")
    }

    func testTitleWithoutTable() {
        let text = Array("令和5年度 行政評価の取組結果（デジタル市役所推進室）\n\nこの文書に表はありません。\n".utf8)
        let error = readError { try reader.read(text, "memo.txt") }
        XCTAssertEqual(error?.kind, .noListings)
        XCTAssertTrue(error?.description.hasPrefix("memo.txt:3: ") == true, error?.description ?? "")
    }

    /// Random corruption of the sample: every outcome is a document or a ReadError
    /// naming the file and a line; nothing crashes.
    func testCorruptedSamplesNeverCrash() throws {
        let sample = try Fixture.sample
        var rng = SplitMix(seed: 20231)
        var refused = 0
        var read = 0
        for round in 0..<300 {
            var bytes = sample
            let edits = 1 + Int(rng.next() % 8)
            for _ in 0..<edits {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 4 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(0x09, at: at)
                default: bytes = Array(bytes[..<at])
                }
                if bytes.isEmpty { break }
            }
            do {
                let doc = try reader.read(bytes, "fuzz\(round).txt")
                read += 1
                for warning in doc.warnings {
                    XCTAssertTrue(warning.message.hasPrefix("fuzz\(round).txt:"), warning.message)
                }
            } catch let error as ReadError {
                refused += 1
                XCTAssertTrue(error.description.hasPrefix("fuzz\(round).txt:\(error.line): "), error.description)
                XCTAssertGreaterThanOrEqual(error.line, 1)
            }
        }
        XCTAssertEqual(read + refused, 300)
        XCTAssertGreaterThan(read, 0)
    }

    /// A seeded mutation campaign over three encodings of the sample: byte flips and
    /// overwrites, deletions, line duplications, deletions and swaps, tab and newline
    /// insertions, stray multi-byte lead bytes, truncations. Every outcome must be a
    /// document whose warnings and records name lines that exist, or a ReadError naming
    /// one; nothing crashes or hangs. `CROSSWALK_FUZZ_SEED` / `CROSSWALK_FUZZ_DOCUMENTS`
    /// reproduce or extend a run.
    func testSeededMutationCampaign() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = UInt64(environment["CROSSWALK_FUZZ_SEED"] ?? "") ?? 0x5EED_2023
        let documents = Int(environment["CROSSWALK_FUZZ_DOCUMENTS"] ?? "") ?? 2_000
        let utf8 = try Fixture.sample
        let text = String(decoding: utf8, as: UTF8.self)
        let bases: [(name: String, bytes: [UInt8])] = [
            ("utf8", utf8),
            ("utf8-bom", [0xEF, 0xBB, 0xBF] + utf8),
            ("cp932-crlf", try XCTUnwrap(CP932.encode(text.replacingOccurrences(of: "\n", with: "\r\n")))),
        ]
        var outcomes: [String: Int] = [:]
        var mutations: [String: Int] = [:]
        for round in 0..<documents {
            var rng = SplitMix(seed: seed &+ UInt64(round) &* 0x9E37_79B9)
            let base = bases[round % bases.count]
            var bytes = base.bytes
            var applied: [String] = []
            for _ in 0..<(1 + rng.next() % 6) where !bytes.isEmpty {
                applied.append(Self.mutate(&bytes, &rng))
            }
            for name in applied { mutations[name, default: 0] += 1 }
            let source = "mutant\(round).txt"
            let context = "round \(round) (seed \(seed)) \(base.name): \(applied.joined(separator: ", "))"
            // Lines as the reader may count them: LF, CR or CRLF all end one.
            let lastLine = 1 + Self.offsets(of: 0x0A, in: bytes).count + Self.offsets(of: 0x0D, in: bytes).count
            do {
                let doc = try reader.read(bytes, source: source)
                outcomes["read", default: 0] += 1
                for warning in doc.warnings {
                    XCTAssertTrue(warning.message.hasPrefix("\(source):"), "\(context): \(warning.message)")
                    if let line = warning.line {
                        XCTAssertTrue((1...lastLine).contains(line), "\(context): warning on line \(line)")
                        XCTAssertTrue(warning.message.hasPrefix("\(source):\(line): "), "\(context): \(warning.message)")
                    }
                }
                let recordLines = doc.policies.flatMap(\.lines) + doc.listings.flatMap(\.lines)
                XCTAssertTrue(recordLines.allSatisfy { (1...lastLine).contains($0) }, "\(context): record lines \(recordLines)")
            } catch {
                outcomes["refused:\(error.kind.rawValue)", default: 0] += 1
                XCTAssertTrue((1...lastLine).contains(error.line), "\(context): error on line \(error.line)")
                XCTAssertTrue(error.description.hasPrefix("\(source):\(error.line): "), "\(context): \(error.description)")
            }
        }
        XCTAssertEqual(outcomes.values.reduce(0, +), documents)
        XCTAssertGreaterThan(outcomes["read"] ?? 0, 0, "some mutants are still readable")
        XCTAssertGreaterThan(outcomes.count, 2, "mutants fail in more than one way")
        let summary = { (counts: [String: Int]) in counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        print("BadInputTests: \(documents) mutated documents (seed \(seed)), \(mutations.values.reduce(0, +)) mutations: \(summary(mutations))")
        print("BadInputTests: outcomes: \(summary(outcomes))")
    }

    /// Where `byte` occurs (memchr: a byte-by-byte loop is slow in debug builds).
    private static func offsets(of byte: UInt8, in bytes: [UInt8]) -> [Int] {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return [] }
            var found: [Int] = []
            var offset = 0
            while offset < raw.count, let hit = memchr(base + offset, Int32(byte), raw.count - offset) {
                let index = base.distance(to: UnsafeRawPointer(hit))
                found.append(index)
                offset = index + 1
            }
            return found
        }
    }

    /// Applies one random mutation; returns its name.
    private static func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix) -> String {
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(max(n, 1))) }
        let lineStarts = [0] + offsets(of: 0x0A, in: bytes).map { $0 + 1 }.filter { $0 < bytes.count }
        func lineRange(_ i: Int) -> Range<Int> {
            i + 1 < lineStarts.count ? lineStarts[i]..<lineStarts[i + 1] : lineStarts[i]..<bytes.count
        }
        let at = pick(bytes.count)
        // Structural edits weigh more than byte noise: most byte noise inside Japanese text just
        // makes the file undecodable, which stops the reader early.
        switch rng.next() % 16 {
        case 0:
            bytes[at] ^= 1 << UInt8(pick(8))
            return "bit-flip"
        case 1:
            bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            return "byte"
        case 2, 3:
            // An ASCII byte (digit, tab, separator) replaced by another: the text stays decodable.
            let ascii = Array("0123456789\t -(),.%".utf8)
            guard let index = (0..<32).map({ _ in pick(bytes.count) }).first(where: { bytes[$0] < 0x80 }) else {
                return "ascii (none found, no-op)"
            }
            bytes[index] = ascii[pick(ascii.count)]
            return "ascii"
        case 4:
            bytes.removeSubrange(at..<min(bytes.count, at + 1 + pick(16)))
            return "delete-bytes"
        case 5, 6:
            let line = lineRange(pick(lineStarts.count))
            bytes.insert(contentsOf: Array(bytes[line]), at: lineStarts[pick(lineStarts.count)])
            return "duplicate-line"
        case 7, 8:
            bytes.removeSubrange(lineRange(pick(lineStarts.count)))
            return "delete-line"
        case 9, 10:
            let i = pick(lineStarts.count)
            let j = pick(lineStarts.count)
            guard i != j else { return "swap-lines (same line, no-op)" }
            let a = lineRange(min(i, j))
            let b = lineRange(max(i, j))
            let first = Array(bytes[a])
            let second = Array(bytes[b])
            bytes.replaceSubrange(b, with: first)
            bytes.replaceSubrange(a, with: second)
            return "swap-lines"
        case 11, 12:
            bytes.insert(contentsOf: Array(repeating: 0x09, count: 1 + pick(3)), at: at)
            return "tabs"
        case 13:
            bytes.insert(contentsOf: [[0x0A], [0x0D, 0x0A], [0x0D]][pick(3)], at: at)
            return "newline"
        case 14:
            // A lone lead byte: UTF-8 (E3), CP932 (81, E0), or a continuation byte.
            bytes.insert([0xE3, 0x81, 0xE0, 0x80, 0xFC][pick(5)], at: at)
            return "lead-byte"
        default:
            bytes.removeSubrange(at...)
            return "truncate"
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
