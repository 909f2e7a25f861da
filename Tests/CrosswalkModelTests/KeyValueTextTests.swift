import CrosswalkModel
import XCTest

final class KeyValueTextTests: XCTestCase {
    func testPairsCommentsAndQuotes() throws {
        let lines = try KeyValueText.parse("""
            # comment
            municipality = 北九州市   # after a space
            code=401005\r
            quoted = "a # b \\" c"
            hash = a#b

            """, file: "source.conf")
        XCTAssertEqual(lines.map(\.key), ["municipality", "code", "quoted", "hash"])
        XCTAssertEqual(lines.map(\.value), ["北九州市", "401005", "a # b \" c", "a#b"])
        XCTAssertEqual(lines.map(\.number), [2, 3, 4, 5])
    }

    func testMalformedLinesAreNamedFileColonLine() {
        for (text, expected) in [
            ("a = 1\nno equals sign", "f.conf:2: expected 'key = value'"),
            ("a = \"open", "f.conf:1: the quoted value has no closing quote"),
            ("a = \"x\" y", "f.conf:1: unexpected text after the closing quote"),
            ("a = \"\\n\"", "f.conf:1: only \\\" and \\\\ may be escaped"),
        ] {
            XCTAssertThrowsError(try KeyValueText.parse(text, file: "f.conf"), text) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }
}
