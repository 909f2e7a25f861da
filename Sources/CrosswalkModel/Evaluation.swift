// The interchange format `crosswalk.evaluation/1`: what the reader hands to the
// store, and what `crosswalk parse` prints. Field names are camelCase here and
// snake_case on the wire (see `EvaluationJSON`). docs/FORMAT.md documents each field.
//
// Every optional field is written as an explicit `null` when nil (the `encode(to:)`
// methods below; synthesized Codable would omit the key). Decoding is synthesized and
// accepts both a `null` and a missing key for an optional field.

/// One `crosswalk parse` run: every document it read.
package struct EvaluationBatch: Codable, Sendable, Equatable {
    package static let formatName = "crosswalk.evaluation/1"
    package var format: String
    package var documents: [EvaluationDocument]

    package init(documents: [EvaluationDocument]) {
        self.format = Self.formatName
        self.documents = documents
    }
}

/// How the document's bytes were encoded.
package enum SourceEncoding: String, Codable, Sendable, Equatable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-bom"
    case cp932
}

/// One published document, as read.
package struct EvaluationDocument: Codable, Sendable, Equatable {
    package var source: String
    package var sha256: String
    package var encoding: SourceEncoding
    /// Gregorian start year of the fiscal year in the title (令和5年度 → 2023).
    package var fiscalYear: Int
    /// The municipality its source declares (`municipality.conf`); nil: none declared.
    package var municipality: Municipality?
    /// The office in the title's parentheses (デジタル市役所推進室).
    package var organization: String
    package var policies: [PolicyRecord]
    package var listings: [ListingRecord]
    package var warnings: [ReaderWarning]

    package init(
        source: String, sha256: String, encoding: SourceEncoding, fiscalYear: Int,
        municipality: Municipality? = nil, organization: String, policies: [PolicyRecord],
        listings: [ListingRecord], warnings: [ReaderWarning]
    ) {
        self.source = source
        self.sha256 = sha256
        self.encoding = encoding
        self.fiscalYear = fiscalYear
        self.municipality = municipality
        self.organization = organization
        self.policies = policies
        self.listings = listings
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case source, sha256, encoding, fiscalYear, municipality, organization, policies, listings, warnings
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(fiscalYear, forKey: .fiscalYear)
        try c.encodeOrNull(municipality, forKey: .municipality)
        try c.encode(organization, forKey: .organization)
        try c.encode(policies, forKey: .policies)
        try c.encode(listings, forKey: .listings)
        try c.encode(warnings, forKey: .warnings)
    }
}

/// A municipality (市区町村 or 都道府県): its name, and its 全国地方公共団体コード when known
/// (six digits with the check digit, e.g. 401005 for 北九州市).
package struct Municipality: Codable, Sendable, Hashable {
    package var name: String
    package var code: String?

    package init(name: String, code: String? = nil) {
        self.name = name
        self.code = code
    }

    enum CodingKeys: String, CodingKey {
        case name, code
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeOrNull(code, forKey: .code)
    }
}

/// A policy (施策) and the bureau's evaluation of it for the document's year.
package struct PolicyRecord: Codable, Sendable, Equatable {
    /// The code as written (`II-3-(2)-②`).
    package var code: String
    /// Width-insensitive key for matching (`II-3-(2)-2`): see `PolicyCode.key`.
    package var codeKey: String
    package var name: String
    /// 局施策評価 grade, as written (順調, 概ね順調, …).
    package var evaluation: String?
    /// 局施策評価の理由及び課題, joined from every row it was split across.
    package var evaluationText: String?
    /// Source line numbers (1-based) the policy was read from.
    package var lines: [Int]

    package init(
        code: String, codeKey: String, name: String, evaluation: String?,
        evaluationText: String?, lines: [Int]
    ) {
        self.code = code
        self.codeKey = codeKey
        self.name = name
        self.evaluation = evaluation
        self.evaluationText = evaluationText
        self.lines = lines
    }

    enum CodingKeys: String, CodingKey {
        case code, codeKey, name, evaluation, evaluationText, lines
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(codeKey, forKey: .codeKey)
        try c.encode(name, forKey: .name)
        try c.encodeOrNull(evaluation, forKey: .evaluation)
        try c.encodeOrNull(evaluationText, forKey: .evaluationText)
        try c.encode(lines, forKey: .lines)
    }
}

/// One row of a document: a program listed under a policy in a fiscal year.
package struct ListingRecord: Codable, Sendable, Equatable {
    package var no: Int
    package var policyCode: String
    /// Program name, readable (wrap spaces removed, markers such as （再掲） removed).
    package var program: String
    /// Identity key: normalised name + department (see `ProgramKey`).
    package var programKey: String
    /// Marked （再掲） or similar: listed again under another policy.
    package var relisted: Bool
    package var department: String
    package var formerDepartment: String?
    package var summary: String?
    /// SDG goals 1–17 the program states, ascending.
    package var sdgGoals: [Int]
    /// SDG goals 1–17 the listing takes from its policy, where a table gives goals per
    /// policy (施策) rather than per program; ascending, kept apart from `sdgGoals`.
    package var inheritedSdgGoals: [Int]
    package var indicator: IndicatorRecord?
    package var amounts: [AmountRecord]
    /// 事業評価 grade, as written.
    package var evaluation: String?
    package var evaluationReason: String?
    package var lines: [Int]

    package init(
        no: Int, policyCode: String, program: String, programKey: String, relisted: Bool,
        department: String, formerDepartment: String?, summary: String?, sdgGoals: [Int],
        inheritedSdgGoals: [Int] = [], indicator: IndicatorRecord?, amounts: [AmountRecord],
        evaluation: String?, evaluationReason: String?, lines: [Int]
    ) {
        self.no = no
        self.policyCode = policyCode
        self.program = program
        self.programKey = programKey
        self.relisted = relisted
        self.department = department
        self.formerDepartment = formerDepartment
        self.summary = summary
        self.sdgGoals = sdgGoals
        self.inheritedSdgGoals = inheritedSdgGoals
        self.indicator = indicator
        self.amounts = amounts
        self.evaluation = evaluation
        self.evaluationReason = evaluationReason
        self.lines = lines
    }

    enum CodingKeys: String, CodingKey {
        case no, policyCode, program, programKey, relisted, department, formerDepartment, summary
        case sdgGoals, inheritedSdgGoals, indicator, amounts, evaluation, evaluationReason, lines
    }

    /// Documents written before `inherited_sdg_goals` existed read as inheriting none.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        no = try c.decode(Int.self, forKey: .no)
        policyCode = try c.decode(String.self, forKey: .policyCode)
        program = try c.decode(String.self, forKey: .program)
        programKey = try c.decode(String.self, forKey: .programKey)
        relisted = try c.decode(Bool.self, forKey: .relisted)
        department = try c.decode(String.self, forKey: .department)
        formerDepartment = try c.decodeIfPresent(String.self, forKey: .formerDepartment)
        summary = try c.decodeIfPresent(String.self, forKey: .summary)
        sdgGoals = try c.decode([Int].self, forKey: .sdgGoals)
        inheritedSdgGoals = try c.decodeIfPresent([Int].self, forKey: .inheritedSdgGoals) ?? []
        indicator = try c.decodeIfPresent(IndicatorRecord.self, forKey: .indicator)
        amounts = try c.decode([AmountRecord].self, forKey: .amounts)
        evaluation = try c.decodeIfPresent(String.self, forKey: .evaluation)
        evaluationReason = try c.decodeIfPresent(String.self, forKey: .evaluationReason)
        lines = try c.decode([Int].self, forKey: .lines)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(no, forKey: .no)
        try c.encode(policyCode, forKey: .policyCode)
        try c.encode(program, forKey: .program)
        try c.encode(programKey, forKey: .programKey)
        try c.encode(relisted, forKey: .relisted)
        try c.encode(department, forKey: .department)
        try c.encodeOrNull(formerDepartment, forKey: .formerDepartment)
        try c.encodeOrNull(summary, forKey: .summary)
        try c.encode(sdgGoals, forKey: .sdgGoals)
        try c.encode(inheritedSdgGoals, forKey: .inheritedSdgGoals)
        try c.encodeOrNull(indicator, forKey: .indicator)
        try c.encode(amounts, forKey: .amounts)
        try c.encodeOrNull(evaluation, forKey: .evaluation)
        try c.encodeOrNull(evaluationReason, forKey: .evaluationReason)
        try c.encode(lines, forKey: .lines)
    }
}

/// The outcome indicator (成果指標) of a listing.
package struct IndicatorRecord: Codable, Sendable, Equatable {
    /// nil when the document has none or only the `指標名等` placeholder.
    package var name: String?
    /// True when `name` was filled from another listing of the same program.
    package var nameInferred: Bool
    package var baseline: String?
    package var midtermTarget: String?
    package var values: [IndicatorValue]

    package init(
        name: String?, nameInferred: Bool, baseline: String?, midtermTarget: String?,
        values: [IndicatorValue]
    ) {
        self.name = name
        self.nameInferred = nameInferred
        self.baseline = baseline
        self.midtermTarget = midtermTarget
        self.values = values
    }

    enum CodingKeys: String, CodingKey {
        case name, nameInferred, baseline, midtermTarget, values
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeOrNull(name, forKey: .name)
        try c.encode(nameInferred, forKey: .nameInferred)
        try c.encodeOrNull(baseline, forKey: .baseline)
        try c.encodeOrNull(midtermTarget, forKey: .midtermTarget)
        try c.encode(values, forKey: .values)
    }
}

package enum IndicatorValueKind: String, Codable, Sendable, Equatable, CaseIterable {
    case target, actual, achievement
}

package struct IndicatorValue: Codable, Sendable, Equatable {
    package var fiscalYear: Int
    package var kind: IndicatorValueKind
    /// The text as written (readable form).
    package var text: String
    /// The first number in the text, when there is one (`46,549時間` → 46549).
    package var number: Double?
    /// The unit after that number (`時間`, `%`, `MW`), when there is one.
    package var unit: String?

    package init(fiscalYear: Int, kind: IndicatorValueKind, text: String, number: Double?, unit: String?) {
        self.fiscalYear = fiscalYear
        self.kind = kind
        self.text = text
        self.number = number
        self.unit = unit
    }

    enum CodingKeys: String, CodingKey {
        case fiscalYear, kind, text, number, unit
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fiscalYear, forKey: .fiscalYear)
        try c.encode(kind, forKey: .kind)
        try c.encode(text, forKey: .text)
        try c.encodeOrNull(number, forKey: .number)
        try c.encodeOrNull(unit, forKey: .unit)
    }
}

package enum AmountKind: String, Codable, Sendable, Equatable, CaseIterable {
    case settled, budget, personnel
}

/// An amount in thousand yen; nil when the document writes `—`.
package struct AmountRecord: Codable, Sendable, Equatable {
    package var fiscalYear: Int
    package var kind: AmountKind
    package var thousandYen: Int?

    package init(fiscalYear: Int, kind: AmountKind, thousandYen: Int?) {
        self.fiscalYear = fiscalYear
        self.kind = kind
        self.thousandYen = thousandYen
    }

    enum CodingKeys: String, CodingKey {
        case fiscalYear, kind, thousandYen
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fiscalYear, forKey: .fiscalYear)
        try c.encode(kind, forKey: .kind)
        try c.encodeOrNull(thousandYen, forKey: .thousandYen)
    }
}

/// Something the reader noticed and carried on past.
package struct ReaderWarning: Codable, Sendable, Equatable {
    package var line: Int?
    package var code: String
    package var message: String

    package init(line: Int?, code: String, message: String) {
        self.line = line
        self.code = code
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case line, code, message
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeOrNull(line, forKey: .line)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
    }
}

extension KeyedEncodingContainer {
    /// The value, or an explicit `null` when it is nil (never an omitted key).
    mutating func encodeOrNull<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
