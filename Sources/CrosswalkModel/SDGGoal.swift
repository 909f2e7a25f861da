/// The 17 Sustainable Development Goals. The database holds the reference table
/// (SQL/migrations/0001); this is the range the reader and protocol validate against.
package enum SDGGoal {
    package static let range = 1...17
}
