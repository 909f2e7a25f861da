/// One `GET /api/…` route: which protocol command it asks, and how the URL becomes that
/// command's arguments. The table below is the list of routes; docs/openapi.yaml names
/// the same paths (a test compares them).
package struct APIRoute: Sendable {
    /// The path as the router matches it: `/api/sdg/:goal`.
    package var path: String
    var command: String
    /// Arguments that come before any other (`SDG` for REPORT).
    var fixed: [String] = []
    /// A path parameter passed as the first argument (`:goal` → `13`).
    var parameter: String?
    /// A query parameter passed as the first argument (`q` for SEARCH).
    var text: String?
    /// COMPARE: `?from=2022&to=2023` passed first as `FY 2022 FY 2023` (a missing one leaves
    /// the command short of arguments, so it answers wrong arguments).
    var yearPair = false
    /// Query parameters passed as protocol options (names as in `APIQuery.keywords`).
    var query: Set<String> = []

    /// The protocol arguments for a request: fixed, positional, then options.
    func arguments(parameter value: String?, query: APIQuery) throws(AnswerFailure) -> [String] {
        var arguments = fixed
        if let value { arguments.append(value) }
        if let text {
            // Absent: no positional argument, so the command answers wrong arguments.
            if let value = query.value(text) { arguments.append(value) }
        }
        if yearPair {
            for name in ["from", "to"] { if let value = query.value(name) { arguments += ["FY", value] } }
        }
        let taken = Set(text.map { [$0] } ?? []).union(yearPair ? ["from", "to"] : [])
        return arguments + (try query.arguments(allowed: self.query, extra: taken))
    }

    private static let year: Set<String> = ["fy", "muni"]
    private static let amounts: Set<String> = ["fy", "amount", "muni"]

    package static let all: [APIRoute] = [
        APIRoute(path: "/api/sdgs", command: "SDGS", query: amounts),
        APIRoute(path: "/api/sdg/:goal", command: "SDG", parameter: "goal", query: year),
        APIRoute(path: "/api/policies", command: "POLICIES", query: year),
        APIRoute(path: "/api/policy/:code", command: "POLICY", parameter: "code", query: ["muni"]),
        APIRoute(path: "/api/program/:program", command: "PROGRAM", parameter: "program", query: ["muni"]),
        APIRoute(path: "/api/search", command: "SEARCH", text: "q", query: ["muni"]),
        APIRoute(path: "/api/duplicates", command: "DUPLICATES", query: amounts),
        APIRoute(path: "/api/similar", command: "SIMILAR", query: year),
        APIRoute(path: "/api/indicators", command: "INDICATORS", query: year),
        APIRoute(path: "/api/matrix", command: "MATRIX", query: amounts),
        APIRoute(path: "/api/overlap", command: "OVERLAP", query: year),
        APIRoute(path: "/api/conflicts", command: "CONFLICTS", query: year),
        APIRoute(path: "/api/report/sdg", command: "REPORT", fixed: ["SDG"], query: ["fy", "mode", "amount", "org", "muni"]),
        APIRoute(path: "/api/compare", command: "COMPARE", yearPair: true, query: ["amount", "org", "muni"]),
        APIRoute(path: "/api/review/sdg", command: "REVIEW", fixed: ["SDG"], query: year),
        APIRoute(path: "/api/municipalities", command: "MUNICIPALITIES"),
        APIRoute(path: "/api/organizations", command: "ORGANIZATIONS", query: ["muni"]),
        APIRoute(path: "/api/syncstatus", command: "SYNCSTATUS"),
    ]
}
