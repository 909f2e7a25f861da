import Foundation
import Postgres

/// The bundled sample and folders of documents made from it for one test.
enum Fixtures {
    static let sampleURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/digital_R5.txt")

    static func sampleText() throws -> String {
        try String(contentsOf: sampleURL, encoding: .utf8)
    }

    /// A fresh folder; removed by the caller's `defer`.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crosswalk-src-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A fresh folder holding the sample as `digital_R5.txt`.
    static func folderWithSample() throws -> URL {
        let url = try folder()
        try write(try sampleText(), to: url, as: "digital_R5.txt")
        return url
    }

    static func write(_ text: String, to folder: URL, as name: String) throws {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// The sample revised: AI・RPA's FY2023 settled amount 110,676 → 111,111, the
    /// paperless program (No. 3) dropped, and a new program (No. 9) added.
    static func revisedSample() throws -> String {
        var lines = try sampleText().components(separatedBy: "\n")
        let aiRow = try XCTUnwrapIndex(lines.firstIndex { $0.contains("AI・RPAによる業務改革事業") })
        lines[aiRow] = lines[aiRow].replacingOccurrences(of: "\t110,676\t", with: "\t111,111\t")
        let onlineRow = try XCTUnwrapIndex(lines.firstIndex { $0.hasPrefix("8\t17\t") })
        var added = lines[onlineRow].replacingOccurrences(of: "8\t17\t", with: "9\t⑰\t")
        added = added.replacingOccurrences(of: "手続きオンラ イン化推進事 業", with: "オープンデータ推進事業")
        lines.insert(contentsOf: [added] + lines[(onlineRow + 1)...(onlineRow + 2)], at: onlineRow + 3)
        let paperRow = try XCTUnwrapIndex(lines.firstIndex { $0.contains("ペーパーレス・オフィス改革推進事業") })
        lines.remove(at: paperRow)
        return lines.joined(separator: "\n")
    }

    private static func XCTUnwrapIndex(_ index: Int?) throws -> Int {
        guard let index else { throw FixtureError.missingRow }
        return index
    }

    enum FixtureError: Error { case missingRow }
}

extension PostgresPool {
    /// A single integer from a query, for assertions.
    func count(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await query(sql, parameters).first!.decode("n", as: Int.self)
    }
}
