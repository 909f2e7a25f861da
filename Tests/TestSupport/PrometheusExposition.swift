import Foundation

// MARK: - A strict reader of the text exposition format 0.0.4

/// What a Prometheus server would read from a page, refusing anything the format does not allow,
/// plus two rules of our own: every sample's family has HELP and TYPE before it, and a
/// family's lines are contiguous.
package struct Exposition {
    package struct Family {
        package var name: String
        package var type = ""
        package var help = ""
        package var hasHelp = false
        package var hasType = false
        package var samples: [Sample] = []
    }

    package struct Sample: Equatable {
        package var labels: [String: String]
        package var value: Double
    }

    package struct ParseError: Error, CustomStringConvertible {
        package var line: Int
        package var message: String
        package var text: String
        package var description: String { "line \(line): \(message): \(text)" }
    }

    package private(set) var families: [Family] = []

    package func family(_ name: String) -> Family? { families.first { $0.name == name } }

    package func value(_ name: String, _ labels: [String: String]) -> Double? {
        family(name)?.samples.first { $0.labels == labels }?.value
    }

    package static func parse(_ text: String) throws -> Exposition {
        var page = Exposition()
        guard text.isEmpty || text.utf8.last == UInt8(ascii: "\n") else {
            throw ParseError(line: 0, message: "the last line is not terminated", text: "")
        }
        // Split on the byte, as Prometheus does (a Character split would keep "\r\n" together).
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        for (index, bytes) in lines.enumerated() {
            let line = String(decoding: bytes, as: UTF8.self)
            do {
                try page.read(line)
            } catch let refusal as Refusal {
                throw ParseError(line: index + 1, message: refusal.message, text: line)
            }
        }
        return page
    }

    private mutating func read(_ line: String) throws {
        if line.isEmpty { return }
        if line.utf8.contains(UInt8(ascii: "\r")) { throw Refusal("carriage return in line") }
        if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
            let isHelp = line.hasPrefix("# HELP ")
            var rest = line.unicodeScalars.dropFirst(7)
            let name = takeName(&rest, colon: true)
            guard isValidName(name, colon: true) else { throw Refusal("invalid metric name '\(name)'") }
            guard rest.isEmpty || rest.popFirst() == " " else { throw Refusal("no space after \(name)") }
            let argument = String(rest)
            var family = try currentFamily(named: name)
            if !family.samples.isEmpty { throw Refusal("HELP or TYPE after the family's samples") }
            if isHelp {
                if family.hasHelp { throw Refusal("second HELP for \(name)") }
                family.help = try unescapeHelp(argument)
                family.hasHelp = true
            } else {
                if family.hasType { throw Refusal("second TYPE for \(name)") }
                guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(argument) else {
                    throw Refusal("unknown type '\(argument)'")
                }
                family.type = argument
                family.hasType = true
            }
            families[families.count - 1] = family
            return
        }
        if line.hasPrefix("#") { return }  // a plain comment

        var rest = line.unicodeScalars[...]
        let name = takeName(&rest, colon: true)
        guard isValidName(name, colon: true) else { throw Refusal("invalid metric name '\(name)'") }
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            labels = try readLabels(&rest)
        }
        guard rest.popFirst() == " " else { throw Refusal("no space before the value") }
        let fields = String(rest).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 1 || (fields.count == 2 && Int64(fields[1]) != nil) else {
            throw Refusal("expected a value and an optional timestamp")
        }
        let value = try number(String(fields[0]))

        guard var family = families.last, family.name == name else {
            throw Refusal("sample outside its family \(name)")
        }
        guard family.hasHelp, family.hasType else { throw Refusal("sample before HELP and TYPE of \(name)") }
        if family.type == "counter", !(value >= 0) { throw Refusal("counter value \(value)") }
        if family.samples.contains(where: { $0.labels == labels }) { throw Refusal("repeated series") }
        family.samples.append(Sample(labels: labels, value: value))
        families[families.count - 1] = family
    }

    /// The family being read, started here if the name is new; a name seen before must be the latest family.
    private mutating func currentFamily(named name: String) throws -> Family {
        if let last = families.last, last.name == name { return last }
        if families.contains(where: { $0.name == name }) { throw Refusal("family \(name) is not contiguous") }
        families.append(Family(name: name))
        return families[families.count - 1]
    }

    /// `name="value",…}`, with the opening brace already read.
    package func readLabels(_ rest: inout Substring.UnicodeScalarView) throws -> [String: String] {
        var labels: [String: String] = [:]
        while true {
            if rest.first == "}" {
                rest = rest.dropFirst()
                return labels
            }
            let name = takeName(&rest, colon: false)
            guard isValidName(name, colon: false) else { throw Refusal("invalid label name '\(name)'") }
            guard rest.popFirst() == "=", rest.popFirst() == "\"" else { throw Refusal("expected =\" after \(name)") }
            var value = String.UnicodeScalarView()
            while true {
                guard let c = rest.popFirst() else { throw Refusal("unterminated label value") }
                if c == "\"" { break }
                guard c == "\\" else {
                    value.append(c)
                    continue
                }
                switch rest.popFirst() {
                case "\\": value.append("\\")
                case "\"": value.append("\"")
                case "n": value.append("\n")
                case let other: throw Refusal("invalid escape \\\(other.map(String.init) ?? "") in a label value")
                }
            }
            guard labels[name] == nil else { throw Refusal("repeated label \(name)") }
            labels[name] = String(value)
            if rest.first == "," {
                rest = rest.dropFirst()
            } else if rest.first != "}" {
                throw Refusal("expected , or }")
            }
        }
    }

    /// HELP text escapes only `\\` and `\n`; any other escape is an error.
    package func unescapeHelp(_ text: String) throws -> String {
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        while let c = scalars.popFirst() {
            guard c == "\\" else {
                out.append(c)
                continue
            }
            switch scalars.popFirst() {
            case "\\": out.append("\\")
            case "n": out.append("\n")
            case let other: throw Refusal("invalid escape \\\(other.map(String.init) ?? "") in HELP")
            }
        }
        return String(out)
    }

    /// Takes the longest run of name characters (letters, digits, `_`, and `:` for metric names).
    package func takeName(_ rest: inout Substring.UnicodeScalarView, colon: Bool) -> String {
        let name = rest.prefix { isNameScalar($0, colon: colon) || isDigit($0) }
        rest = rest.dropFirst(name.count)
        return String(name)
    }

    package func isValidName(_ name: String, colon: Bool) -> Bool {
        guard let first = name.unicodeScalars.first, isNameScalar(first, colon: colon) else { return false }
        return name.unicodeScalars.allSatisfy { isNameScalar($0, colon: colon) || isDigit($0) }
    }

    package func isNameScalar(_ c: Unicode.Scalar, colon: Bool) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || (colon && c == ":")
    }

    package func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    package func number(_ text: String) throws -> Double {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard text.allSatisfy({ "0123456789.eE+-".contains($0) }), let value = Double(text) else {
                throw Refusal("not a number: '\(text)'")
            }
            return value
        }
    }
}

/// Why a line was refused (carried to `Exposition.ParseError` with its line number).
struct Refusal: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
