/// What a page shows, from its query: fiscal year, municipality, and on the SDG page the
/// counting mode and amount. Values pass to the protocol as given, which checks them.
struct PageSelection: Sendable {
    var fiscalYear: String?
    var municipality: String?
    var mode: String?
    var amount: String?

    init(_ query: [(String, String)]) {
        func value(_ name: String) -> String? { query.last { $0.0 == name }.map(\.1).flatMap { $0.isEmpty ? nil : $0 } }
        fiscalYear = value("fy")
        municipality = value("muni")
        mode = value("mode")
        amount = value("amount")
    }

    /// Protocol options for the keywords a command takes.
    func arguments(_ keywords: Set<String>) -> [String] {
        var arguments: [String] = []
        if keywords.contains("FY"), let fiscalYear { arguments += ["FY", fiscalYear] }
        if keywords.contains("MODE"), let mode { arguments += ["MODE", mode] }
        if keywords.contains("AMOUNT"), let amount { arguments += ["AMOUNT", amount] }
        if keywords.contains("MUNI"), let municipality { arguments += ["MUNI", municipality] }
        return arguments
    }

    /// The query that keeps this selection on another page (mode and amount only where
    /// `counting` is set).
    func query(counting: Bool = false, _ extra: [(String, String?)] = []) -> [(String, String?)] {
        extra + [("fy", fiscalYear), ("muni", municipality)] + (counting ? [("mode", mode), ("amount", amount)] : [])
    }
}
