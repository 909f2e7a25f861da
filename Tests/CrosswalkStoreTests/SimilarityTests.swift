import CrosswalkAnalytics
import CrosswalkModel
import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

final class SimilarityTests: XCTestCase {
    /// The six programs of Samples/digital_R5.txt, as the store holds them.
    static let sample: [ProgramText] = [
        ProgramText(id: 1, name: "KitaQ DX推進事業", department: "DX推進課",
                    summary: "北九州市DX推進計画のミッションである「デジタルで快適・便利な幸せなまち」の実現に向け、全庁一体でスピード感をもってDXを推進するために、基盤となる全庁的なDX人材の育成や、DX推進計画の着実な進捗管理、民間の知見やノウハウを施策に反映する仕組みの構築などに取り組む。",
                    indicatorName: "「北九州市DX推進計画」に基づく取組の推進"),
        ProgramText(id: 2, name: "市職員のテレワーク推進", department: "DX推進課",
                    summary: "本市職員の業務効率化及び新しい生活様式に対応した多様な働き方を可能にするため、必要なモバイル端末を調達し、テレワークの本格実施に向けた環境整備を進めるもの。",
                    indicatorName: "テレワーク実施率（各職員が月1回以上実施）"),
        ProgramText(id: 3, name: "ペーパーレス・オフィス改革推進事業", department: "DX推進課",
                    summary: "効率的で働きやすい職場環境の実現において、モバイルパソコン等を活用したペーパーレス化やフリーアドレスの導入などオフィスレイアウトを見直しオフィス改革を推進するもの。",
                    indicatorName: "ペーパーレス化の推進"),
        ProgramText(id: 4, name: "AI・RPAによる業務改革事業", department: "DX推進課",
                    summary: "業務の抜本的改革に取り組むため、AIやRPA、ローコードツール等の新たなデジタル技術を積極的活用する。",
                    indicatorName: nil),
        ProgramText(id: 5, name: "デジタルデバイド対策事業", department: "DX推進課",
                    summary: "デジタル機器の操作に不慣れな方であっても、デジタル技術の活用による恩恵を享受できるよう、啓発等の取組を進める。",
                    indicatorName: "市民のインターネット利用率"),
        ProgramText(id: 6, name: "手続きオンライン化推進事業", department: "DX推進課",
                    summary: "市民サービスの向上、市役所業務の効率化に向けて、行政手続きのオンライン化を推進する。",
                    indicatorName: "行政手続きのオンライン化"),
    ]

    /// The telework program again, renamed and run by another department.
    static let teleworkTwin = ProgramText(
        id: 7, name: "市職員テレワーク推進事業", department: "人事課",
        summary: "本市職員の業務効率化及び新しい生活様式に対応した多様な働き方を実現するため、必要なモバイル端末を調達し、テレワークの本格実施に向けた環境整備を推進するもの。",
        indicatorName: "テレワーク実施率")

    // MARK: - SimilarityIndex

    func testCraftedNearDuplicateInAnotherDepartmentIsFoundWithWhatMatched() throws {
        let index = SimilarityIndex(Self.sample + [Self.teleworkTwin])
        let pairs = index.pairs()
        XCTAssertEqual(pairs.map { [$0.a, $0.b] }, [[2, 7]], "score \(index.score(2, 7) ?? -1); \(pairs)")
        let pair = try XCTUnwrap(pairs.first)
        XCTAssertGreaterThanOrEqual(pair.score, SimilarityIndex.defaultThreshold)
        XCTAssertEqual(pair.fields, [.name, .summary, .indicator])
        XCTAssertGreaterThan(pair.nameScore, 0.5)
        XCTAssertGreaterThan(pair.summaryScore ?? 0, 0.6)
        XCTAssertTrue(pair.matched.contains { $0.hasPrefix("name: ") && $0.contains("shared bigrams") && $0.contains("テレワーク推進") }, "\(pair.matched)")
        XCTAssertTrue(pair.matched.contains { $0.hasPrefix("summary: ") && $0.contains("shared trigrams") }, "\(pair.matched)")
    }

    func testTheSampleProgramsAreNotPairedWithEachOther() {
        let (pairs, statistics) = SimilarityIndex(Self.sample).scan()
        XCTAssertEqual(pairs, [])
        XCTAssertEqual(statistics.programs, 6)
        // The highest score among them stays well under the threshold.
        let index = SimilarityIndex(Self.sample)
        var best = 0.0
        for a in Self.sample { for b in Self.sample where a.id < b.id { best = max(best, index.score(a.id, b.id)!) } }
        XCTAssertLessThan(best, SimilarityIndex.defaultThreshold - 0.15)
    }

    func testUnrelatedProgramsOfOneTopicAreNotPaired() {
        // Same topic and summary template, different purpose, means and name.
        let programs = [
            ProgramText(id: 1, name: "ごみ減量推進事業", department: "循環社会推進課",
                        summary: "持続可能な社会の実現に向け、啓発イベントの開催や補助金の交付などにより、ごみ減量を推進するもの。",
                        indicatorName: "ごみ減量の参加者数"),
            ProgramText(id: 2, name: "市民の食品ロス削減支援", department: "廃棄物対策課",
                        summary: "脱炭素社会の実現に向け、ICTの活用やデータの利活用などにより、食品ロス削減を推進するもの。",
                        indicatorName: "食品ロス削減の相談件数"),
            ProgramText(id: 3, name: "Green 里山保全強化事業", department: "自然共生推進課",
                        summary: "地域団体を対象に、専門家による相談支援を行い、里山保全に取り組む。",
                        indicatorName: "里山保全の実施状況"),
        ]
        XCTAssertEqual(SimilarityIndex(programs).pairs(), [])
    }

    func testAProgramNeverPairsWithItself() {
        let telework = Self.sample[1]
        let index = SimilarityIndex([telework, telework, Self.sample[0]])
        XCTAssertEqual(index.count, 2)
        XCTAssertEqual(index.pairs(threshold: 0.01).filter { $0.a == $0.b }, [])
        XCTAssertEqual(index.pairs(threshold: 0.99), [])
    }

    func testARelistedProgramIsOneProgram() {
        // Listed under two policies: the same id twice, the second copy without an
        // indicator (`指標名等` placeholder), as the loader might see it.
        var relisted = Self.sample[1]
        relisted.indicatorName = nil
        let index = SimilarityIndex([Self.sample[1], relisted] + Self.sample.filter { $0.id != 2 })
        XCTAssertEqual(index.count, 6)
        XCTAssertEqual(index.programs.first { $0.id == 2 }?.indicatorName, Self.sample[1].indicatorName)
        XCTAssertEqual(index.pairs(threshold: 0.3).filter { $0.a == 2 && $0.b == 2 }, [])
        XCTAssertEqual(index.pairs(), [])

        // The same identity (name with a 再掲 marker, same department) under another id
        // is the same program too: never offered as its own duplicate.
        var marked = Self.sample[1]
        marked.id = 99
        marked.name = "市職員のテレワーク推進（再掲）"
        XCTAssertEqual(SimilarityIndex([Self.sample[1], marked]).pairs(threshold: 0.1), [])
    }

    func testPrefixFilteringFindsExactlyThePairsABruteForceComparisonFinds() {
        // Programs built from a small vocabulary so that many pairs are alike.
        var generator = SplitMix(seed: 7)
        let topics = ["テレワーク", "ごみ減量", "電子申請", "子育て支援", "観光振興", "防災", "食品ロス削減", "DX"]
        let actions = ["推進", "促進", "支援", "強化", "対策"]
        let suffixes = ["事業", "", "プロジェクト", "（拡充）", "モデル事業"]
        let purposes = ["市民サービスの向上", "業務の効率化", "地域経済の活性化", "脱炭素社会の実現"]
        let means = ["補助金の交付", "ICTの活用", "啓発イベントの開催", "専門家による相談支援", "データの利活用"]
        var programs: [ProgramText] = []
        for id in 1...200 {
            let topic = topics[generator.next(topics.count)]
            let name = topic + actions[generator.next(actions.count)] + suffixes[generator.next(suffixes.count)]
            let summary = generator.next(5) == 0 ? nil
                : "\(purposes[generator.next(purposes.count)])に向け、\(means[generator.next(means.count)])などにより、\(topic)を推進するもの。"
            programs.append(ProgramText(id: Int64(id), name: name, department: "課\(generator.next(4))", summary: summary,
                                        indicatorName: generator.next(3) == 0 ? nil : "\(topic)の参加者数"))
        }
        let index = SimilarityIndex(programs)
        let identity = Dictionary(uniqueKeysWithValues: index.programs.map { ($0.id, ProgramKey.make(name: $0.name, department: $0.department)) })
        var scores: [(pair: [Int64], score: Double)] = []
        for x in index.programs {
            for y in index.programs where x.id < y.id && identity[x.id] != identity[y.id] {
                scores.append(([x.id, y.id], index.score(x.id, y.id)!))
            }
        }
        for threshold in [0.5, 0.7, 0.9] {
            let found = Set(index.pairs(threshold: threshold).map { [$0.a, $0.b] })
            let expected = Set(scores.filter { $0.score >= threshold * (1 - 1e-5) }.map(\.pair))
            XCTAssertFalse(expected.isEmpty)
            XCTAssertEqual(found, expected, "threshold \(threshold)")
        }
        // The limit keeps the best pairs.
        let all = index.pairs(threshold: 0.5)
        XCTAssertEqual(index.pairs(threshold: 0.5, limit: 10), Array(all.prefix(10)))
        XCTAssertEqual(all.map(\.score), all.map(\.score).sorted(by: >))
    }

    // MARK: - Analytics.similar against the store

    private func syncedPool(_ documents: [(name: String, text: String)], _ label: String = #function,
                            _ body: (PostgresPool) async throws -> Void) async throws {
        try await TestDatabase.withPool(label) { pool, _ in
            try await Migrator().migrate(pool)
            let folder = try Fixtures.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            for document in documents { try Fixtures.write(document.text, to: folder, as: document.name) }
            let summary = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [folder.path]))
            XCTAssertEqual(summary.status, .ok, "\(summary.rejects)")
            XCTAssertEqual(summary.documentsApplied, documents.count)
            try await body(pool)
        }
    }

    /// A one-program document of another office: the telework program renamed
    /// (`市職員テレワーク推進事業`), run by 人事課, its summary slightly reworded.
    static func twinDocument() throws -> String {
        let lines = try Fixtures.sampleText().components(separatedBy: "\n")
        guard let first = lines.firstIndex(where: { $0.hasPrefix("II-3-(2)-②") }) else { throw Fixtures.FixtureError.missingRow }
        var cells = lines[first].components(separatedBy: "\t")
        cells[3] = teleworkTwin.name
        cells[4] = teleworkTwin.department
        cells[6] = teleworkTwin.summary!
        cells[7] = teleworkTwin.indicatorName!
        let head = lines[..<first].map { $0.replacingOccurrences(of: "（デジタル市役所推進室）", with: "（総務局）") }
        return (head + [cells.joined(separator: "\t"), ""]).joined(separator: "\n")
    }

    func testSimilarFindsNoPairAmongTheSamplePrograms() async throws {
        try await syncedPool([("digital_R5.txt", try Fixtures.sampleText())]) { pool in
            let answer = try await Analytics(pool: pool).similar(fiscalYear: 2023)
            XCTAssertEqual(answer.fiscalYear, 2023)
            XCTAssertEqual(answer.programs, 6, "eight listings, six programs")
            XCTAssertEqual(answer.threshold, SimilarityIndex.defaultThreshold)
            XCTAssertEqual(answer.pairs, [])
            XCTAssertEqual(answer.pairsFound, 0)
            // The newest year by default; a year without listings is an error naming the years there are.
            let latest = try await Analytics(pool: pool).similar()
            XCTAssertEqual(latest.fiscalYear, 2023)
            do {
                _ = try await Analytics(pool: pool).similar(fiscalYear: 2001)
                XCTFail("a year without listings was answered")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, Analytics.notFoundState)
                XCTAssertTrue(error.message.contains("no listings for fiscal year 2001 (平成13年度)"), error.message)
            }
        }
    }

    func testSimilarFindsACraftedNearDuplicateFromAnotherDocument() async throws {
        try await syncedPool([("digital_R5.txt", try Fixtures.sampleText()), ("soumu_R5.txt", try Self.twinDocument())]) { pool in
            let answer = try await Analytics(pool: pool).similar(fiscalYear: 2023)
            XCTAssertEqual(answer.programs, 7)
            XCTAssertEqual(answer.pairs.count, 1, "\(answer.pairs)")
            let pair = try XCTUnwrap(answer.pairs.first)
            XCTAssertEqual(Set([pair.a.name, pair.b.name]), ["市職員のテレワーク推進", "市職員テレワーク推進事業"])
            XCTAssertEqual(Set([pair.a.department, pair.b.department]), ["DX推進課", "人事課"])
            XCTAssertLessThan(pair.a.id, pair.b.id)
            XCTAssertTrue(pair.fields.contains(.name) && pair.fields.contains(.summary))
            XCTAssertFalse(pair.matched.isEmpty)

            // JSON for the protocol: snake_case, the documented shape.
            let json = try answer.json()
            let object = try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as! [String: Any]
            XCTAssertEqual(object["fiscal_year"] as? Int, 2023)
            XCTAssertNotNil(object["method"] as? String)
            let first = (object["pairs"] as! [[String: Any]])[0]
            XCTAssertNotNil((first["a"] as? [String: Any])?["department"])
            XCTAssertNotNil(first["score"] as? Double)
            XCTAssertNotNil(first["matched"] as? [String])
            XCTAssertEqual(first["fields"] as? [String], pair.fields.map(\.description))

            // Nothing was merged: both programs are still there.
            let programs = try await pool.count("SELECT count(*) AS n FROM programs")
            XCTAssertEqual(programs, 7)
        }
    }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

extension SimilarityTests {
    /// The same near-duplicate filed under another municipality is not a pair: pairs
    /// suggest double counting, which happens within one municipality only.
    func testANearDuplicateInAnotherMunicipalityIsNotPaired() async throws {
        try await TestDatabase.withPool { pool, _ in
            try await Migrator().migrate(pool)
            let root = try Fixtures.folder()
            defer { try? FileManager.default.removeItem(at: root) }
            try Fixtures.write(try Fixtures.sampleText(), to: root.appendingPathComponent("a"), as: "digital_R5.txt")
            try Fixtures.write(try Self.twinDocument(), to: root.appendingPathComponent("b"), as: "soumu_R5.txt")
            try Data("municipality = 福岡市\n".utf8).write(to: root.appendingPathComponent("b/source.conf"))
            _ = try await SyncEngine(pool: pool).run(SyncEngine.Options(sources: [root.path]))
            let answer = try await Analytics(pool: pool).similar(fiscalYear: 2023)
            XCTAssertEqual(answer.programs, 7)
            XCTAssertEqual(answer.pairs, [])
        }
    }
}
