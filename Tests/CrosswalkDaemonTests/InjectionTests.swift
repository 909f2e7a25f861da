import CrosswalkDaemon
import CrosswalkServer
import Foundation
import Postgres
import TestSupport
import XCTest

/// SQL metacharacters and injection strings in every argument position of every data
/// command, against the daemon over a real database with the sample synced.
///
/// The commands come from the server's own table (HELP), and each one's arguments from its
/// usage text, so a new command is covered as soon as it is registered (or the test says
/// which placeholder it needs a sample value for).
///
/// The oracle: a hostile argument must get the same answer as a harmless argument that
/// matches nothing, in the same position (an error if that errs; otherwise the same rows),
/// or a clear error. Never more rows, never `ERR internal error`, and the tables are intact.
final class InjectionTests: XCTestCase {
    static let miss = "zzqx-nomatch-7"
    /// The value for MUNI: what Samples/source.conf declares.
    static let municipality = "北九州市"

    static let hostile: [String] = [
        "'; DROP TABLE programs; --", "' OR '1'='1", "' OR 1=1 --", "%' OR '1'='1' --", "1 OR 1=1",
        "1; SELECT pg_sleep(30)", "\") OR (\"a\"=\"a", "') OR ('a'='a", "*/ OR 1=1 /*",
        "$1", "$1 OR $2", "$$; DROP TABLE listings; $$", "'::jsonb", "E'\\x27'",
        "\\", "\\\\", "\\'", "a\\%b", "%", "%%", "_", "%_%", "\\N", "NULL", "{}", "{1,2,3}", "[]", "|", "\u{1F}",
        "\u{0}", "a\u{0}b", "\u{0}' OR '1'='1", "\u{202E}txet", "\u{FEFF}",
        "ＤＲＯＰ　ＴＡＢＬＥ　ｐｒｏｇｒａｍｓ", "’；　ＤＲＯＰ　ＴＡＢＬＥ", "存在しない事業名",
        String(repeating: "'; DROP TABLE programs; -- ", count: 1_100),  // ~30 KB, under the request limit
    ]

    /// What a real value becomes with something appended: must not still match it.
    static func derived(from value: String) -> [String] {
        [value + "\u{0}x", value + "' OR '1'='1", value + "%", value + "_", value + "'; DROP TABLE programs; --"]
    }

    func testInjectionStringsInEveryArgumentOfEveryDataCommand() async throws {
        // Two years of the sample, so that COMPARE FY 2022 FY 2023 answers and every one of its
        // arguments is reached.
        let folder = try SyncedDaemon.twoYearSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await SyncedDaemon.run(configure: { $0.sync.sources = [folder.path] }) { _, port, pool in
            // The hostile strings must really match nothing, or "same as a miss" is wrong.
            for text in Self.hostile where !text.contains("\u{0}") {
                let found = try await pool.query(
                    "SELECT count(*) AS n FROM programs WHERE strpos(lower(name), lower($1)) > 0 OR strpos(lower(coalesce(summary, '')), lower($1)) > 0",
                    [text]
                ).first!.decode("n", as: Int.self)
                XCTAssertEqual(found, 0, "the sample contains \(text.debugDescription); pick another")
            }
            let organization = try await Self.organization(pool)
            let connection = try await JSONOverRESP.connect(port: port)
            defer { Task { await connection.close() } }
            let commands = try await Self.dataCommands(connection)
            XCTAssertTrue(Set(commands.map(\.name)).isSuperset(of: ["SDG", "SEARCH", "PROGRAM", "POLICY", "REPORT", "SYNC"]))

            var baselines: [(name: String, arguments: [String], value: ReplyValue)] = []
            for command in commands {
                let arguments = try Self.sampleArguments(usage: command.usage, organization: organization)
                try await connection.send([[command.name] + arguments])
                let answer = try await connection.reply()
                XCTAssertTrue(answer.ok, "\(command.name) \(arguments): \(answer.raw.prefix(300))")
                baselines.append((command.name, arguments, answer.value))
            }
            let before = try await SyncedDaemon.tableCounts(pool)

            var sent = 0
            var positions = 0
            for (name, arguments, baseline) in baselines {
                // Every position, plus one past the end (an argument too many).
                for position in 0...arguments.count {
                    positions += 1
                    var values = Self.hostile
                    if position < arguments.count { values += Self.derived(from: arguments[position]) }
                    let requests = [[name] + Self.replacing(arguments, at: position, with: Self.miss)]
                        + values.map { [name] + Self.replacing(arguments, at: position, with: $0) }
                    try await connection.send(requests)
                    let miss = try await connection.reply()
                    for value in values {
                        let answer = try await connection.reply()
                        sent += 1
                        let context = "\(name) position \(position) value \(value.prefix(60).debugDescription)"
                        if name == "CHANGES", position == 1, value.hasPrefix(arguments[position]), answer.ok {
                            // Known: the timestamp parser ignores what follows a valid timestamp
                            // (testTimestampWithTrailingTextIsRefused). The rest never reaches SQL:
                            // the answer is exactly the valid timestamp's.
                            XCTAssertEqual(answer.value, baseline, context)
                            continue
                        }
                        Self.check(answer, against: miss, argument: value, context: context)
                    }
                }
            }
            print(
                "InjectionTests: \(sent) hostile requests: \(Self.hostile.count) injection strings (+ \(Self.derived(from: "").count) derived"
                    + " from each valid value) in \(positions) argument positions of \(commands.count) data commands")

            let after = try await SyncedDaemon.tableCounts(pool)
            XCTAssertEqual(after, before, "table row counts changed")
            XCTAssertEqual(after["programs"], 6)
        }
    }

    /// The answer cache keys requests by their arguments joined with U+001F; an argument
    /// holding that separator must not be answered (or answer others) from another request's
    /// entry.
    func testArgumentsHoldingTheCacheKeySeparatorGetTheirOwnAnswer() async throws {
        try await SyncedDaemon.run { _, port, pool in
            let organization = try await Self.organization(pool)
            let connection = try await JSONOverRESP.connect(port: port)
            defer { Task { await connection.close() } }
            // A valid request first, then one whose single argument spells the same key.
            try await connection.send([["SDGS", "FY", "2023", "AMOUNT", "budget"], ["SDGS", "FY", "2023\u{1F}AMOUNT\u{1F}budget"]])
            let valid = try await connection.reply()
            XCTAssertTrue(valid.ok, valid.raw)
            let aliased = try await connection.reply()
            XCTAssertEqual(aliased.error?.hasPrefix("ERR FY must be"), true, aliased.raw.prefix(200).description)

            // The other way: a hostile request first must not decide what a valid one gets.
            let poison = ["REPORT", "SDG", "ORG", "\(organization)\u{1F}FY\u{1F}2023"]
            try await connection.send([poison, ["REPORT", "SDG", "ORG", organization, "FY", "2023"]])
            _ = try await connection.reply()
            let report = try await connection.reply()
            XCTAssertEqual(report.value["organization"], .string(organization), report.raw.prefix(200).description)
            XCTAssertEqual(report.value["programs"], .int(6), report.raw.prefix(300).description)
        }
    }

    /// `CHANGES SINCE <timestamp>` takes a timestamp, not a timestamp with text after it.
    func testTimestampWithTrailingTextIsRefused() async throws {
        try await SyncedDaemon.run { _, port, _ in
            let connection = try await JSONOverRESP.connect(port: port)
            defer { Task { await connection.close() } }
            try await connection.send([["CHANGES", "SINCE", "2000-01-01T00:00:00Z' OR '1'='1"]])
            let answer = try await connection.reply()
            XCTAssertEqual(answer.error?.hasPrefix("ERR SINCE must be"), true, answer.raw.prefix(200).description)
        }
    }

    /// NUL cannot be stored in PostgreSQL text; a parameter holding one must be refused, not
    /// cut at the NUL (which made `"name\0junk"` find `name`, and `SEARCH "\0"` list every program).
    func testTextParameterWithNULIsRefusedNotTruncated() async throws {
        try await TestDatabase.withPool { pool, _ in
            do {
                let rows = try await pool.query("SELECT $1::text = 'abc' AS same", ["abc\u{0}DROP"])
                XCTFail("a NUL parameter was accepted: same=\(try rows.first!.decode("same", as: Bool.self))")
            } catch let error as PostgresError {
                XCTAssertEqual(error.kind, .statement)
                XCTAssertTrue(error.message.contains("0x00"), error.message)
                XCTAssertFalse(error.description.contains("DROP"), "the value is not quoted back: \(error)")
            }
            // The connection is still fine afterwards.
            let ok = try await pool.query("SELECT 1 AS one").first!.decode("one", as: Int.self)
            XCTAssertEqual(ok, 1)
        }
    }

    static func organization(_ pool: PostgresPool) async throws -> String {
        try await pool.query("SELECT name FROM organizations ORDER BY id LIMIT 1").first!.decode("name", as: String.self)
    }

    private static func check(_ answer: JSONOverRESP.Answer, against miss: JSONOverRESP.Answer, argument: String, context: String) {
        if let error = answer.error {
            XCTAssertTrue(
                error.hasPrefix("ERR ") || error.hasPrefix("NOTFOUND "), "\(context): unclear error \(error.prefix(200))")
            XCTAssertNotEqual(error, "ERR internal error", context)
            return
        }
        guard miss.ok else {
            XCTFail("\(context): answered \(answer.raw.prefix(300)) where a harmless miss gets \(miss.raw)")
            return
        }
        XCTAssertEqual(
            normalized(answer.value, argument: argument), normalized(miss.value, argument: Self.miss),
            "\(context): different answer than a miss")
    }

    /// The value with echoes of the argument replaced by a marker.
    private static func normalized(_ value: ReplyValue, argument: String) -> ReplyValue {
        switch value {
        case .string(let text) where text == argument: return .string("<argument>")
        case .array(let items): return .array(items.map { normalized($0, argument: argument) })
        case .object(let fields): return .object(fields.map { ($0.0, normalized($0.1, argument: argument)) })
        default: return value
        }
    }

    private static func replacing(_ arguments: [String], at position: Int, with value: String) -> [String] {
        var copy = arguments
        if position < copy.count { copy[position] = value } else { copy.append(value) }
        return copy
    }

    /// The application's commands: everything HELP lists that the server has built in anyway.
    private static func dataCommands(_ connection: JSONOverRESP) async throws -> [(name: String, usage: String)] {
        try await connection.send([["HELP"]])
        let help = try await connection.reply()
        guard case .array(let all)? = help.value["commands"] else { throw TestTimeout(what: "HELP's command list") }
        let builtins = Set(CommandRegistry().all.map(\.name))
        return all.compactMap { entry in
            guard case .string(let name)? = entry["name"], case .string(let usage)? = entry["usage"], !builtins.contains(name)
            else { return nil }
            return (name, usage)
        }
    }

    struct UnknownPlaceholder: Error, CustomStringConvertible {
        var placeholder: String
        var usage: String
        var description: String { "no sample value for \(placeholder) in '\(usage)': add one to InjectionTests.sampleArguments" }
    }

    /// A valid argument list with every optional part present, read from the usage text:
    /// `REPORT SDG [FY n] [MODE gross|split] [ORG name]` → `SDG FY 2023 MODE gross ORG <org>`.
    static func sampleArguments(usage: String, organization: String) throws -> [String] {
        func value(_ placeholder: String, keyword: String?) throws -> String {
            switch (keyword, placeholder) {
            case ("FY", "n"): return "2023"
            case ("ORG", "name"): return organization
            case ("MUNI", "name|code"): return Self.municipality
            case (_, "<1-17>"): return "11"
            case (_, "<code>"): return "II-3-(2)-②"
            case (_, "<name|id>"): return "KitaQ DX推進事業"
            case (_, "<text>"): return "テレワーク"
            case (_, "<timestamp>"): return "2000-01-01T00:00:00Z"
            case (_, "<a>"): return "2022"  // COMPARE FY <a> FY <b>
            case (_, "<b>"): return "2023"
            case (_, let choice) where choice.contains("|") && !choice.hasPrefix("<"):
                return String(choice.split(separator: "|")[0])  // budget|settled|personnel → budget
            case (nil, let word) where word.allSatisfy({ $0.isUppercase }):
                return word  // a literal word, like SDG in REPORT SDG
            default:
                throw UnknownPlaceholder(placeholder: placeholder, usage: usage)
            }
        }
        var arguments: [String] = []
        var words = usage.split(separator: " ").map(String.init).dropFirst()
        while let word = words.popFirst() {
            if word.hasPrefix("[") {
                let keyword = String(word.dropFirst())
                guard let placeholder = words.popFirst(), placeholder.hasSuffix("]") else {
                    throw UnknownPlaceholder(placeholder: word, usage: usage)
                }
                arguments += [keyword, try value(String(placeholder.dropLast()), keyword: keyword)]
            } else {
                arguments.append(try value(word, keyword: nil))
            }
        }
        return arguments
    }
}
