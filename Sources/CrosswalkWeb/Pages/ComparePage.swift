import CrosswalkAnalytics

/// The year-over-year page's question: the two years (`from`, `to`) and optionally one
/// organization (`org`), from the query; a plain GET form to change them, no script.
struct CompareQuery: Sendable {
    var from: String?
    var to: String?
    var organization: String?

    init(_ query: [(String, String)]) {
        func value(_ name: String) -> String? { query.last { $0.0 == name }.map(\.1).flatMap { $0.isEmpty ? nil : $0 } }
        from = value("from")
        to = value("to")
        organization = value("org")
    }

    /// COMPARE's arguments, passed as given (the protocol checks them); nil until both years are chosen.
    var arguments: [String]? {
        guard let from, let to else { return nil }
        return ["FY", from, "FY", to] + (organization.map { ["ORG", $0] } ?? [])
    }

    func form(_ selection: PageSelection) -> String {
        func field(_ label: String, _ name: String, _ value: String?, _ placeholder: String) -> String {
            "<label>\(HTMLEscape.escape(label)) <input type=\"text\" name=\"\(name)\" size=\"8\" placeholder=\"\(HTMLEscape.escape(placeholder))\" value=\"\(HTMLEscape.escape(value ?? ""))\"></label> "
        }
        var out = "<form class=\"select\" method=\"get\" action=\"/compare\">"
        out += field("比較元の年度", "from", from, "2022")
        out += field("比較先の年度", "to", to, "2023")
        out += field("組織", "org", organization, "すべて")
        if let municipality = selection.municipality {
            out += "<input type=\"hidden\" name=\"muni\" value=\"\(HTMLEscape.escape(municipality))\">"
        }
        return out + "<button type=\"submit\">比較</button></form>\n"
    }
}
