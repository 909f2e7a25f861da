import ArgumentParser
import CrosswalkDaemon
import CrosswalkAnalytics
import CrosswalkModel
import Foundation

extension ReportRequest.Kind: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}
extension Analytics.Mode: ExpressibleByArgument {}
extension AmountKind: ExpressibleByArgument {}

/// `crosswalk report sdg|duplicates|conflicts|policy|compare|review … --format json|csv|md|html [--out FILE]`
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a readable report: SDG contribution, duplicated programs, conflicts, policies or the SDG tagging review.",
        discussion: """
            sdg: the 17 SDG goals with programs and amounts, the total, the total of \
            programs with goals, programs with no goal, and the counting mode in words.
            duplicates: programs listed under several policies; the per-policy total, \
            the de-duplicated total and the amount counted twice, program by program.
            conflicts: programs whose listings disagree on SDG goals, amounts or grade.
            policy: the year's policies with program counts and the bureau's grade; \
            with --code, one policy's evaluations and programs.
            compare: year over year, --from a --to b: programs new, ended and \
            continuing with both years' amounts, renamed or moved candidates (never \
            merged), grades, indicators, goals per program, and per goal the change \
            gross and split.
            review: SDG tags checked against each program's own words (tagged goals \
            without evidence, strong evidence for untagged goals, programs with no goal), \
            each suggestion with its evidence; advice only, never written into the tags.

            json: the analytics SQL answer, pretty-printed.
            csv: one flat table (RFC 4180, CRLF line ends) in UTF-8 with a byte-order \
            mark, so Excel on Japanese Windows opens it correctly (without the mark it \
            assumes Shift_JIS). Text a spreadsheet would run as a formula (starting \
            with = + - @) gets a leading '.
            md: Markdown with GitHub-flavoured tables.
            html: one self-contained file (inline CSS, inline SVG bar chart in the \
            official SDG colours, no scripts, nothing loaded from the network).

            Amounts are in thousand yen (千円). Without --fiscal-year the newest year \
            with listings is used. An empty store, or a year, organization or \
            municipality with nothing in it, is an error that lists what there is \
            (crosswalk list organizations|municipalities). Exit status: 0 written, \
            2 on an error, a usage error included.
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("The report: sdg, duplicates, conflicts, policy, compare or review.", valueName: "report"))
    var kind: ReportRequest.Kind

    @Option(name: .long, help: ArgumentHelp("Fiscal year: 2023, R5 or 令和5 (default: the newest with listings).", valueName: "year"))
    var fiscalYear: String?

    @Option(name: .long, help: ArgumentHelp("compare: the earlier fiscal year (2022, R4 or 令和4).", valueName: "year"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("compare: the later fiscal year (2023, R5 or 令和5).", valueName: "year"))
    var to: String?

    @Option(name: .long, help: ArgumentHelp("sdg: gross (each goal gets a program's full amount) or split (divided equally among its goals).", valueName: "gross|split"))
    var mode: Analytics.Mode?

    @Option(name: .long, help: ArgumentHelp("sdg, duplicates, compare: which amount to add up.", valueName: "budget|settled|personnel"))
    var amount: AmountKind?

    @Option(name: .long, help: ArgumentHelp("sdg, compare: only this organization's documents.", valueName: "name"))
    var organization: String?

    @Option(name: .long, help: ArgumentHelp("Only this municipality (its name or 全国地方公共団体コード); default: all, naming those covered.", valueName: "name|code"))
    var municipality: String?

    @Option(name: .long, help: ArgumentHelp("policy: one policy by code, in either width (II-3-(2)-② or II-3-(2)-2).", valueName: "code"))
    var code: String?

    @Option(name: .long, help: "Output format: json, csv (UTF-8 with BOM, for Excel), md or html (default: from the extension of --out, else json).")
    var format: ReportFormat?

    /// The format asked for, else the one `--out`'s extension names, else JSON.
    var chosenFormat: ReportFormat {
        format ?? out.flatMap { ReportFormat(fileExtension: URL(fileURLWithPath: $0).pathExtension) } ?? .json
    }

    @Option(name: .long, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    func validate() throws {
        if mode != nil, kind != .sdg { throw ValidationError("--mode applies to the sdg report only") }
        if organization != nil, kind != .sdg, kind != .compare { throw ValidationError("--organization applies to the sdg and compare reports only") }
        if amount != nil, kind != .sdg, kind != .duplicates, kind != .compare {
            throw ValidationError("--amount applies to the sdg, duplicates and compare reports only")
        }
        try validateCompare()
        if code != nil, kind != .policy { throw ValidationError("--code applies to the policy report only") }
        if code != nil, fiscalYear != nil { throw ValidationError("--code shows every year of the policy; leave out --fiscal-year") }
        if let organization, organization.isEmpty { throw ValidationError("--organization must not be empty") }
        if let municipality, municipality.isEmpty { throw ValidationError("--municipality must not be empty") }
        if let out, out.isEmpty { throw ValidationError("--out must name a file") }
        if let fiscalYear, FiscalYear.parse(fiscalYear) == nil {
            throw ValidationError("--fiscal-year takes a fiscal year such as 2023, R5 or 令和5, not '\(fiscalYear)'")
        }
        if format == nil, let out, ReportFormat(fileExtension: URL(fileURLWithPath: out).pathExtension) == nil {
            throw ValidationError("give --format: the extension of --out \(out) names no format (json, csv, md, html)")
        }
    }

    var request: ReportRequest {
        ReportRequest(kind: kind, fiscalYear: fiscalYear.flatMap(FiscalYear.parse), amount: amount ?? .settled, mode: mode ?? .gross,
                      organization: organization, municipality: municipality, policyCode: code,
                      from: from.flatMap(FiscalYear.parse), to: to.flatMap(FiscalYear.parse))
    }

    func run() async throws {
        try await reportingErrors {
            let request = self.request
            let target = try DatabaseTarget(settings: try loadSettings(common, database))
            let report = try await target.withMigratedPool { pool in
                try await Analytics(pool: pool).report(request)
            }
            if let text = fiscalYear, let year = request.fiscalYear, Int(text) != year {
                FileHandle.standardError.write(Data("crosswalk: fiscal year \(text) is \(FiscalYear.label(year))\n".utf8))
            }
            let data = Data(report.rendered(as: chosenFormat).utf8)
            if let out {
                let url = URL(fileURLWithPath: out)
                var isDirectory: ObjCBool = false
                let folder = url.deletingLastPathComponent().path
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw CommandFailure("cannot write \(out): no such folder \(folder)")
                }
                do {
                    try data.write(to: url, options: .atomic)
                } catch {
                    throw CommandFailure("cannot write \(out): \(error.localizedDescription)")
                }
            } else {
                FileHandle.standardOutput.write(data)
            }
        }
    }
}

extension ReportCommand {
    /// compare takes --from and --to (an earlier and a later year) and no --fiscal-year;
    /// the other reports take neither.
    func validateCompare() throws {
        guard kind == .compare else {
            if from != nil || to != nil { throw ValidationError("--from and --to apply to the compare report only") }
            return
        }
        if fiscalYear != nil { throw ValidationError("compare takes --from and --to, not --fiscal-year") }
        guard let from, let to else { throw ValidationError("compare needs --from and --to (e.g. --from 2022 --to 2023)") }
        for (option, text) in [("--from", from), ("--to", to)] where FiscalYear.parse(text) == nil {
            throw ValidationError("\(option) takes a fiscal year such as 2023, R5 or 令和5, not '\(text)'")
        }
        if let first = FiscalYear.parse(from), let second = FiscalYear.parse(to), first >= second {
            throw ValidationError("--from must be earlier than --to (\(first) is not before \(second))")
        }
    }
}
