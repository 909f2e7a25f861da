import CrosswalkModel
import Foundation
import XCTest

@testable import EvaluationTables

enum Fixture {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(name)))
    }

    static var sample: [UInt8] {
        get throws { try bytes("digital_R5.txt") }
    }

    /// The sample's lines split into cells (the file has no final newline).
    static func sampleRows() throws -> [[String]] {
        String(decoding: try sample, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    static func join(_ rows: [[String]]) -> [UInt8] {
        Array(rows.map { $0.joined(separator: "\t") }.joined(separator: "\n").utf8)
    }

    /// The sample with cell `index` of 1-based `line` replaced.
    static func sample(setting edits: [(line: Int, cell: Int, value: String)]) throws -> [UInt8] {
        var rows = try sampleRows()
        for edit in edits {
            precondition(rows[edit.line - 1].count > edit.cell, "line \(edit.line) has no cell \(edit.cell)")
            rows[edit.line - 1][edit.cell] = edit.value
        }
        return join(rows)
    }
}

extension EvaluationReader {
    func read(_ bytes: [UInt8], _ source: String = "digital_R5.txt") throws -> EvaluationDocument {
        try read(bytes, source: source)
    }
}

/// The ReadError thrown by `body`, failing the test when none is.
func readError(_ body: () throws -> EvaluationDocument, file: StaticString = #filePath, line: UInt = #line) -> ReadError? {
    do {
        let doc = try body()
        XCTFail("expected a ReadError, read \(doc.listings.count) listings", file: file, line: line)
        return nil
    } catch let error as ReadError {
        return error
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return nil
    }
}
