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

    /// For collectors: numbers stay numbers, lists stay JSON lists (not JSON in a string),
    /// and a field with no value (a reject without a line) is left out, never `"-"`.
    func testJSONKeepsNumbersListsAndBooleansTyped() async throws {
        let lines = Lines()
        lines.logger(.json).info("starting", metadata: [
            "sources": .array([.string("/srv/a"), .string("/srv/b")]), "metrics_port": .stringConvertible(9464),
            "auth": .stringConvertible(true), "ratio": .stringConvertible(0.5), "bind": "127.0.0.1:6380",
        ])
        let start = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: Any])
        XCTAssertEqual(start["sources"] as? [String], ["/srv/a", "/srv/b"])
        XCTAssertEqual((start["metrics_port"] as? NSNumber)?.intValue, 9464)
        XCTAssertEqual(start["auth"] as? Bool, true)
        XCTAssertEqual((start["ratio"] as? NSNumber)?.doubleValue, 0.5)
        XCTAssertEqual(start["bind"] as? String, "127.0.0.1:6380")

        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("logging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: DaemonTests.sample.appendingPathComponent("digital_R5.txt"), to: folder.appendingPathComponent("good.txt"))
        try Data("this is not an evaluation table\n".utf8).write(to: folder.appendingPathComponent("bad.txt"))
        let syncLines = Lines()
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            _ = try await SyncEngine(pool: pool, logger: syncLines.logger(.json)).run(SyncEngine.Options(sources: [folder.path]))
        }
        let objects = try syncLines.all.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let summary = try XCTUnwrap(objects.first { ($0["msg"] as? String)?.hasPrefix("sync ") == true })
        XCTAssertEqual((summary["applied"] as? NSNumber)?.intValue, 1, "\(summary)")
        XCTAssertEqual((summary["rejected"] as? NSNumber)?.intValue, 1, "\(summary)")
        XCTAssertNotNil(summary["run"] as? NSNumber, "\(summary)")
        let reject = try XCTUnwrap(objects.first { $0["msg"] as? String == "document rejected" })
        if let line = reject["line"] { XCTAssertNotNil(line as? NSNumber, "\(reject)") }
        XCTAssertFalse(syncLines.all.contains { $0.contains(#""-""#) }, syncLines.all.joined())
    }

    /// The database lost and found again: one line each, however many requests meet it.
    func testDatabaseLossAndReturnAreLoggedOnceEach() async {
        let lines = Lines()
        let watch = DatabaseWatch(logger: lines.logger(.json))
        struct Down: Error, CustomStringConvertible { var description: String { "connection refused: host=db port=5432" } }
        for _ in 0..<5 { await watch.failed(Down()) }
        for _ in 0..<5 { await watch.answered() }
        await watch.failed(Down())
        let messages = lines.all.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["msg"] as? String }
        XCTAssertEqual(messages, ["database unavailable", "database available again", "database unavailable"])
        XCTAssertTrue(lines.all[0].contains("host=db port=5432"), "the detail is in the log: \(lines.all[0])")
    }
}
