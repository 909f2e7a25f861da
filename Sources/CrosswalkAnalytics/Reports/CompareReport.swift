package import CrosswalkModel
package import Foundation

/// `crosswalk_compare(from, to, kind, org, muni, renamed)`: what changed between two
/// fiscal years (SQL/functions/37_compare.sql). Amounts in thousand yen.
package struct CompareReport: Codable, Sendable, Equatable {
    package var from: Int
    package var to: Int
    package var amount: AmountKind
    package var organization: String?
    /// The municipality asked for (nil: all) and the declared ones covered in either year.
    package var municipality: String?
    package var municipalities: [String]
    package var unit: String
    package var counting: String
    package var totals: Totals
    package var new: [Program]
    package var ended: [Program]
    package var continuing: [Continuing]
    package var renamed: [RenamedCandidate]
    package var grades: Grades
    package var indicators: Indicators
    package var goalsChanged: [GoalsChanged]
    /// All 17 goals, in goal order.
    package var goals: [Goal]

    package struct Totals: Codable, Sendable, Equatable {
        package var programsFrom: Int
        package var programsTo: Int
        package var thousandYenFrom: Int64
        package var thousandYenTo: Int64
        package var change: Int64
        package var new: Int
        package var ended: Int
        package var continuing: Int
        package var renamedCandidates: Int
    }

    /// A program listed in one of the two years only.
    package struct Program: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        package var goals: [Int]
        package var thousandYen: Int64
        package var amountMissing: Bool
    }

    package struct Continuing: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        package var thousandYenFrom: Int64
        package var thousandYenTo: Int64
        package var change: Int64
        package var amountMissingFrom: Bool
        package var amountMissingTo: Bool
    }

    package struct Grades: Codable, Sendable, Equatable {
        package var improved: [GradeChange]
        package var worsened: [GradeChange]
    }

    package struct GradeChange: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        package var from: String
        package var to: String
    }

    package struct Indicators: Codable, Sendable, Equatable {
        /// Achievement (actual ÷ target) rose.
        package var toward: [IndicatorChange]
        /// Achievement fell.
        package var away: [IndicatorChange]
    }

    package struct IndicatorChange: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        package var indicator: String?
        package var from: IndicatorYear
        package var to: IndicatorYear
    }

    package struct IndicatorYear: Codable, Sendable, Equatable {
        package var target: String
        package var actual: String
        package var achievementPercent: Decimal
    }

    package struct GoalsChanged: Codable, Sendable, Equatable {
        package var id: Int64
        package var name: String
        package var department: String
        package var goalsFrom: [Int]
        package var goalsTo: [Int]
        package var added: [Int]
        package var removed: [Int]
    }

    package struct Goal: Codable, Sendable, Equatable {
        package var goal: Int
        package var nameJa: String
        package var nameEn: String
        package var color: String
        package var programsFrom: Int
        package var programsTo: Int
        package var grossFrom: Decimal
        package var grossTo: Decimal
        package var grossChange: Decimal
        /// nil when the goal had nothing in the earlier year.
        package var grossChangePercent: Decimal?
        package var splitFrom: Decimal
        package var splitTo: Decimal
        package var splitChange: Decimal
        package var splitChangePercent: Decimal?
    }
}
