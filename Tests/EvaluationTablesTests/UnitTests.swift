import CrosswalkModel
import Foundation
import XCTest

@testable import EvaluationTables

final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testBlockBoundaries() {
        let expected: [Int: String] = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            65: "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0",
            119: "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb",
            128: "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e",
        ]
        for (count, digest) in expected {
            XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: count)), digest, "\(count) bytes")
        }
    }

    func testNonContiguousBytesDigestLikeAnArray() {
        // A collection without contiguous storage is copied first: same digest.
        let bytes = (0..<1_000).lazy.map { UInt8(truncatingIfNeeded: $0 &* 7) }
        XCTAssertNil(bytes.withContiguousStorageIfAvailable { _ in true })
        XCTAssertEqual(SHA256.hex(bytes), SHA256.hex(Array(bytes)))
        XCTAssertEqual(SHA256.digest(bytes).count, 32)
    }

    func testConcurrentDigestsMatchSerialOnes() {
        // libcrypto's SHA-256 is fetched once and shared by every thread.
        let inputs = (0..<64).map { n in [UInt8](repeating: UInt8(n), count: 1_000 + n * 997) }
        let serial = inputs.map { SHA256.hex($0) }
        let results = UnsafeMutableBufferPointer<String>.allocate(capacity: inputs.count)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: inputs.count) { i in
            (slots.baseAddress! + i).initialize(to: SHA256.hex(inputs[i]))
        }
        XCTAssertEqual(Array(results), serial)
        _ = results.deinitialize()
    }

    func testLargeDocumentDigest() throws {
        // The document's digest is the digest of its bytes as read, however large.
        var bytes = try Fixture.sample
        while bytes.count < (1 << 20) + 10 { bytes += [0x0A] + (try Fixture.sample) }
        let doc = try EvaluationReader().read(bytes, source: "big.txt")
        XCTAssertEqual(doc.sha256, SHA256.hex(bytes))
    }
}

final class UTF8CheckTests: XCTestCase {
    /// The reader's UTF-8 check accepts exactly what the standard library's strict
    /// validation accepts, on random mixes of ASCII, Japanese characters, stray
    /// continuation bytes, overlong and surrogate forms and cut-off sequences; and a
    /// sequence cut off by the end is reported as truncated, not invalid.
    func testAgreesWithTheStandardLibrary() {
        let pieces: [[UInt8]] = [
            Array("abcdefgh".utf8), Array("a".utf8), Array("事業の推進".utf8), Array("ｶﾅ".utf8), Array("é".utf8), Array("😀".utf8),
            [0x80], [0xBF], [0xC0, 0xAF], [0xC1, 0x80], [0xE0, 0x80, 0x80], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF],
            [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0xE3, 0x81], [0xE3], [0xF0, 0x9F, 0x98], [0xFF],
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &generator) { bytes += pieces.randomElement(using: &generator)! }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            switch TextDecoder.validateUTF8(bytes, from: 0) {
            case .valid:
                XCTAssertTrue(valid, "\(bytes)")
            case .invalidAt(let offset):
                XCTAssertFalse(valid, "\(bytes)")
                XCTAssertNil(String(validating: bytes[offset...], as: UTF8.self), "\(bytes) at \(offset)")
            case .truncatedAt(let offset):
                XCTAssertFalse(valid, "\(bytes)")
                XCTAssertNotNil(String(validating: bytes[..<offset], as: UTF8.self), "\(bytes) at \(offset)")
            }
        }
    }
}

final class KeyTests: XCTestCase {
    /// The fast key path must agree with CrosswalkModel's `TextKey.fold` for every
    /// character it handles.
    func testFastFoldMatchesTextKeyForEveryFastCharacter() {
        var ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0x09...0x0D]
        ranges += [0x3000...0x3000, 0x3001...0x3003, 0x3005...0x301C, 0x3041...0x3096, 0x30A1...0x30FC]
        ranges += [0xFF01...0xFF5E, 0x2460...0x2473, 0x2160...0x216B]
        ranges += [0x4E00...0x4E00 + 2000, 0x9F00...0x9FFF, 0x3400...0x3500]
        var checked = 0
        for range in ranges {
            for v in range {
                guard let scalar = Unicode.Scalar(v) else { continue }
                let text = "a" + String(Character(scalar)) + "Z"
                if let fast = FastKey.fastFold(text) {
                    XCTAssertEqual(fast, TextKey.fold(text), "U+\(String(v, radix: 16))")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 2500)
    }

    func testProgramKeyMatchesModel() throws {
        let doc = try EvaluationReader().read(try Fixture.sample, source: "digital_R5.txt")
        for listing in doc.listings {
            XCTAssertEqual(listing.programKey, ProgramKey.make(name: listing.program, department: listing.department))
        }
        for code in ["II-3-(2)-②", "Ⅱ－３－（２）－２", "Ⅲーⅰ－(3)－④", "IV‐1−(2)-⑳", "V-1-(1)-1"] {
            XCTAssertEqual(FastKey.policyKey(code), PolicyCode.key(code), code)
        }
        let names = ["ＫｉｔａＱ　ＤＸ推進事業", "（再掲）KitaQ DX推進事業", "ｶﾀｶﾅ事業", "Ⅱ期計画①", "é事業"]
        // Departments in and outside the fast set (the key is built in one buffer, else by the model's rule).
        let departments = ["DX推進課", "デジタル市役所推進室 デジタル市役所推進課", "ＤＸ推進課①", "café課", "", "掲示板管理課"]
        for name in names {
            for department in departments {
                XCTAssertEqual(FastKey.programKey(name: name, department: department),
                    ProgramKey.make(name: name, department: department), "\(name) | \(department)")
            }
        }
    }
}

final class CellTests: XCTestCase {
    func withText<T>(_ s: String, _ body: (ByteText, Range<Int>) -> T) -> T {
        let bytes = Array(s.utf8)
        return bytes.withUnsafeBufferPointer { body(ByteText(buf: $0), 0..<bytes.count) }
    }

    func testAmounts() {
        XCTAssertEqual(withText("19,027") { $0.amount($1) }, .value(19027))
        XCTAssertEqual(withText("１２５，０００") { $0.amount($1) }, .value(125000))
        XCTAssertEqual(withText("△1,200") { $0.amount($1) }, .value(-1200))
        XCTAssertEqual(withText("▲300") { $0.amount($1) }, .value(-300))
        XCTAssertEqual(withText("—") { $0.amount($1) }, AmountCell.none)
        XCTAssertEqual(withText("―") { $0.amount($1) }, AmountCell.none)
        XCTAssertEqual(withText("-") { $0.amount($1) }, AmountCell.none)
        XCTAssertEqual(withText("5,0x0") { $0.amount($1) }, .garbled)
        XCTAssertEqual(withText("1,2345") { $0.amount($1) }, .garbled)
        XCTAssertEqual(withText("順調") { $0.amount($1) }, .notAmount)
        XCTAssertEqual(withText("85% (R6年度)") { $0.amount($1) }, .notAmount)
    }

    func testSDGCells() {
        XCTAssertEqual(withText("⑪ ⑯") { $0.sdgGoals($1) }, [11, 16])
        XCTAssertEqual(withText("⑤⑧⑩") { $0.sdgGoals($1) }, [5, 8, 10])
        XCTAssertEqual(withText("17") { $0.sdgGoals($1) }, [17])
        XCTAssertEqual(withText("3、１１") { $0.sdgGoals($1) }, [3, 11])
        XCTAssertNil(withText("KitaQ DX推進事業") { $0.sdgGoals($1) })
    }

    func testPolicyCodes() {
        let cases: [(String, String?, String?)] = [
            ("II-3-(2)-② ワーク・ライフ・バランス", "II-3-(2)-②", "ワーク・ライフ・バランス"),
            ("Ⅲ－１－（３）－④ 高度情報社会への対応", "Ⅲ－１－（３）－④", "高度情報社会への対応"),
            ("II-3-(2)-②", "II-3-(2)-②", ""),
            ("17", nil, nil),
            ("KitaQ DX推進事業", nil, nil),
        ]
        for (cell, code, name) in cases {
            let split = withText(cell) { text, r in text.policyCode(r).map { (text.string($0.code), text.string($0.name)) } }
            XCTAssertEqual(split?.0, code, cell)
            XCTAssertEqual(split?.1, name, cell)
        }
    }

    func testIndicatorNumbers() {
        XCTAssertEqual(IndicatorNumber.parse("年間削減作業時間：46,549時間").0, 46549)
        XCTAssertEqual(IndicatorNumber.parse("年間削減作業時間：46,549時間").1, "時間")
        XCTAssertEqual(IndicatorNumber.parse("85%（R7年度）").0, 85)
        XCTAssertEqual(IndicatorNumber.parse("85%（R7年度）").1, "%")
        XCTAssertEqual(IndicatorNumber.parse("R7年度までに12.5MW").0, 12.5)
        XCTAssertEqual(IndicatorNumber.parse("R7年度までに12.5MW").1, "MW")
        XCTAssertNil(IndicatorNumber.parse("計画の着実な推進").0)
    }
}

final class ReconcileTests: XCTestCase {
    /// Two documents of one parse: the FY2024 document repeats KitaQ DX with the
    /// FY2023 settled amount written differently, and a placeholder indicator name.
    func testAcrossDocuments() throws {
        let reader = EvaluationReader()
        let r5 = try reader.read(try Fixture.sample, source: "digital_R5.txt")
        var rows = try Fixture.sampleRows()
        rows = rows.map { $0.map { $0.replacingOccurrences(of: "令和5年度", with: "令和6年度").replacingOccurrences(of: "R5年度", with: "R6年度").replacingOccurrences(of: "R4年度", with: "R5年度") } }
        rows[7][13] = "4,000"   // "R5 settled" in the R6 document: FY2023 settled, was 3,947
        rows[7][7] = "指標名等"  // placeholder; the R5 document names it
        rows = Array(rows[0..<10])
        let r6 = try reader.read(Fixture.join(rows), source: "digital_R6.txt")
        XCTAssertEqual(r6.fiscalYear, 2024)
        XCTAssertNil(r6.listings[0].indicator?.name)

        var docs = [r5, r6]
        reader.reconcile(&docs)
        XCTAssertEqual(docs[1].listings[0].indicator?.name, "「北九州市DX推進計画」に基づく取組の推進")
        XCTAssertEqual(docs[1].listings[0].indicator?.nameInferred, true)
        let conflict = try XCTUnwrap(docs[1].warnings.first { $0.code == "amount_conflict" })
        XCTAssertEqual(conflict.line, 8)
        XCTAssertTrue(conflict.message.hasPrefix("digital_R6.txt:8: "), conflict.message)
        XCTAssertTrue(conflict.message.contains("digital_R5.txt:8") && conflict.message.contains("digital_R6.txt:8"), conflict.message)
        XCTAssertTrue(conflict.message.contains("FY2023 settled"), conflict.message)
        // Different fiscal years: SDG sets and grades are not compared.
        XCTAssertFalse(docs[1].warnings.contains { $0.code == "sdg_conflict" })
        // Idempotent.
        let once = docs
        reader.reconcile(&docs)
        XCTAssertEqual(docs, once)
        XCTAssertEqual(docs[0].warnings, r5.warnings)
    }

    func testGradeConflictWithinDocument() throws {
        let doc = try EvaluationReader().read(try Fixture.sample(setting: [(17, 16, "やや遅れ")]), source: "digital_R5.txt")
        let warning = try XCTUnwrap(doc.warnings.first { $0.code == "grade_conflict" })
        XCTAssertEqual(warning.line, 17)
        XCTAssertTrue(warning.message.contains("II-3-(2)-② No.2 (digital_R5.txt:9) is `順調`"), warning.message)
        XCTAssertTrue(warning.message.contains("II-3-(2)-④ No.4 (digital_R5.txt:17) is `やや遅れ`"), warning.message)
    }
}

final class CompactJSONTests: XCTestCase {
    /// The fast writer must produce exactly what EvaluationJSON.encoder(pretty: false) does.
    func testMatchesFoundationEncoder() throws {
        let reader = EvaluationReader()
        var docs = [
            try reader.read(try Fixture.sample, source: "digital_R5.txt"),
            try reader.read(try Fixture.sample(setting: [(8, 14, "5,0x0"), (10, 17, "要改善"), (9, 2, "")]), source: "dir/with \"quotes\"\\and\ttab.txt"),
            // No.3 (renamed, so no other listing lends it an indicator name) with a `—`
            // amount, the `指標名等` placeholder and no former department.
            try reader.read(try Fixture.sample(setting: [(10, 3, "ペーパーレス試行事業"), (10, 13, "—"), (10, 7, "指標名等"), (10, 5, "")]), source: "nulls.txt"),
        ]
        docs[1].listings[0].indicator?.values.append(IndicatorValue(fiscalYear: 2023, kind: .achievement, text: "12.5%/年", number: 12.5, unit: "%"))
        docs[1].listings[1].indicator = IndicatorRecord(name: nil, nameInferred: false, baseline: nil, midtermTarget: nil, values: [])
        docs[1].listings[2].indicator = nil
        docs[1].warnings.append(ReaderWarning(line: nil, code: "x", message: "control \u{01} char"))
        docs[1].policies[0].evaluation = nil
        docs[1].municipality = Municipality(name: "北九州市", code: "401005")
        docs[2].municipality = Municipality(name: "どこか町")
        reader.reconcile(&docs)
        let batch = EvaluationBatch(documents: docs)
        let foundation = try EvaluationJSON.encoder(pretty: false).encode(batch)
        let fast = CompactJSON.encode(batch)
        XCTAssertEqual(String(decoding: fast, as: UTF8.self), String(decoding: foundation, as: UTF8.self))
        XCTAssertEqual(fast, [UInt8](foundation))
        XCTAssertEqual(CompactJSON.encode(EvaluationBatch(documents: [])), [UInt8](try EvaluationJSON.encoder(pretty: false).encode(EvaluationBatch(documents: []))))
        // One document alone, as the sync sends it.
        for doc in docs {
            XCTAssertEqual(CompactJSON.encode(doc), String(decoding: try EvaluationJSON.encoder(pretty: false).encode(doc), as: UTF8.self))
        }

        // The nulls are written, not omitted.
        let no3 = try XCTUnwrap(docs[2].listings.first { $0.no == 3 })
        XCTAssertNil(no3.amounts[0].thousandYen)
        XCTAssertNil(no3.indicator?.name)
        XCTAssertNil(no3.formerDepartment)
        let json = String(decoding: fast, as: UTF8.self)
        for fragment in [
            #"{"fiscal_year":2022,"kind":"settled","thousand_yen":null}"#,
            #""former_department":null,"indicator":{"baseline":null,"midterm_target":"#,
            #""name":null,"name_inferred":false,"#,
            #""indicator":null,"inherited_sdg_goals":[],"lines":"#,
            #""municipality":null,"organization":"#,
            #""municipality":{"code":"401005","name":"北九州市"},"organization":"#,
            #""municipality":{"code":null,"name":"どこか町"},"organization":"#,
            #"{"code":"x","line":null,"message":"#,
            #""evaluation":null,"evaluation_text":"#,
        ] {
            XCTAssertTrue(json.contains(fragment), fragment)
        }
        XCTAssertEqual(try EvaluationJSON.decoder().decode(EvaluationBatch.self, from: Data(fast)), batch)
    }

    /// The streamed writer hands out, in order and a window at a time, exactly the bytes
    /// `encode` returns (windows smaller than, equal to and larger than the batch).
    func testStreamedWriteMatchesEncode() throws {
        let reader = EvaluationReader()
        var docs: [EvaluationDocument] = []
        for i in 0..<7 {
            docs.append(try reader.read(try Fixture.sample, source: "doc\(i).txt"))
        }
        docs[3].warnings.append(ReaderWarning(line: 4, code: "x", message: "quoted \"text\""))
        reader.reconcile(&docs)
        let whole = CompactJSON.encode(EvaluationBatch(documents: docs))
        for window in [1, 3, 7, 64] {
            var streamed: [UInt8] = []
            var pieces = 0
            CompactJSON.write(documents: docs, format: EvaluationBatch.formatName, window: window) {
                streamed.append(contentsOf: $0)
                pieces += 1
            }
            XCTAssertEqual(streamed, whole, "window \(window)")
            // Head, one piece per document, tail: nothing is gathered before it is handed out.
            XCTAssertEqual(pieces, docs.count + 2, "window \(window)")
        }
        var empty: [UInt8] = []
        CompactJSON.write(documents: [], format: EvaluationBatch.formatName) { empty.append(contentsOf: $0) }
        XCTAssertEqual(empty, CompactJSON.encode(EvaluationBatch(documents: [])))
    }

    /// Every optional key is present (as `null` when nil) at every level.
    func testOptionalFieldsAreExplicitNulls() throws {
        let listing = ListingRecord(
            no: 1, policyCode: "", program: "p", programKey: "p|", relisted: false, department: "",
            formerDepartment: nil, summary: nil, sdgGoals: [],
            indicator: IndicatorRecord(name: nil, nameInferred: false, baseline: nil, midtermTarget: nil,
                values: [IndicatorValue(fiscalYear: 2023, kind: .target, text: "計画の推進", number: nil, unit: nil)]),
            amounts: [AmountRecord(fiscalYear: 2023, kind: .budget, thousandYen: nil)],
            evaluation: nil, evaluationReason: nil, lines: [1])
        let doc = EvaluationDocument(
            source: "s", sha256: "", encoding: .utf8, fiscalYear: 2023, organization: "",
            policies: [PolicyRecord(code: "I-1", codeKey: "i-1", name: "", evaluation: nil, evaluationText: nil, lines: [1])],
            listings: [listing, { var l = listing; l.indicator = nil; return l }()],
            warnings: [ReaderWarning(line: nil, code: "c", message: "m")])
        let batch = EvaluationBatch(documents: [doc])
        let foundation = try EvaluationJSON.encoder(pretty: false).encode(batch)
        XCTAssertEqual(CompactJSON.encode(batch), [UInt8](foundation))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: foundation) as? [String: Any])
        let d = try XCTUnwrap((object["documents"] as? [[String: Any]])?.first)
        let listings = try XCTUnwrap(d["listings"] as? [[String: Any]])
        func assertNull(_ o: [String: Any]?, _ keys: [String], line: UInt = #line) {
            for key in keys {
                XCTAssertTrue(o?[key] is NSNull, "\(key) is \(String(describing: o?[key]))", line: line)
            }
        }
        assertNull(listings[0], ["former_department", "summary", "evaluation", "evaluation_reason"])
        assertNull(listings[1], ["indicator"])
        let indicator = listings[0]["indicator"] as? [String: Any]
        assertNull(indicator, ["name", "baseline", "midterm_target"])
        assertNull((indicator?["values"] as? [[String: Any]])?.first, ["number", "unit"])
        assertNull((listings[0]["amounts"] as? [[String: Any]])?.first, ["thousand_yen"])
        assertNull((d["policies"] as? [[String: Any]])?.first, ["evaluation", "evaluation_text"])
        assertNull((d["warnings"] as? [[String: Any]])?.first, ["line"])
        XCTAssertEqual(try EvaluationJSON.decoder().decode(EvaluationBatch.self, from: foundation), batch)
    }

    /// Decoding accepts the older form that omitted nil optionals.
    func testDecodesOmittedOptionalKeys() throws {
        let json = #"""
            {"documents":[{"encoding":"utf-8","fiscal_year":2023,"listings":[
              {"amounts":[{"fiscal_year":2023,"kind":"budget"}],"department":"","lines":[1],"no":1,
               "policy_code":"","program":"p","program_key":"p|","relisted":false,"sdg_goals":[],
               "indicator":{"name_inferred":false,"values":[{"fiscal_year":2023,"kind":"target","text":"t"}]}},
              {"amounts":[],"department":"","lines":[2],"no":2,"policy_code":"","program":"q",
               "program_key":"q|","relisted":false,"sdg_goals":[]}],
             "organization":"","policies":[{"code":"I-1","code_key":"i-1","lines":[1],"name":""}],
             "sha256":"","source":"s","warnings":[{"code":"c","message":"m"}]}],
             "format":"crosswalk.evaluation/1"}
            """#
        let batch = try EvaluationJSON.decoder().decode(EvaluationBatch.self, from: Data(json.utf8))
        let d = try XCTUnwrap(batch.documents.first)
        XCTAssertNil(d.listings[0].amounts[0].thousandYen)
        XCTAssertNil(d.listings[0].indicator?.name)
        XCTAssertNil(d.listings[0].indicator?.values[0].number)
        XCTAssertNil(d.listings[0].formerDepartment)
        XCTAssertNil(d.listings[1].indicator)
        XCTAssertNil(d.policies[0].evaluation)
        XCTAssertNil(d.warnings[0].line)
        // Re-encoded, the omitted keys come back as nulls.
        XCTAssertTrue(String(decoding: CompactJSON.encode(batch), as: UTF8.self).contains(#""indicator":null"#))
    }
}

final class IndicatorNumberEquivalenceTests: XCTestCase {
    /// The scalar-array implementation the byte-level `IndicatorNumber.parse` replaced.
    static func reference(_ text: String) -> (Double?, String?) {
        func isAlnum(_ v: UInt32) -> Bool { (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) }
        func isUnitScalar(_ v: UInt32) -> Bool {
            switch v {
            case 0x25, 0xFF05, 0x2030, 0x33A1, 0x33A5, 0x33CA, 0x339C...0x339E, 0x338F, 0x33A0: return true
            case 0x41...0x5A, 0x61...0x7A, 0xFF21...0xFF3A, 0xFF41...0xFF5A: return true
            case 0x30A1...0x30FA, 0x30FC, 0x3005, 0x4E00...0x9FFF, 0xFF66...0xFF9F: return true
            default: return false
            }
        }
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count {
            guard CharClass.digitValue(s[i].value) != nil else { i += 1; continue }
            if i > 0 {
                let p = s[i - 1].value
                if (p >= 0x41 && p <= 0x5A) || (p >= 0x61 && p <= 0x7A) || (p >= 0xFF21 && p <= 0xFF5A) {
                    while i < s.count, CharClass.digitValue(s[i].value) != nil { i += 1 }
                    continue
                }
            }
            var negative = false
            if i > 0 {
                let p = s[i - 1].value
                negative = p == 0x25B3 || p == 0x25B2 || p == 0x2212 || p == 0xFF0D
                    || (p == 0x2D && (i == 1 || !isAlnum(s[i - 2].value)))
            }
            var digits = ""
            var k = i
            var seenPoint = false
            while k < s.count {
                let v = s[k].value
                if let d = CharClass.digitValue(v) {
                    digits.append(Character(String(d)))
                } else if (v == 0x2C || v == 0xFF0C), k + 1 < s.count, CharClass.digitValue(s[k + 1].value) != nil {
                } else if (v == 0x2E || v == 0xFF0E), !seenPoint, k + 1 < s.count, CharClass.digitValue(s[k + 1].value) != nil {
                    digits.append(".")
                    seenPoint = true
                } else {
                    break
                }
                k += 1
            }
            if k + 1 < s.count, s[k].value == 0x5E74, s[k + 1].value == 0x5EA6 { i = k; continue }
            guard var number = Double(digits) else { i = k; continue }
            if negative { number = -number }
            var unit = String.UnicodeScalarView()
            var u = k
            while u < s.count, unit.count < 8, isUnitScalar(s[u].value) {
                unit.append(s[u])
                u += 1
            }
            return (number, unit.isEmpty ? nil : String(unit))
        }
        return (nil, nil)
    }

    func assertSame(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let fast = IndicatorNumber.parse(text)
        let slow = Self.reference(text)
        XCTAssertEqual(fast.0?.bitPattern, slow.0?.bitPattern, "number of \(text): \(String(describing: fast.0)) vs \(String(describing: slow.0))", file: file, line: line)
        XCTAssertEqual(fast.1, slow.1, "unit of \(text)", file: file, line: line)
    }

    func testMatchesReferenceOnEdgeCases() {
        for text in [
            "", "1", "０", "１２３", "46,549時間", "年間削減作業時間：46,549時間", "85%（R7年度）", "R7年度までに12.5MW",
            "計画の着実な推進", "△1,200", "▲５", "-3", "a-3", "1-3", "−2.5%", "－１．５％", "1.2.3", "1,2,3,4", "1,", "1.",
            "12,345.678万人", "0.001t", "00012", "3.14159265358979323846", "123456789012345678901234567890",
            "1234567890123456", "0.1234567890123456789", "R5年度 7年度 8件", "Ｒ７年度３件", "ｋ５", "H30年度の12",
            "5年", "5年度", "5年度末", "10％以上", "2,000人／年", "約1.5倍", "100ＭＷ", "12ｋｍ²", "1‰", "3㎡", "9㎞",
            "第2期12ヶ所", "X1 2", "-", "-1", "x-1", "—5", "1，000", "1，０００．５", "１.５", "3.0", "0.0", "-0", "△0",
            "8人ああ", "8ヶ月", "8カ月", "9ｶｹﾞﾂ", "7々", "15項目以上の達成", "１２３４５６７８９０ABCDEFGHIJ",
        ] {
            assertSame(text)
        }
    }

    func testMatchesReferenceOnRandomText() {
        let alphabet: [String] = ["0", "1", "5", "9", "０", "７", ",", "，", ".", "．", "-", "－", "−", "△", "▲", "R", "Ｒ", "a", "ｚ",
            "年", "度", "人", "%", "％", "時間", "あ", "ア", "ｱ", " ", "　", "（", "）", "万", "MW", "㎡", "々", "ー", "＿", "é"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...14, using: &rng)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            assertSame(text)
        }
    }
}
