import Foundation
import TestSupport
import XCTest

/// One type per field in every framing (PROTOCOL.md, "Types"): a field is an integer or a
/// decimal by what it is, never by its value, so a client's decoded value has one type per
/// field in each mode of a command.
final class FieldTypesTests: XCTestCase {
    /// A RESP connection on the given protocol version.
    private func connect(_ port: Int, proto: Int) async throws -> TestClient {
        let client = try await TestClient.connect(port: port, timeout: .seconds(60))
        try await client.send(resp("HELLO", "\(proto)"))
        let hello = try await client.readRESP()
        XCTAssertEqual(hello["proto"], .integer(Int64(proto)))
        return client
    }

    func testReportAmountsKeepOneTypePerFieldInBothModesAndBothRESPVersions() async throws {
        try await SyncedDaemon.run { _, port, _ in
            for proto in [2, 3] {
                let client = try await connect(port, proto: proto)
                defer { Task { await client.close() } }
                for mode in ["gross", "split"] {
                    try await client.send(resp("REPORT", "SDG", "FY", "2023", "MODE", mode))
                    let report = try await client.readRESP()
                    let context = "RESP\(proto) \(mode)"
                    guard case .integer(290_665)? = report["total_thousand_yen"] else {
                        return XCTFail("\(context): total_thousand_yen \(String(describing: report["total_thousand_yen"]))")
                    }
                    let goals = try XCTUnwrap(report["goals"]?.items, context)
                    XCTAssertEqual(goals.count, 17)
                    for goal in goals {
                        // A goal's amount is a decimal (a share in split mode, the same field in gross).
                        switch (proto, goal["thousand_yen"]) {
                        case (2, .bulk(let text?)?): XCTAssertNotNil(Double(text), "\(context): \(text)")
                        case (3, .double(let text)?): XCTAssertNotNil(Double(text), "\(context): \(text)")
                        default: XCTFail("\(context): goal thousand_yen is \(String(describing: goal["thousand_yen"]))")
                        }
                        guard case .integer? = goal["programs"] else { return XCTFail("\(context): programs") }
                        // A program's own amount is whole thousand yen: an integer in every mode.
                        for program in goal["program_list"]?.items ?? [] {
                            guard case .integer? = program["thousand_yen"] else {
                                return XCTFail("\(context): program thousand_yen \(String(describing: program["thousand_yen"]))")
                            }
                        }
                    }
                    let thirteen = try XCTUnwrap(goals.first { $0["goal"] == .integer(13) })
                    XCTAssertEqual(thirteen["thousand_yen"], proto == 2 ? .bulk("110676.0") : .double("110676.0"), context)
                }
            }
        }
    }

    func testBooleansAreIntegersInRESP2AndBooleansInRESP3AndNullsAreNull() async throws {
        try await SyncedDaemon.run { _, port, _ in
            for proto in [2, 3] {
                let client = try await connect(port, proto: proto)
                defer { Task { await client.close() } }
                try await client.send(resp("PROGRAM", "KitaQ DX推進事業"))
                let program = try await client.readRESP()
                let listing = try XCTUnwrap(program["listings"]?.items?.first)
                XCTAssertEqual(listing["relisted"], proto == 2 ? .integer(0) : .boolean(false))
                let value = try XCTUnwrap(listing["indicator"]?["values"]?.items?.first)
                XCTAssertEqual(value["number"], proto == 2 ? .bulk(nil) : .null)
                XCTAssertEqual(program["former_department"], .bulk("デジタル市役所推進室 デジタル市役所推進課"))
            }
        }
    }
}
