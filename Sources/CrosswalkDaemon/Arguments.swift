import CrosswalkModel
import CrosswalkServer
import Foundation

/// A request's arguments split into positional values and `KEYWORD value` options
/// (`SDG 11 FY 2023` → ["11"], ["FY": "2023"]). Anything else is a wrong-arguments error.
struct Arguments {
    var positional: [String] = []
    var options: [String: String] = [:]

    init(_ request: Request, positional count: Int, options keywords: Set<String> = []) throws {
        try self.init(request.arguments, positional: count, options: keywords)
    }

    init(_ arguments: [String], positional count: Int, options keywords: Set<String> = []) throws {
        guard arguments.count >= count else { throw CommandError.wrongArguments }
        positional = Array(arguments.prefix(count))
        var rest = arguments.dropFirst(count)
        while let keyword = rest.popFirst() {
            let word = keyword.uppercased()
            guard keywords.contains(word), let value = rest.popFirst(), options[word] == nil else {
                throw CommandError.wrongArguments
            }
            options[word] = value
        }
    }

    /// `FY n`: a fiscal year as `2023`, `R5` or `令和5`; nil means the latest.
    func fiscalYear() throws -> Int? {
        guard let text = options["FY"] else { return nil }
        guard let year = FiscalYear.parse(text) else {
            throw CommandError.invalid("FY must be a fiscal year such as 2023, R5 or 令和5, not '\(text)'")
        }
        return year
    }

    /// `MUNI name|code`: one municipality; nil means all of them.
    var municipality: String? { options["MUNI"] }

    /// `AMOUNT budget|settled|personnel`, default settled.
    func amount() throws -> AmountKind {
        guard let text = options["AMOUNT"] else { return .settled }
        guard let kind = AmountKind(rawValue: text.lowercased()) else {
            throw CommandError.invalid("AMOUNT must be budget, settled or personnel, not '\(text)'")
        }
        return kind
    }
}
