import CrosswalkServer
import Foundation
import XCTest

/// `ReplyValue(encodable:)` builds the value an answer computed in Swift is sent as, without
/// JSON text in between: it must be the very value the old route (JSONEncoder with sorted
/// keys, then the parser) gave, so the wire bytes do not change.
final class ReplyValueEncoderTests: XCTestCase {
    struct Answer: Encodable {
        struct Pair: Encodable {
            var score: Double
            var nameScore: Double
            var summaryScore: Double?
            var fields: [Field]
            var matched: [String]
            enum CodingKeys: String, CodingKey {
                case score, fields, matched
                case nameScore = "name_score", summaryScore = "summary_score"
            }
        }
        enum Field: UInt8, Encodable {
            case name = 1, summary = 2
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(self == .name ? "name" : "summary")
            }
        }
        var fiscalYear: Int?
        var threshold: Double
        var pairs: [Pair]
        var flags: [Bool]
        var big: UInt64
        var nested: [[Int32]]
        var nothing: String?
        enum CodingKeys: String, CodingKey {
            case threshold, pairs, flags, big, nested, nothing
            case fiscalYear = "fiscal_year"
        }
    }

    static let sample = Answer(
        fiscalYear: 2023, threshold: 0.55,
        pairs: [
            .init(score: 1, nameScore: 0.8333333333333334, summaryScore: nil, fields: [.name], matched: ["テレワーク"]),
            .init(score: 100.0, nameScore: -0.0, summaryScore: 1e-05, fields: [.name, .summary], matched: []),
            .init(score: 1e20, nameScore: 12345678.5, summaryScore: 3e15, fields: [], matched: ["\"quoted\"\n"]),
        ],
        flags: [true, false], big: UInt64.max, nested: [[1, -2], []], nothing: nil)

    func testAnswersBecomeTheValueTheJSONRouteGave() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let viaText = try ReplyValue(encoding: Self.sample, encoder: encoder)
        let direct = try ReplyValue(encodable: Self.sample)
        XCTAssertEqual(direct, viaText)
        XCTAssertEqual(direct.jsonReplyLine(), viaText.jsonReplyLine())
        XCTAssertEqual(direct.respBytes(), viaText.respBytes())
    }

    func testWholeDoublesAreIntegersAndNilsAreLeftOut() throws {
        let direct = try ReplyValue(encodable: Self.sample)
        guard case .array(let pairs)? = direct["pairs"] else { return XCTFail("no pairs in \(direct)") }
        XCTAssertEqual(pairs[0]["score"], .int(1))
        XCTAssertNil(pairs[0]["summary_score"])
        XCTAssertEqual(pairs[1]["summary_score"], .double(1e-05))
        XCTAssertEqual(direct["fiscal_year"], .int(2023))
        XCTAssertNil(direct["nothing"])
        guard case .object(let keys) = direct else { return XCTFail("not an object") }
        XCTAssertEqual(keys.map(\.0), ["big", "fiscal_year", "flags", "nested", "pairs", "threshold"])
    }

    func testValuesWithoutOneJSONFormAreRefused() {
        struct Stamped: Encodable { var at = Date(timeIntervalSince1970: 0) }
        XCTAssertThrowsError(try ReplyValue(encodable: Stamped()))
        XCTAssertThrowsError(try ReplyValue(encodable: [Double.nan]))
    }

    func testWholeDoublesCanStayDoublesSoAFieldKeepsOneType() throws {
        let typed = try ReplyValue(encodable: Self.sample, wholeDoubles: .doubles)
        guard case .array(let pairs)? = typed["pairs"] else { return XCTFail("no pairs in \(typed)") }
        XCTAssertEqual(pairs.map { $0["score"] }, [.double(1), .double(100), .double(1e20)])
        XCTAssertEqual(typed["fiscal_year"], .int(2023), "integers stay integers")
        XCTAssertEqual(pairs[0]["score"]?.jsonText(), "1.0")
        XCTAssertEqual(pairs[0]["score"]?.respBytes(.v2), Array("$3\r\n1.0\r\n".utf8))
        XCTAssertEqual(pairs[0]["score"]?.respBytes(.v3), Array(",1.0\r\n".utf8))
    }
}
