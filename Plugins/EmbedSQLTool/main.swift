import Foundation

// embed-sql SQL-FOLDER OUTPUT.swift
//
// Writes every .sql file under SQL-FOLDER, by its path relative to that folder and in
// path order, into one Swift file as `EmbeddedSQL.files`. Each text is a raw string
// literal whose fence never occurs in it, so the embedded text is the file's text.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else { fail("usage: EmbedSQLTool SQL-FOLDER OUTPUT.swift") }
let folder = URL(fileURLWithPath: arguments[1]).standardizedFileURL
let output = URL(fileURLWithPath: arguments[2])

guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
    fail("cannot read \(folder.path)")
}
let prefix = folder.path + "/"
let paths = walker.compactMap { $0 as? URL }
    .filter { $0.pathExtension == "sql" }
    .map { String($0.standardizedFileURL.path.dropFirst(prefix.count)) }
    .sorted()

var swift = """
    // Generated at build time by the EmbedSQL plugin from SQL/. Edit the .sql files, not this.

    enum EmbeddedSQL {
        /// Every .sql file under SQL/, by path relative to SQL/, in path order.
        static let files: [(path: String, text: String)] = [

    """
for path in paths {
    guard let data = FileManager.default.contents(atPath: prefix + path) else { fail("cannot read SQL/\(path)") }
    guard let text = String(data: data, encoding: .utf8) else { fail("SQL/\(path) is not UTF-8") }
    // Swift folds CR LF in a literal to LF: the embedded text would differ from the file.
    guard !text.contains("\r") else { fail("SQL/\(path) has CR line endings; use LF") }
    var fence = "#"
    while text.contains("\"\"\"" + fence) || text.contains("\\" + fence) { fence += "#" }
    swift += "        (\"\(path)\", \(fence)\"\"\"\n\(text)\n\"\"\"\(fence)),\n"
}
swift += "    ]\n}\n"

do {
    try swift.write(to: output, atomically: true, encoding: .utf8)
} catch {
    fail("cannot write \(output.path): \(error)")
}
