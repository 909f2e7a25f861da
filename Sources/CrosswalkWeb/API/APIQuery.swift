/// Query parameters as protocol options: `?fy=2023&amount=settled` → `FY 2023 AMOUNT settled`.
/// A parameter the route does not take is a bad argument, never silently ignored.
struct APIQuery {
    /// Parameter name → protocol keyword.
    static let keywords = ["fy": "FY", "amount": "AMOUNT", "mode": "MODE", "muni": "MUNI", "org": "ORG"]

    var options: [(name: String, value: String)]

    init(_ pairs: [(String, String)]) {
        options = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// The protocol arguments for the parameters in `allowed` (names as in `keywords`),
    /// plus `extra` names kept out (`q`, taken by the route itself).
    func arguments(allowed: Set<String>, extra: Set<String> = []) throws(AnswerFailure) -> [String] {
        var arguments: [String] = []
        for (name, value) in options where !extra.contains(name) {
            guard allowed.contains(name), let keyword = Self.keywords[name] else {
                let accepted = allowed.sorted().joined(separator: ", ")
                throw AnswerFailure(.badArgument, "ERR unknown query parameter '\(name)'; this route takes: \(accepted.isEmpty ? "none" : accepted)")
            }
            arguments += [keyword, value]
        }
        return arguments
    }

    func value(_ name: String) -> String? {
        options.first { $0.name == name }?.value
    }
}
