import ArgumentParser
import CrosswalkAnalytics
import Foundation

/// `similar-bench --input FILE`: the Swift side of Benchmarks/similarity, built only
/// when asked (`CROSSWALK_BENCHMARKS=1 swift build -c release --product similar-bench`). Reads programs as tab-separated text in PostgreSQL's COPY
/// text format (`id name department summary indicator_name`, `\N` for NULL — what
/// `\copy (SELECT …) TO FILE` writes), runs `SimilarityIndex` over all of them and
/// prints one JSON line of timings and counts. `--pairs-out` writes the pairs found
/// (`a b score`, tab-separated) for the benchmark to score against its ground truth.
@main
struct SimilarBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar-bench",
        abstract: "Time the similar-programs scan on programs read from a COPY-format file."
    )

    @Option(help: ArgumentHelp("Programs in COPY text format: id, name, department, summary, indicator_name.", valueName: "file"))
    var input: String

    @Option(help: "Score threshold in (0, 1].")
    var threshold: Double = SimilarityIndex.defaultThreshold

    @Option(help: ArgumentHelp("Write the pairs found here (a, b, score; tab-separated).", valueName: "file"))
    var pairsOut: String?

    func validate() throws {
        guard threshold > 0, threshold <= 1 else { throw ValidationError("--threshold must be in (0, 1].") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let started = clock.now
        guard let data = FileManager.default.contents(atPath: input) else {
            throw ValidationError("cannot read \(input)")
        }
        var programs: [ProgramText] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(Self.unescape)
            guard fields.count >= 3, let idText = fields[0], let id = Int64(idText) else {
                throw ValidationError("\(input): not a program row: \(line.prefix(80))")
            }
            programs.append(ProgramText(
                id: id, name: fields[1] ?? "", department: fields[2] ?? "",
                summary: fields.count > 3 ? fields[3] : nil, indicatorName: fields.count > 4 ? fields[4] : nil))
        }
        let read = clock.now
        let index = SimilarityIndex(programs)
        let indexed = clock.now
        let (pairs, statistics) = index.scan(threshold: threshold)
        let scanned = clock.now

        if let pairsOut {
            var text = ""
            for pair in pairs { text += "\(pair.a)\t\(pair.b)\t\(pair.score)\n" }
            try Data(text.utf8).write(to: URL(fileURLWithPath: pairsOut))
        }
        func ms(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> Int {
            let d = (to - from).components
            return Int(d.seconds * 1000 + d.attoseconds / 1_000_000_000_000_000)
        }
        let report: [String: Any] = [
            "threshold": threshold, "programs": statistics.programs, "features": statistics.features,
            "indexed_postings": statistics.indexedPostings, "candidates": statistics.candidates, "pairs": statistics.pairs,
            "read_ms": ms(started, read), "index_ms": ms(read, indexed), "scan_ms": ms(indexed, scanned),
            "similarity_ms": ms(read, scanned), "total_ms": ms(started, scanned),
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// COPY text format: `\N` is NULL; `\t`, `\n`, `\r`, `\\` are escapes.
    static func unescape(_ field: Substring) -> String? {
        if field == "\\N" { return nil }
        guard field.contains("\\") else { return String(field) }
        var out = ""
        var escaped = false
        for character in field {
            if escaped {
                switch character {
                case "t": out.append("\t")
                case "n": out.append("\n")
                case "r": out.append("\r")
                default: out.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}
