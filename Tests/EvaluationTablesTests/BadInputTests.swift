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
