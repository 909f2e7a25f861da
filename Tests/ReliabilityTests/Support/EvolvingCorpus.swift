import Foundation

/// A source folder whose documents change from round to round, as a municipality's
/// publication folder does: new documents arrive, published ones are revised or taken
/// down, taken-down ones come back. The documents come from Benchmarks/corpus/generate.py
/// (several organizations and years, UTF-8 with and without BOM, CP932, LF and CRLF,
/// three page layouts); a revision rewrites every amount-like number (`12,345`) of a
/// UTF-8 document, so its listings change. One unreadable file stays in the folder
/// throughout, so every sync also rejects something.
struct EvolvingCorpus {
    /// What the syncs read.
    let folder: URL
    private let generated: URL
    /// Generated documents in order: path relative to `generated`, and whether it is UTF-8.
    private let pool: [(path: String, utf8: Bool)]
    private var nextIndex = 0
    /// In the folder now: relative path → revision (0 = as generated).
    private(set) var present: [String: Int] = [:]
    private(set) var takenDown: [String] = []
    private var random: SeededRandom

    static let brokenName = "000/broken.txt"

    /// Generates at least `documents` documents (20–30 listings each) with generate.py.
    init(documents: Int, seed: UInt64) async throws {
        let work = try temporaryFolder("corpus")
        folder = work.appendingPathComponent("source")
        generated = work.appendingPathComponent("generated")
        random = SeededRandom(seed: seed)
        let script = repositoryRoot.appendingPathComponent("Benchmarks/corpus/generate.py").path
        let (ended, _, errors) = try await Spawned.run("/usr/bin/env", [
            "python3", script, "--out", generated.path, "--listings", "\(documents * 40 + 100)",
            "--seed", "\(seed % 100_000)", "--quiet", "--force",
        ])
        guard ended == .exited(0) else { throw SpawnError("generate.py failed (\(ended)): \(errors)") }
        let table = try String(contentsOf: generated.appendingPathComponent("files.tsv"), encoding: .utf8)
        pool = table.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(fields[0].dropFirst("docs/".count)), fields[1].hasPrefix("utf-8"))
        }
        guard pool.count >= documents else { throw SpawnError("generate.py wrote \(pool.count) documents, wanted \(documents)") }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("000"), withIntermediateDirectories: true)
        try Data("これは評価表ではありません\n".utf8).write(to: folder.appendingPathComponent(Self.brokenName))
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder.deletingLastPathComponent())
    }

    var documentCount: Int { present.count }
    var remaining: Int { pool.count - nextIndex }

    struct Change: CustomStringConvertible {
        var added = 0, revised = 0, takenDown = 0, restored = 0
        var description: String { "+\(added) new, \(revised) revised, \(takenDown) taken down, \(restored) restored" }
    }

    /// One round of publishing: `add` new documents, `revise` UTF-8 ones revised,
    /// `takeDown` removed, `restore` removed ones put back.
    mutating func advance(add: Int, revise: Int, takeDown: Int, restore: Int) throws -> Change {
        var change = Change()
        for _ in 0..<restore where !takenDown.isEmpty {
            let path = takenDown.remove(at: Int.random(in: 0..<takenDown.count, using: &random))
            try write(path, revision: 0)
            change.restored += 1
        }
        let revisable = present.keys.filter { path in pool.contains { $0.path == path && $0.utf8 } }.sorted()
        for path in revisable.shuffled(using: &random).prefix(revise) {
            try write(path, revision: present[path]! + 1)
            change.revised += 1
        }
        for path in present.keys.sorted().shuffled(using: &random).prefix(takeDown) {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(path))
            present[path] = nil
            takenDown.append(path)
            change.takenDown += 1
        }
        for _ in 0..<add where nextIndex < pool.count {
            try write(pool[nextIndex].path, revision: 0)
            nextIndex += 1
            change.added += 1
        }
        return change
    }

    private mutating func write(_ path: String, revision: Int) throws {
        let original = try Data(contentsOf: generated.appendingPathComponent("docs").appendingPathComponent(path))
        let target = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (revision == 0 ? original : Self.revised(original, by: revision)).write(to: target)
        present[path] = revision
    }

    /// Every `12,345` in the text becomes `12,345 + revision`, in the same notation.
    static func revised(_ data: Data, by revision: Int) -> Data {
        let text = String(decoding: data, as: UTF8.self)
        let replaced = text.replacing(/\d{1,3}(?:,\d{3})+/) { match in
            grouped(Int(match.output.filter { $0 != "," })! + revision)
        }
        return Data(replaced.utf8)
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        var digits = String(value)
        var index = digits.endIndex
        while digits.distance(from: digits.startIndex, to: index) > 3 {
            index = digits.index(index, offsetBy: -3)
            digits.insert(",", at: index)
        }
        return digits
    }
}

/// SplitMix64: the same seed gives the same rounds, so a failure can be replayed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
