import CrosswalkServer
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import TestSupport
import XCTest

/// The Prometheus page builder, and the metrics endpoint over real HTTP on 127.0.0.1:<ephemeral>.
final class MetricsTests: XCTestCase {

    // MARK: PrometheusText

    func testPageIsRenderedInAddOrderWithSamplesSortedByLabels() throws {
        var text = PrometheusText()
        try text.addGauge("b_temperature", help: "A gauge.", value: 1.5)
        try text.addFamily(
            "a_things_total", type: .counter, help: "Things, by kind.",
            samples: [
                .init(labels: ["kind": "y"], value: 3),
                .init(labels: ["zone": "1", "kind": "x"], value: 2),
            ])
        try text.addFamily("c_empty", type: .gauge, help: "No samples yet.", samples: [])
        let expected = """
            # HELP b_temperature A gauge.
            # TYPE b_temperature gauge
            b_temperature 1.5
            # HELP a_things_total Things, by kind.
            # TYPE a_things_total counter
            a_things_total{kind="x",zone="1"} 2
            a_things_total{kind="y"} 3
            # HELP c_empty No samples yet.
            # TYPE c_empty gauge

            """
        XCTAssertEqual(text.render(), expected)
        XCTAssertEqual(text.familyNames, ["b_temperature", "a_things_total", "c_empty"])
    }

    func testLabelValueAndHelpEscapingRoundTripsThroughTheParser() throws {
        let tricky = "say \"hi\" \\ back\\slash\nnext line 日本"
        let help = "Help with \\ backslash,\nnewline and \"quotes\"."
        var text = PrometheusText()
        try text.addFamily(
            "odd_labels_total", type: .counter, help: help,
            samples: [.init(labels: ["value": tricky], value: 1), .init(labels: ["value": ""], value: 2)])
        let page = text.render()

        XCTAssertTrue(page.contains(#"value="say \"hi\" \\ back\\slash\nnext line 日本"} 1"#), page)
        XCTAssertTrue(page.contains(#"# HELP odd_labels_total Help with \\ backslash,\nnewline and "quotes"."#), page)
        let parsed = try Exposition.parse(page)
        let family = try XCTUnwrap(parsed.family("odd_labels_total"))
        XCTAssertEqual(family.help, help)
        XCTAssertEqual(parsed.value("odd_labels_total", ["value": tricky]), 1)
        XCTAssertEqual(parsed.value("odd_labels_total", ["value": ""]), 2)
    }

    func testInvalidNamesDuplicatesAndNegativeCountersAreRefused() throws {
        var text = PrometheusText()
        for bad in ["", "1abc", "bad-name", "has space", "名前", "x{y}"] {
            XCTAssertThrowsError(try text.addGauge(bad, help: "", value: 0)) { error in
                XCTAssertEqual(error as? PrometheusTextError, .invalidMetricName(bad))
            }
        }
        XCTAssertThrowsError(try text.addCounter("requests", help: "", value: 1)) { error in
            XCTAssertEqual(error as? PrometheusTextError, .counterNameWithoutTotal("requests"))
        }
        for bad in ["__reserved", "0a", "a-b", "ns:name", ""] {
            XCTAssertThrowsError(
                try text.addFamily("labelled", type: .gauge, help: "", samples: [.init(labels: [bad: "v"], value: 1)])
            ) { error in
                XCTAssertEqual(error as? PrometheusTextError, .invalidLabelName(metric: "labelled", label: bad))
            }
        }
        XCTAssertThrowsError(try text.addCounter("drops_total", help: "", value: -1)) { error in
            XCTAssertEqual(error as? PrometheusTextError, .invalidCounterValue(metric: "drops_total", value: -1))
        }
        XCTAssertThrowsError(try text.addCounter("nan_total", help: "", value: .nan))
        XCTAssertThrowsError(
            try text.addFamily(
                "twice", type: .gauge, help: "",
                samples: [.init(labels: ["a": "1"], value: 1), .init(labels: ["a": "1"], value: 2)])
        ) { error in
            XCTAssertEqual(error as? PrometheusTextError, .duplicateSample(metric: "twice", labels: #"{a="1"}"#))
        }

        try text.addGauge("ns:fine_name", help: "Colons are allowed in metric names.", value: 0)
        XCTAssertThrowsError(try text.addGauge("ns:fine_name", help: "", value: 1)) { error in
            XCTAssertEqual(error as? PrometheusTextError, .duplicateFamily("ns:fine_name"))
        }
        XCTAssertEqual(text.familyNames, ["ns:fine_name"], "refused families leave nothing behind")
    }

    func testValuesUsePrometheusSpellings() throws {
        var text = PrometheusText()
        try text.addFamily(
            "values", type: .gauge, help: "Every kind of number.",
            samples: [
                .init(labels: ["v": "a"], value: .nan), .init(labels: ["v": "b"], value: .infinity),
                .init(labels: ["v": "c"], value: -.infinity), .init(labels: ["v": "d"], value: 3),
                .init(labels: ["v": "e"], value: 0.25), .init(labels: ["v": "f"], value: 1e20),
                .init(labels: ["v": "g"], value: -0.0),
            ])
        let lines = text.render().split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(
            lines,
            [
                #"values{v="a"} NaN"#, #"values{v="b"} +Inf"#, #"values{v="c"} -Inf"#, #"values{v="d"} 3"#,
                #"values{v="e"} 0.25"#, #"values{v="f"} 1e+20"#, #"values{v="g"} 0"#,
            ])
        let parsed = try Exposition.parse(text.render())
        XCTAssertEqual(parsed.value("values", ["v": "f"]), 1e20)
    }

    // MARK: The endpoint over HTTP

    func testScrapeIsValidExpositionAndCountsTheCommandsSent() async throws {
        let beforeStart = ContinuousClock.now
        let (server, serverPort) = try await startServer(self)
        let port = try await startEndpoint(self) { serverMetricsPage(server.stats) }

        let client = try await TestClient.connect(port: serverPort)
        try await client.send("PING\r\nPING\r\n" + resp("ECHO", "x") + "SDG 3\r\nFROB\r\nSDG 99\r\n")
        var replies: [String] = []
        for _ in 0..<7 { replies.append(try await client.readLine()) }
        XCTAssertEqual(replies[2...3], ["$1", "x"])
        XCTAssertTrue(replies[5].contains("unknown command"), replies[5])
        XCTAssertTrue(replies[6].contains("wrong"), replies[6])

        let response = try await get(port: port, "/metrics")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        let page = try Exposition.parse(response.body)

        XCTAssertEqual(
            page.families.map(\.name),
            [
                "crosswalk_uptime_seconds", "crosswalk_connections_open", "crosswalk_connections_total",
                "crosswalk_connections_rejected_total", "crosswalk_commands_total", "crosswalk_errors_total",
            ])
        XCTAssertEqual(
            page.families.map(\.type), ["gauge", "gauge", "counter", "counter", "counter", "counter"])
        XCTAssertTrue(page.families.allSatisfy { !$0.help.isEmpty })

        XCTAssertEqual(page.value("crosswalk_commands_total", ["command": "PING"]), 2)
        XCTAssertEqual(page.value("crosswalk_commands_total", ["command": "ECHO"]), 1)
        XCTAssertEqual(page.value("crosswalk_commands_total", ["command": "SDG"]), 1, "SDG 99 was refused, not served")
        XCTAssertEqual(page.value("crosswalk_errors_total", ["kind": "unknown_command"]), 1)
        XCTAssertEqual(page.value("crosswalk_errors_total", ["kind": "wrong_arguments"]), 1)
        XCTAssertEqual(page.value("crosswalk_connections_open", [:]), 1, "the protocol client is still connected")
        XCTAssertEqual(page.value("crosswalk_connections_total", [:]), 1)
        XCTAssertEqual(page.value("crosswalk_connections_rejected_total", [:]), 0)
        // Time since this server started: more than nothing, no more than the test has run.
        let uptime = try XCTUnwrap(page.value("crosswalk_uptime_seconds", [:]))
        let sinceStart = ContinuousClock.now - beforeStart
        XCTAssertGreaterThan(uptime, 0)
        XCTAssertLessThanOrEqual(uptime, Double(sinceStart.components.seconds) + Double(sinceStart.components.attoseconds) / 1e18)
        await client.close()
    }

    func testDaemonFamiliesAppendToTheServerFamilies() async throws {
        let stats = ServerStats()
        let port = try await startEndpoint(self) {
            var text = PrometheusText()
            do {
                try text.addServerMetrics(stats)
                try text.addGauge("crosswalk_store_programs", help: "Programs in the store.", value: 42)
                try text.addGauge("crosswalk_database_up", help: "1 when PostgreSQL answers.", value: 1)
            } catch {
                return "render failed: \(error)\n"
            }
            return text.render()
        }
        let response = try await get(port: port, "/metrics")
        XCTAssertEqual(response.status, 200)
        let page = try Exposition.parse(response.body)
        XCTAssertEqual(page.families.suffix(2).map(\.name), ["crosswalk_store_programs", "crosswalk_database_up"])
        XCTAssertEqual(page.value("crosswalk_store_programs", [:]), 42)
        XCTAssertEqual(page.family("crosswalk_commands_total")?.samples, [], "no commands yet: HELP and TYPE only")
    }

    func testKeepAliveConnectionAnswersPipelinedScrapesInOrder() async throws {
        let scrapes = NIOLockedValueBox(0)
        let port = try await startEndpoint(self) {
            let n = scrapes.withLockedValue { $0 += 1; return $0 }
            return "# HELP scrape_number Which scrape this is.\n# TYPE scrape_number gauge\nscrape_number \(n)\n"
        }
        let client = try await TestClient.connect(port: port)
        let request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        try await client.send(request + request + "GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let first = try await readResponse(client)
        let second = try await readResponse(client)
        let third = try await readResponse(client)
        XCTAssertEqual([first.status, second.status, third.status], [200, 200, 404])
        XCTAssertEqual(try Exposition.parse(first.body).value("scrape_number", [:]), 1)
        XCTAssertEqual(try Exposition.parse(second.body).value("scrape_number", [:]), 2)
        XCTAssertFalse(client.isClosed, "HTTP/1.1 keeps the connection open")
        await client.close()
    }

    func testOnlyTheMetricsPathIsServed() async throws {
        let port = try await startEndpoint(self) { "" }
        for path in ["/", "/metric", "/metrics/", "/metricsx", "/other/metrics", "/METRICS"] {
            let response = try await get(port: port, path)
            XCTAssertEqual(response.status, 404, path)
        }
        let withQuery = try await get(port: port, "/metrics?module=crosswalk")
        XCTAssertEqual(withQuery.status, 200, "query parameters from a scrape config are ignored")
    }

    func testMethodsOtherThanGETAre405WithAllowHeader() async throws {
        let port = try await startEndpoint(self) { "" }
        let client = try await TestClient.connect(port: port)
        let post = "POST /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"
        let delete = "DELETE /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        let head = "HEAD /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        let getRequest = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        try await client.send(post + delete + head + getRequest)
        for method in ["POST", "DELETE"] {
            let response = try await readResponse(client)
            XCTAssertEqual(response.status, 405, method)
            XCTAssertEqual(response.headers["allow"], "GET", method)
        }
        // A HEAD answer has no body: the next bytes are already the next status line.
        let headResponse = try await readResponse(client, bodyExpected: false)
        XCTAssertEqual(headResponse.status, 405)
        XCTAssertEqual(headResponse.headers["allow"], "GET")
        let after = try await readResponse(client)
        XCTAssertEqual(after.status, 200)
        await client.close()
    }

    func testMalformedRequestGets400AndIsClosed() async throws {
        let port = try await startEndpoint(self) { "" }
        let client = try await TestClient.connect(port: port)
        try await client.send("THIS IS NOT HTTP\r\n\r\n")
        let answer = try await client.readUntilClosed()
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), answer)
        XCTAssertTrue(client.isClosed)

        let after = try await get(port: port, "/metrics")
        XCTAssertEqual(after.status, 200, "the endpoint stays up")
    }

    func testOversizedHeadersCloseTheConnection() async throws {
        let port = try await startEndpoint(self) { "" }
        let client = try await TestClient.connect(port: port)
        let huge = String(repeating: "a", count: 200 * 1024)
        // The server may close before all of it is written; a failed send is expected then.
        try? await client.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: \(huge)\r\n\r\n")
        let answer = try await client.readUntilClosed()
        XCTAssertTrue(client.isClosed)
        XCTAssertTrue(answer.isEmpty || answer.hasPrefix("HTTP/1.1 400"), String(answer.prefix(200)))

        let after = try await get(port: port, "/metrics")
        XCTAssertEqual(after.status, 200, "the endpoint stays up")
    }

    func testIdleAndUnfinishedConnectionsAreClosedAfterTheIdleTimeout() async throws {
        // Long enough that a loaded machine still delivers the served request in time.
        let port = try await startEndpoint(self, idleTimeout: .seconds(1)) { "" }
        let silent = try await TestClient.connect(port: port)
        let unfinished = try await TestClient.connect(port: port)
        try await unfinished.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        let served = try await TestClient.connect(port: port)
        try await served.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

        let response = try await readResponse(served)
        XCTAssertEqual(response.status, 200)
        let silentRest = try await silent.readUntilClosed()
        let unfinishedRest = try await unfinished.readUntilClosed()
        let servedRest = try await served.readUntilClosed()
        XCTAssertEqual(silentRest, "")
        XCTAssertEqual(unfinishedRest, "")
        XCTAssertEqual(servedRest, "", "an idle keep-alive connection is closed too")
    }

    func testIdleTimeoutDoesNotCutSlowPipelinedScrapes() async throws {
        // Each page takes three idle timeouts to produce.
        let port = try await startEndpoint(self, idleTimeout: .milliseconds(300)) {
            try? await Task.sleep(for: .milliseconds(900))
            return "# HELP slow A slow page.\n# TYPE slow gauge\nslow 1\n"
        }
        let client = try await TestClient.connect(port: port)
        let request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        try await client.send(request + request)
        let first = try await readResponse(client)
        let second = try await readResponse(client)
        XCTAssertEqual([first.status, second.status], [200, 200])
        XCTAssertEqual(try Exposition.parse(second.body).value("slow", [:]), 1)
    }

    func testHalfClosedClientStillGetsItsAnswer() async throws {
        let port = try await startEndpoint(self) { "# HELP up Up.\n# TYPE up gauge\nup 1\n" }
        let client = try await TestClient.connect(port: port)
        try await client.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try await client.shutdownOutput()
        let response = try await readResponse(client)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try Exposition.parse(response.body).value("up", [:]), 1)
        // Whether the answer says `connection: close` depends on when the FIN arrived; either way the server closes.
        let rest = try await client.readUntilClosed()
        XCTAssertEqual(rest, "")
    }

    // MARK: Lifecycle

    func testShutdownClosesConnectionsAndReleasesThePort() async throws {
        let endpoint = makeEndpoint(port: 0) { "" }
        let port = try await endpoint.start()
        XCTAssertEqual(endpoint.port, port)
        let keptAlive = try await TestClient.connect(port: port)
        try await keptAlive.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let response = try await readResponse(keptAlive)
        XCTAssertEqual(response.status, 200)

        await endpoint.shutdown()
        let rest = try await keptAlive.readUntilClosed()
        XCTAssertEqual(rest, "", "the kept-alive connection is closed")

        let successor = makeEndpoint(port: port) { "" }
        let rebound = try await successor.start()
        XCTAssertEqual(rebound, port, "the port is free again")
        await successor.shutdown()
        await endpoint.shutdown()  // idempotent
    }

    func testGracefulShutdownFinishesAScrapeInFlight() async throws {
        let called = Probe()
        let gate = Gate()
        // A grace period no slow machine reaches, so only the drain logic decides the outcome.
        let endpoint = MetricsEndpoint(port: 0, shutdownGracePeriod: .seconds(120), logger: quietLogger()) {
            called.hit()
            await gate.wait()
            return "# HELP last Last page.\n# TYPE last gauge\nlast 1\n"
        }
        let port = try await endpoint.start()
        let client = try await TestClient.connect(port: port)
        try await client.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try await called.waitFor(1)

        let stopping = Task { await endpoint.shutdown() }
        try await waitUntilRefused(port: port)
        gate.open()  // only now, with shutdown under way, does the scrape produce its page
        let response = try await readResponse(client)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try Exposition.parse(response.body).value("last", [:]), 1)
        let rest = try await client.readUntilClosed()
        XCTAssertEqual(rest, "")
        await stopping.value
    }

    func testRunsUnderServiceGroupAndStopsOnGracefulShutdown() async throws {
        let endpoint = makeEndpoint(port: 0) { "" }
        let group = ServiceGroup(services: [endpoint], logger: quietLogger())
        let running = Task { try await group.run() }

        let deadline = ContinuousClock.now + .seconds(15)
        while endpoint.port == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let port = try XCTUnwrap(endpoint.port)
        let response = try await get(port: port, "/metrics")
        XCTAssertEqual(response.status, 200)

        await group.triggerGracefulShutdown()
        try await running.value
        do {
            let late = try await TestClient.connect(port: port)
            let answer = try await late.readUntilClosed()
            XCTAssertEqual(answer, "", "nothing answers after shutdown")
        } catch {
            // Connection refused: the listener is gone.
        }
    }

    func testStartingOnATakenPortFailsAndStartingTwiceIsRefused() async throws {
        let port = try await startEndpoint(self) { "" }
        let second = makeEndpoint(port: port) { "" }
        do {
            try await second.start()
            XCTFail("binding a taken port should fail")
        } catch {}
        await second.shutdown()

        let endpoint = makeEndpoint(port: 0) { "" }
        try await endpoint.start()
        do {
            try await endpoint.start()
            XCTFail("a second start should be refused")
        } catch ServerError.alreadyStarted {}
        await endpoint.shutdown()
    }

    func testBindsToLoopbackByDefault() {
        XCTAssertEqual(MetricsEndpoint(port: 0) { "" }.host, "127.0.0.1")
    }
}

// MARK: - Helpers

private func quietLogger() -> Logger {
    var logger = Logger(label: "test.metrics")
    logger.logLevel = .critical
    return logger
}

private func makeEndpoint(
    port: Int, idleTimeout: Duration = .seconds(30), provider: @escaping @Sendable () async -> String
) -> MetricsEndpoint {
    MetricsEndpoint(port: port, idleTimeout: idleTimeout, logger: quietLogger(), provider: provider)
}

/// Starts an endpoint on 127.0.0.1, port 0, and stops it when the test ends.
private func startEndpoint(
    _ test: XCTestCase, idleTimeout: Duration = .seconds(30), provider: @escaping @Sendable () async -> String
) async throws -> Int {
    let endpoint = makeEndpoint(port: 0, idleTimeout: idleTimeout, provider: provider)
    let port = try await endpoint.start()
    test.addTeardownBlock { await endpoint.shutdown() }
    return port
}

/// The server's own families, or a line the parser refuses if building the page failed.
private func serverMetricsPage(_ stats: ServerStats) -> String {
    var text = PrometheusText()
    do {
        try text.addServerMetrics(stats)
    } catch {
        return "render failed: \(error)\n"
    }
    return text.render()
}

/// Returns once connecting to `port` fails: the listener is closed.
private func waitUntilRefused(port: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(15)
    while ContinuousClock.now < deadline {
        guard let client = try? await TestClient.connect(port: port) else { return }
        await client.close()
        try await Task.sleep(for: .milliseconds(5))
    }
    throw TestTimeout(what: "port \(port) to refuse connections")
}

/// Waits until `open()` is called.
private final class Gate: Sendable {
    private let isOpen = NIOLockedValueBox(false)
    func open() { isOpen.withLockedValue { $0 = true } }
    func wait() async {
        while !isOpen.withLockedValue({ $0 }) {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}
