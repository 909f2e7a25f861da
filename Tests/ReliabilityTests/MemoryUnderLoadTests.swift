import CrosswalkServer
import Foundation
import Logging
import XCTest

/// Clients that pipeline large requests and do not read the replies: the server stops
/// taking their work once the queued reply bytes reach the bound, instead of holding every
/// reply, and serves them in full once they read. RSS is this test process's (the server
/// runs in it, the clients keep nothing).
final class MemoryUnderLoadTests: XCTestCase {
    static let replyBytes = 512 << 10
    static let requestsPerClient = 400

    /// A server whose `BIG` answers a 512 KiB string (the size of `SDGS FY 2023` on the
    /// reported corpus), as an application command does: off the event loop.
    private func bigReplyServer(configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> Int {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let big = String(repeating: "x", count: Self.replyBytes)
        var commands = CommandRegistry()
        commands.register("BIG", usage: "BIG", summary: "A 512 KiB string.") { _ in .string(big) }
        var logger = Logger(label: "test.memory")
        logger.logLevel = .critical
        let server = LineServer(configuration: configuration, commands: commands, logger: logger)
        let port = try await server.start()
        addTeardownBlock { await server.shutdown() }
        return port
    }

    /// `$524288\r\nxxx…\r\n`
    private static var replyRESPBytes: Int { "$\(replyBytes)\r\n".utf8.count + replyBytes + 2 }

    /// Pipelines `requestsPerClient` BIG from each client without reading, samples RSS for
    /// `watch`, then reads every reply; returns the RSS before and the peak seen.
    private func pipelineWithoutReading(port: Int, clients: Int, watch: Duration = .seconds(3)) async throws -> (before: Int, peak: Int) {
        let before = try residentBytes()
        let connections = try (0..<clients).map { _ in try RawClient(port: port) }
        let requests = String(repeating: "*1\r\n$3\r\nBIG\r\n", count: Self.requestsPerClient)
        for connection in connections { try connection.send(requests) }
        var peak = before
        let until = ContinuousClock.now + watch
        while ContinuousClock.now < until {
            peak = max(peak, try residentBytes())
            try await Task.sleep(for: .milliseconds(10))
        }
        // Everything is answered once the clients read: holding back lost nothing.
        let expected = Self.requestsPerClient * Self.replyRESPBytes
        for (i, connection) in connections.enumerated() {
            let got = try await offThread { try connection.drain(count: expected) }
            XCTAssertEqual(got.bytes, expected, "client \(i): bytes of \(Self.requestsPerClient) replies")
            XCTAssertEqual(got.ending, "\r\n", "client \(i): the last reply whole")
        }
        return (before, peak)
    }

    func testAClientPipeliningLargeRequestsWithoutReadingIsNotReadFromAndMemoryStaysBounded() async throws {
        let port = try await bigReplyServer()
        let (before, peak) = try await pipelineWithoutReading(port: port, clients: 3)
        print(
            "MemoryUnderLoadTests: 3 clients × \(Self.requestsPerClient) × 512 KiB replies unread"
                + " (\(3 * Self.requestsPerClient / 2) MiB if all were held): RSS \(before >> 20) → peak \(peak >> 20) MiB")
        // Unbounded (up to 1,024 replies per connection), all 600 MiB were held.
        XCTAssertLessThan(peak - before, 96 << 20, "RSS \(before >> 20) → \(peak >> 20) MiB")
    }

    func testTheTotalBoundHoldsManyClientsThatDoNotRead() async throws {
        // Per connection generous, in total tight: the total is what holds.
        let port = try await bigReplyServer {
            $0.maxQueuedReplyBytes = 256 << 20
            $0.maxTotalQueuedReplyBytes = 16 << 20
        }
        let (before, peak) = try await pipelineWithoutReading(port: port, clients: 4)
        print("MemoryUnderLoadTests: 4 clients, 16 MiB total bound: RSS \(before >> 20) → peak \(peak >> 20) MiB")
        XCTAssertLessThan(peak - before, 96 << 20, "RSS \(before >> 20) → \(peak >> 20) MiB")
    }

    /// 24 clients with 4 MiB queued each (96 MiB in all), then reading: once the queue is
    /// empty the freed memory goes back to the system (`malloc_trim`), so RSS falls back
    /// near where it was instead of staying at the burst's peak.
    func testAfterABurstOfLargeRepliesTheMemoryIsReturned() async throws {
        let port = try await bigReplyServer()
        let clients = 24, perClient = 40
        let before = try residentBytes()
        let connections = try (0..<clients).map { _ in try RawClient(port: port) }
        for connection in connections { try connection.send(String(repeating: "*1\r\n$3\r\nBIG\r\n", count: perClient)) }
        var peak = before
        for _ in 0..<100 {
            peak = max(peak, try residentBytes())
            try await Task.sleep(for: .milliseconds(10))
        }
        let expected = perClient * Self.replyRESPBytes
        try await withThrowingTaskGroup(of: Int.self) { group in
            for connection in connections { group.addTask { try await offThread { try connection.drain(count: expected).bytes } } }
            for try await got in group { XCTAssertEqual(got, expected) }
        }
        // The trim runs in the background once the last reply is written.
        var after = try residentBytes()
        for _ in 0..<50 where after - before >= 32 << 20 {
            try await Task.sleep(for: .milliseconds(100))
            after = try residentBytes()
        }
        print("MemoryUnderLoadTests: burst of \(clients) × 4 MiB queued: RSS \(before >> 20) → peak \(peak >> 20) → after \(after >> 20) MiB")
        XCTAssertGreaterThan(peak - before, 48 << 20, "the burst is a burst")
        XCTAssertLessThan(after - before, 32 << 20, "RSS \(before >> 20) → peak \(peak >> 20) → after \(after >> 20) MiB")
    }

    private func residentBytes() throws -> Int {
        // statm: size resident shared … in pages.
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let fields = statm.split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
