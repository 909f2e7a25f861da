public import CrosswalkModel
public import Foundation

// Typed forms of the JSON the analytics SQL functions return
// (SQL/functions/30_analytics.sql). Decode with `EvaluationJSON.decoder()`:
// the SQL keys are snake_case. Amounts are in thousand yen (千円).

/// `crosswalk_sdg_report(fy, kind, mode, org)`: contribution per SDG goal.
public struct SDGReport: Codable, Sendable, Equatable {
    /// nil only when the database holds no listings at all.
    public var fiscalYear: Int?
    public var amount: AmountKind
    public var mode: Analytics.Mode
    public var organization: String?
    /// The municipality asked for (nil: all) and the declared ones covered.
    public var municipality: String?
    public var municipalities: [String]
    /// The counting rule in words, as the SQL states it.
    public var counting: String
    public var unit: String
    /// Programs listed in the year (each counted once).
    public var programs: Int
    public var totalThousandYen: Int64
    public var totalWithGoalsThousandYen: Int64
    public var programsMissingAmount: Int
    /// All 17 goals, in goal order.
    public var goals: [Goal]
    public var noGoal: NoGoal

    public struct Goal: Codable, Sendable, Equatable {
        public var goal: Int
        public var nameJa: String
        public var nameEn: String
        /// `#RRGGBB`, the official SDG colour.
        public var color: String
        public var programs: Int
        /// Exact to 0.001 in split mode (amounts divide among goals).
        public var thousandYen: Decimal
        public var programList: [Program]
    }

    public struct Program: Codable, Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var department: String
        public var thousandYen: Int64
        /// The program's goals (absent in `no_goal`, where there are none).
        public var goals: [Int]?
    }

    public struct NoGoal: Codable, Sendable, Equatable {
        public var programs: Int
        public var thousandYen: Int64
        public var programList: [Program]
    }

    /// Every program of the year once, with its goals, ordered by name.
    public var allPrograms: [Program] {
        var seen = Set<Int64>()
        var list: [Program] = []
        for program in goals.flatMap(\.programList) + noGoal.programList where seen.insert(program.id).inserted {
            var entry = program
            entry.goals = entry.goals ?? []
            list.append(entry)
        }
        return list.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }
}

/// `crosswalk_duplicates(fy, kind)`: programs listed under several policies.
public struct DuplicatesReport: Codable, Sendable, Equatable {
    public var fiscalYear: Int?
    /// The municipality asked for (nil: all) and the declared ones covered.
    public var municipality: String?
    public var municipalities: [String]
    public var amount: AmountKind
    public var unit: String
    public var counting: String
    /// Per-policy totals added up: a program counts once per listing.
    public var naivePerPolicyTotal: Int64
    /// Each program once.
    public var deduplicatedTotal: Int64
    /// naive − de-duplicated.
    public var doubleCounted: Int64
    public var programs: [Program]

    public struct Program: Codable, Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var department: String
        public var thousandYen: Int64
        /// What per-policy totals count beyond the first listing.
        public var countedExtra: Int64
        public var policies: [Listing]
    }

    public struct Listing: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
        /// The row number (No.) in the policy's table.
        public var no: Int
        /// Marked （再掲）: listed again under this policy.
        public var relisted: Bool
    }
}

/// `crosswalk_conflicts(fy)`: programs whose listings disagree.
public struct ConflictsReport: Codable, Sendable, Equatable {
    public var fiscalYear: Int?
    public var programs: [Program]

    public struct Program: Codable, Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var department: String
        public var conflicts: [Conflict]
    }

    public struct Conflict: Codable, Sendable, Equatable {
        /// `sdg_goals`, `amounts` or `grade`.
        public var field: String
        public var listings: [Listing]
    }

    public struct Listing: Codable, Sendable, Equatable {
        public var policyCode: String
        public var no: Int
        /// goals: `[5, 8]`; amounts: `[{fiscal_year, kind, thousand_yen}]`; grade: text or null.
        public var value: JSONValue
    }
}

/// `crosswalk_policies(fy)`: policies listed in a year.
public struct PoliciesReport: Codable, Sendable, Equatable {
    public var fiscalYear: Int?
    public var policies: [Policy]

    public struct Policy: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
        /// Distinct programs listed under the policy that year.
        public var programs: Int
        /// The bureau's grade of the policy (局施策評価), when stated.
        public var evaluation: String?
    }
}

/// `crosswalk_policy(code_key)`: one policy, its evaluations and programs.
public struct PolicyDetailReport: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    public var evaluations: [Evaluation]
    public var programs: [Program]

    public struct Evaluation: Codable, Sendable, Equatable {
        public var fiscalYear: Int
        public var grade: String?
        public var text: String?
        public var organization: String
        public var source: String
        public var lines: [Int]?
    }

    public struct Program: Codable, Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var department: String
        public var fiscalYear: Int
        public var no: Int
        public var relisted: Bool
        public var grade: String?
        public var goals: [Int]
        public var settledThousandYen: Int64?
    }
}

/// Any JSON value, for the parts of an answer whose shape depends on a field.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member `key` of an object; nil otherwise.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}
