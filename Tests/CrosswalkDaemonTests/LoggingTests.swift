import CrosswalkDaemon
import CrosswalkStore
import CrosswalkSync
import Foundation
import Logging
import NIOConcurrencyHelpers
import TestSupport
import XCTest

/// Structured log lines: their shape in both formats, secrets kept out, and one line per
/// sync and per rejected document.
final class LoggingTests: XCTestCase {
    private final class Lines: Sendable {
        let box = NIOLockedValueBox<[String]>([])
        var all: [String] { box.withLockedValue { $0 } }
        func logger(_ format: LogFormat, level: Logger.Level = .info) -> Logger {
            Logger(label: "crosswalk.test") { label in
                StructuredLogHandler(label: label, format: format, level: level) { line in
                    self.box.withLockedValue { $0.append(line) }
                }
            }
        }
    }

    func testLogfmtLineQuotesWhatNeedsIt() throws {
        let lines = Lines()
        var logger = lines.logger(.logfmt)
        logger[metadataKey: "run"] = "7"
        logger.info("sync ok", metadata: ["source": "a b.txt", "reason": "bad \"cell\"\nnext", "empty": ""])
        let line = try XCTUnwrap(lines.all.first)
        XCTAssertTrue(line.hasSuffix("\n"))
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, "one event, one line")
        XCTAssertTrue(line.hasPrefix("time="), line)
        XCTAssertTrue(line.contains(#" level=info logger=crosswalk.test msg="sync ok" empty="" reason="bad \"cell\"\nnext" run=7 source="a b.txt""#), line)
    }

    func testJSONLineParsesWithEveryField() throws {
        let lines = Lines()
        lines.logger(.json).warning("document rejected", metadata: ["line": "12", "source": "文書.txt"])
        let line = try XCTUnwrap(lines.all.first)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        XCTAssertEqual(object["level"], "warning")
        XCTAssertEqual(object["msg"], "document rejected")
        XCTAssertEqual(object["line"], "12")
        XCTAssertEqual(object["source"], "文書.txt")
        XCTAssertNotNil(object["time"].flatMap { ISO8601DateFormatter().date(from: $0.replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression)) })
    }

    func testSecretLookingKeysAreRedacted() throws {
        let lines = Lines()
        lines.logger(.logfmt).error("auth", metadata: ["password": "hunter2", "admin_token": "tok", "client": "127.0.0.1"])
        let line = try XCTUnwrap(lines.all.first)
        XCTAssertFalse(line.contains("hunter2"))
        XCTAssertFalse(line.contains("tok "))
        XCTAssertTrue(line.contains("password=[redacted]"), line)
        XCTAssertTrue(line.contains("client=127.0.0.1"), line)
    }

    func testLevelBelowThresholdIsNotWritten() {
        let lines = Lines()
        let logger = lines.logger(.logfmt, level: .warning)
        logger.info("quiet")
        logger.warning("loud")
        XCTAssertEqual(lines.all.count, 1)
        XCTAssertTrue(lines.all[0].contains("msg=loud"))
    }

    func testOneLinePerSyncAndPerRejectedDocument() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("logging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sample = DaemonTests.sample.appendingPathComponent("digital_R5.txt")
        try FileManager.default.copyItem(at: sample, to: folder.appendingPathComponent("good.txt"))
        try Data("this is not an evaluation table\n".utf8).write(to: folder.appendingPathComponent("bad.txt"))

        let lines = Lines()
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            _ = try await SyncEngine(pool: pool, logger: lines.logger(.logfmt)).run(SyncEngine.Options(sources: [folder.path]))
        }
        let rejects = lines.all.filter { $0.contains(#"msg="document rejected""#) }
        XCTAssertEqual(rejects.count, 1, lines.all.joined())
        XCTAssertTrue(rejects[0].contains("bad.txt"), rejects[0])
        XCTAssertTrue(rejects[0].contains("line="), rejects[0])
        XCTAssertTrue(rejects[0].contains("reason="), rejects[0])
        let summaries = lines.all.filter { $0.contains("msg=\"sync") }
        XCTAssertEqual(summaries.count, 1, lines.all.joined())
        XCTAssertTrue(summaries[0].contains("1 rejected"), summaries[0])
    }
}
