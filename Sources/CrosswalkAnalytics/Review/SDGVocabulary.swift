import Foundation

/// The SDG targets with short labels and the terms that indicate each in a Japanese
/// municipal program: `sdg_targets.tsv` beside this file, compiled into the binary.
/// How it was built and how to extend it: docs/REVIEW.md.
package struct SDGVocabulary: Sendable {
    package struct Target: Sendable, Equatable {
        /// `11.2`, `1.a`.
        package var code: String
        package var goal: Int
        package var labelJa: String
        package var labelEn: String
        /// Japanese terms, then English ones, as written in the file.
        package var terms: [String]
    }

    package let targets: [Target]

    /// The vocabulary the review uses. The file is part of the build and tested
    /// (`ReviewTests.testVocabularyHasEveryTarget`), so it always reads.
    package static let standard: SDGVocabulary = {
        do {
            return try SDGVocabulary(tsv: String(decoding: PackageResources.sdg_targets_tsv, as: UTF8.self), source: "sdg_targets.tsv")
        } catch {
            fatalError("the built-in SDG vocabulary does not read: \(error)")
        }
    }()

    /// Reads the TSV: `#` comment lines, a header line, then `target  label_ja  label_en
    /// terms_ja  terms_en` with terms separated by `|`.
    package init(tsv: String, source: String) throws {
        var targets: [Target] = []
        var seen: Set<String> = []
        var sawHeader = false
        for (index, line) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func fail(_ column: Int, _ message: String) -> VocabularyError {
                VocabularyError("\(source):\(lineNumber):\(column): \(message)")
            }
            if !sawHeader {
                guard fields.first == "target" else { throw fail(1, "expected the header line 'target<TAB>label_ja<TAB>…'") }
                sawHeader = true
                continue
            }
            guard fields.count == 5 else { throw fail(1, "expected 5 tab-separated fields, found \(fields.count)") }
            let code = fields[0]
            let parts = code.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let goal = Int(parts[0]), (1...17).contains(goal),
                  Int(parts[1]).map({ $0 > 0 }) ?? (parts[1].count == 1 && parts[1].first!.isLowercase) else {
                throw fail(1, "target '\(code)' is not of the form 11.2 or 1.a")
            }
            guard seen.insert(code).inserted else { throw fail(1, "target \(code) is listed twice") }
            guard !fields[1].isEmpty else { throw fail(2, "target \(code) has no Japanese label") }
            guard !fields[2].isEmpty else { throw fail(3, "target \(code) has no English label") }
            let terms = (fields[3].split(separator: "|") + fields[4].split(separator: "|"))
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            guard !terms.isEmpty else { throw fail(4, "target \(code) has no terms") }
            targets.append(Target(code: code, goal: goal, labelJa: fields[1], labelEn: fields[2], terms: terms))
        }
        guard sawHeader else { throw VocabularyError("\(source): no header line and no targets") }
        self.targets = targets
    }
}

package struct VocabularyError: Error, CustomStringConvertible, Sendable {
    package var description: String
    init(_ description: String) { self.description = description }
}
