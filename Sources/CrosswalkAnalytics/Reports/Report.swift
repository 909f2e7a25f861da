package import CrosswalkModel
import Foundation
package import Postgres

/// Which report, for which year and amounts.
package struct ReportRequest: Sendable, Equatable {
    package enum Kind: String, Sendable, CaseIterable {
        case sdg, duplicates, conflicts, policy, compare, review
    }

    package var kind: Kind
    /// nil: the newest fiscal year with listings.
    package var fiscalYear: Int?
    /// sdg and duplicates.
    package var amount: AmountKind
    /// sdg only.
    package var mode: Analytics.Mode
    /// sdg only: one organization's documents.
    package var organization: String?
    /// One municipality, by name or code; nil: all of them.
    package var municipality: String?
    /// policy only: one policy (code in either width) instead of the year's list.
    package var policyCode: String?
    /// compare only: the earlier and the later fiscal year.
    package var from: Int?
    package var to: Int?

    package init(kind: Kind, fiscalYear: Int? = nil, amount: AmountKind = .settled, mode: Analytics.Mode = .gross,
                organization: String? = nil, municipality: String? = nil, policyCode: String? = nil, from: Int? = nil, to: Int? = nil) {
        self.kind = kind
        self.fiscalYear = fiscalYear
        self.amount = amount
        self.mode = mode
        self.organization = organization
        self.municipality = municipality
        self.policyCode = policyCode
        self.from = from
        self.to = to
    }
}

/// A report as the SQL answered it (`json`, JSON text) and decoded (`content`).
package struct Report: Sendable {
    package enum Content: Sendable {
        case sdg(SDGReport)
        case duplicates(DuplicatesReport)
        case conflicts(ConflictsReport)
        case policies(PoliciesReport)
        case policy(PolicyDetailReport)
        case compare(CompareReport)
        case review(SDGReviewAnswer)
    }

    package var json: String
    package var content: Content
    /// When, from what and by which version it was made: the HTML and Markdown footer
    /// and a CSV note. nil: no footer (pages, which say it elsewhere).
    package var provenance: ReportProvenance?

    /// Decodes the SQL answer for `kind` (for `policy`, `detail` selects the one-policy shape).
    package static func decode(_ json: PostgresJSON, kind: ReportRequest.Kind, detail: Bool = false) throws -> Report {
        let decoder = EvaluationJSON.decoder()
        let content: Content
        switch kind {
        case .sdg: content = .sdg(try json.decode(SDGReport.self, decoder: decoder))
        case .duplicates: content = .duplicates(try json.decode(DuplicatesReport.self, decoder: decoder))
        case .conflicts: content = .conflicts(try json.decode(ConflictsReport.self, decoder: decoder))
        case .policy:
            content = detail ? .policy(try json.decode(PolicyDetailReport.self, decoder: decoder))
                             : .policies(try json.decode(PoliciesReport.self, decoder: decoder))
        case .compare: content = .compare(try json.decode(CompareReport.self, decoder: decoder))
        case .review: content = .review(try JSONDecoder().decode(SDGReviewAnswer.self, from: Data(json.text.utf8)))
        }
        return Report(json: json.text, content: content)
    }

    /// The fiscal years the answer is read from (nil: every year, as for one policy's history).
    package var fiscalYears: [Int?] {
        switch content {
        case .sdg(let report): [report.fiscalYear]
        case .duplicates(let report): [report.fiscalYear]
        case .conflicts(let report): [report.fiscalYear]
        case .policies(let report): [report.fiscalYear]
        case .policy: [nil]
        case .compare(let report): [report.from, report.to]
        case .review(let report): [report.fiscalYear]
        }
    }

    private init(json: String, content: Content) {
        self.json = json
        self.content = content
    }

    /// The report laid out for Markdown and HTML.
    package var document: ReportDocument {
        var document = switch content {
        case .sdg(let report): report.document
        case .duplicates(let report): report.document
        case .conflicts(let report): report.document
        case .policies(let report): report.document
        case .policy(let report): report.document
        case .compare(let report): report.document
        case .review(let report): report.document
        }
        document.provenance = provenance
        return document
    }

    /// The report as one flat table for CSV.
    package var csvTable: CSVTable {
        var table = switch content {
        case .sdg(let report): report.csvTable
        case .duplicates(let report): report.csvTable
        case .conflicts(let report): report.csvTable
        case .policies(let report): report.csvTable
        case .policy(let report): report.csvTable
        case .compare(let report): report.csvTable
        case .review(let report): report.csvTable
        }
        if let provenance { table.notes.append(provenance.text) }
        return table
    }

    /// The report in `format`, as the text to write (UTF-8).
    package func rendered(as format: ReportFormat) -> String {
        switch format {
        case .json: JSONPretty.format(json) + "\n"
        case .csv: CSVReport().render(csvTable)
        case .md: MarkdownReport().render(document)
        case .html: HTMLReport().render(document)
        }
    }
}

package enum ReportFormat: String, Sendable, CaseIterable {
    case json, csv, md, html

    /// The format a file name's extension names (`sdg.csv`, `report.markdown`), or nil.
    package init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "json": self = .json
        case "csv": self = .csv
        case "md", "markdown": self = .md
        case "html", "htm": self = .html
        default: return nil
        }
    }
}

package struct ReportError: Error, CustomStringConvertible, Sendable {
    package var description: String
    package init(_ description: String) { self.description = description }
}

extension Analytics {
    /// Runs the SQL function behind `request`, decodes its answer, and notes where it came
    /// from (the documents of its years, their sync time, this version).
    package func report(_ request: ReportRequest) async throws -> Report {
        var report = try await answer(request)
        var sources: [ReportProvenance.Source] = []
        for year in report.fiscalYears {
            sources += try await reportSources(fiscalYear: year, municipality: request.municipality)
        }
        report.provenance = ReportProvenance(generatedAt: Date(), sources: sources)
        return report
    }

    /// The current documents a year's answer is read from, with their sync time.
    package func reportSources(fiscalYear: Int?, municipality: String?) async throws -> [ReportProvenance.Source] {
        try await call("SELECT crosswalk_report_sources($1, $2) AS answer", [fiscalYear, municipality])
            .decode([ReportProvenance.Source].self)
    }

    private func answer(_ request: ReportRequest) async throws -> Report {
        switch request.kind {
        case .sdg:
            let json = try await sdgReport(
                fiscalYear: request.fiscalYear, amount: request.amount, mode: request.mode, organization: request.organization,
                municipality: request.municipality)
            return try Report.decode(json, kind: .sdg)
        case .duplicates:
            let json = try await duplicates(fiscalYear: request.fiscalYear, amount: request.amount, municipality: request.municipality)
            return try Report.decode(json, kind: .duplicates)
        case .conflicts:
            return try Report.decode(try await conflicts(fiscalYear: request.fiscalYear, municipality: request.municipality), kind: .conflicts)
        case .policy:
            if let code = request.policyCode {
                guard let json = try await policy(code: code, municipality: request.municipality) else {
                    throw ReportError("no policy with code \(code)")
                }
                return try Report.decode(json, kind: .policy, detail: true)
            }
            return try Report.decode(try await policies(fiscalYear: request.fiscalYear, municipality: request.municipality), kind: .policy)
        case .compare:
            guard let from = request.from, let to = request.to else { throw ReportError("compare needs --from and --to") }
            let json = try await compare(
                from: from, to: to, amount: request.amount, organization: request.organization, municipality: request.municipality)
            return try Report.decode(json, kind: .compare)
        case .review:
            return try Report.decode(try await sdgReview(fiscalYear: request.fiscalYear, municipality: request.municipality).json(), kind: .review)
        }
    }
}
