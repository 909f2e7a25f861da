/// Where the header is and what each column holds: the layout's declared columns,
/// and (unless `guess = off`) the header names it recognises for the rest.
struct ColumnMap {
    struct Entry {
        var column: Int
        var field: Field
        /// The unit its header states (amount columns).
        var unit: TableLayout.Unit?
        var label: String
    }

    /// 0-based rows of the header.
    var headerRows: ClosedRange<Int>
    var entries: [Entry]
    /// Header cells that mean nothing to the reader, for a warning.
    var unrecognised: [(column: Int, label: String)]

    func columns(_ field: Field) -> [Entry] { entries.filter { $0.field == field } }
    func first(_ field: Field) -> Int? { entries.first { $0.field == field }?.column }
}
