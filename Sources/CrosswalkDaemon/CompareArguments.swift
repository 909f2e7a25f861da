import CrosswalkModel
import CrosswalkServer

/// `COMPARE FY a FY b …`: the two years come first, each after its own `FY` (the
/// keyword repeats, so they are read here rather than as options).
enum CompareArguments {
    static func years(_ request: Request) throws -> (from: Int, to: Int) {
        let arguments = request.arguments
        guard arguments.count >= 4, arguments[0].uppercased() == "FY", arguments[2].uppercased() == "FY" else {
            throw CommandError.wrongArguments
        }
        func year(_ text: String, _ which: String) throws -> Int {
            guard let year = FiscalYear.parse(text) else {
                throw CommandError.invalid("\(which) FY must be a fiscal year such as 2023, R5 or 令和5, not '\(text)'")
            }
            return year
        }
        let from = try year(arguments[1], "the first")
        let to = try year(arguments[3], "the second")
        guard from < to else {
            throw CommandError.invalid("the first FY must be earlier than the second (FY \(from) FY \(to))")
        }
        return (from, to)
    }
}
