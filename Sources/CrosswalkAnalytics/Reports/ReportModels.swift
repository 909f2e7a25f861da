package import CrosswalkModel
package import Foundation

// Typed forms of the JSON the analytics SQL functions return
// (SQL/functions/30_analytics.sql). Decode with `EvaluationJSON.decoder()`:
// the SQL keys are snake_case. Amounts are in thousand yen (千円).

/// `crosswalk_sdg_report(fy, kind, mode, org)`: contribution per SDG goal.
package struct SDGReport: Codable, Sendable, Equatable {
    /// nil only when the database holds no listings at all.
    package var fiscalYear: Int?
    package var amount: AmountKind
    package var mode: Analytics.Mode
    package var organization: String?
    /// The municipality asked for (nil: all) and the declared ones covered.
    package var municipality: String?
    package var municipalities: [String]
    /// The counting rule in words, as the SQL states it.
    package var counting: String
    package var unit: String
    /// Programs listed in the year (each counted once).
    package var programs: Int
    package var totalThousandYen: Int64
    package var totalWithGoalsThousandYen: Int64
    package var programsMissingAmount: Int
    /// All 17 goals, in goal order.
    package var goals: [Goal]
    package var noGoal: NoGoal

    package struct Goal: Codable, Sendable, Equatable {
        package var goal: Int
        package var nameJa: String
        package var nameEn: String
        /// `#RRGGBB`, the official SDG colour.
        package var color: String
        package var programs: Int
        /// Exact to 0.001 in split mode (amounts divide among goals).
        package var thousandYen: Decimal
        package var programList: [Program]
    }

    package struct Program: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        package var thousandYen: Int64
        /// The program's goals (absent in `no_goal`, where there are none).
        package var goals: [Int]?
    }

    package struct NoGoal: Codable, Sendable, Equatable {
        package var programs: Int
        package var thousandYen: Int64
        package var programList: [Program]
    }

    /// Every program of the year once, with its goals, ordered by name.
    package var allPrograms: [Program] {
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
package struct DuplicatesReport: Codable, Sendable, Equatable {
    package var fiscalYear: Int?
    /// The municipality asked for (nil: all) and the declared ones covered.
    package var municipality: String?
    package var municipalities: [String]
    package var amount: AmountKind
    package var unit: String
    package var counting: String
    /// Per-policy totals added up: a program counts once per listing.
    package var naivePerPolicyTotal: Int64
    /// Each program once.
    package var deduplicatedTotal: Int64
    /// naive − de-duplicated.
    package var doubleCounted: Int64
    package var programs: [Program]

    package struct Program: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        package var thousandYen: Int64
        /// What per-policy totals count beyond the first listing.
        package var countedExtra: Int64
        package var policies: [Listing]
    }

    package struct Listing: Codable, Sendable, Equatable {
        package var code: String
        package var name: String
        /// The row number (No.) in the policy's table.
        package var no: Int
        /// Marked （再掲）: listed again under this policy.
        package var relisted: Bool
    }
}

/// `crosswalk_conflicts(fy)`: programs whose listings disagree.
package struct ConflictsReport: Codable, Sendable, Equatable {
    package var fiscalYear: Int?
    package var programs: [Program]

    package struct Program: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        package var conflicts: [Conflict]
        /// The goals the SDG report counts for the program: the union over its listings.
        package var countedGoals: [Int]?
    }

    package struct Conflict: Codable, Sendable, Equatable {
        /// `sdg_goals`, `amounts` or `grade`.
        package var field: String
        package var listings: [Listing]
    }

    package struct Listing: Codable, Sendable, Equatable {
        package var policyCode: String
        package var policyName: String?
        package var no: Int
        /// goals: `[5, 8]`; amounts: `[{fiscal_year, kind, thousand_yen}]`; grade: text or null.
        package var value: JSONValue
    }
}

/// `crosswalk_policies(fy)`: policies listed in a year.
package struct PoliciesReport: Codable, Sendable, Equatable {
    package var fiscalYear: Int?
    package var policies: [Policy]

    package struct Policy: Codable, Sendable, Equatable {
        package var code: String
        package var name: String
        /// Distinct programs listed under the policy that year.
        package var programs: Int
        /// The bureau's grade of the policy (局施策評価), when stated.
        package var evaluation: String?
    }
}

/// `crosswalk_policy(code_key)`: one policy, its evaluations and programs.
package struct PolicyDetailReport: Codable, Sendable, Equatable {
    package var code: String
    package var name: String
    package var evaluations: [Evaluation]
    package var programs: [Program]

    package struct Evaluation: Codable, Sendable, Equatable {
        package var fiscalYear: Int
        package var grade: String?
        package var text: String?
        package var organization: String
        package var source: String
        package var lines: [Int]?
    }

    package struct Program: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        package var fiscalYear: Int
        package var no: Int
        package var relisted: Bool
        package var grade: String?
        package var goals: [Int]
        package var settledThousandYen: Int64?
    }
}

/// Any JSON value, for the parts of an answer whose shape depends on a field.
package enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
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

    package func encode(to encoder: any Encoder) throws {
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
    package subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}
