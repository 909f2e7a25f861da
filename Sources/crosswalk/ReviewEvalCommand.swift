import ArgumentParser
import CrosswalkAnalytics
import CrosswalkModel
import EvaluationTables
import Foundation

/// `crosswalk review-eval FILE…`: measures the SDG review's suggestions against goals a
/// person set. No database. docs/REVIEW.md writes down what it printed.
struct ReviewEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review-eval",
        abstract: "Measure the SDG review's suggestions against programs whose goals a person set.",
        discussion: """
            A .tsv file is a labelled set (docs/REVIEW.md: id, field, goals, name, summary, \
            indicator); any other file is an evaluation table, whose programs are measured \
            against the goals the city tagged them with (programs without goals left out). \
            Prints, for all programs and per field: how often the top three suggested goals \
            contain a set goal (top-3), how often the first does (top-1), programs with no \
            suggestion, and suggestions without evidence (always 0); then the misses. \
            Exit status: 0 measured, 2 a file could not be read.
            """
    )

    @Argument(help: "Labelled sets (.tsv) or evaluation tables.")
    var files: [String]

    @Flag(help: "Print the figures as JSON.")
    var json = false

    func run() throws {
        var programs: [LabelledProgram] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                ParseCommand.printError("\(file):1: cannot read the file")
                throw ExitCode(2)
            }
            do {
                if file.hasSuffix(".tsv") {
                    programs += try LabelledProgram.readTSV(String(decoding: data, as: UTF8.self), source: file)
                } else {
                    programs += Self.tagged(try EvaluationReader().read([UInt8](data), source: file))
                }
            } catch {
                ParseCommand.printError("\(error)")
                throw ExitCode(2)
            }
        }
        let evaluation = ReviewEvaluation(programs)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(evaluation) + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(evaluation.text.utf8))
        }
    }

    /// A document's programs (one per identity, goals of all its listings) that carry goals.
    static func tagged(_ document: EvaluationDocument) -> [LabelledProgram] {
        var order: [String] = []
        var byKey: [String: LabelledProgram] = [:]
        for listing in document.listings {
            let indicator = listing.indicator?.name
            if var known = byKey[listing.programKey] {
                known.goals = Array(Set(known.goals + listing.sdgGoals)).sorted()
                if let indicator, !known.indicators.contains(indicator) { known.indicators.append(indicator) }
                byKey[listing.programKey] = known
            } else {
                order.append(listing.programKey)
                byKey[listing.programKey] = LabelledProgram(
                    id: "\(document.source)#\(listing.no)", field: "sample", goals: listing.sdgGoals, name: listing.program,
                    summary: listing.summary, indicators: indicator.map { [$0] } ?? [])
            }
        }
        return order.compactMap { byKey[$0] }.filter { !$0.goals.isEmpty }
    }
}
