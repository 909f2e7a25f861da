import CrosswalkModel
import Foundation

/// What the `source.conf` files of the source folders say about the documents below
/// them: the municipality they belong to. A file applies to its folder and every folder
/// under it; a nearer file overrides a farther one key by key, so a prefecture's root
/// can hold what all its cities share and each city's folder its own name.
///
/// ```
/// # /srv/crosswalk/documents/kitakyushu/source.conf
/// municipality = 北九州市
/// municipality-code = 401005
/// ```
struct SourceDeclarations {
    static let fileName = "source.conf"

    /// What applies to one document.
    struct Declaration: Equatable {
        var municipality: Municipality?
    }

    private let roots: [String]
    /// Parsed files by folder (nil: the folder has none); read once per sync.
    private var files: [String: Result<[KeyValueText.Line], DeclarationError>?] = [:]

    init(roots: [String]) {
        self.roots = roots
    }

    /// The declaration for the document at `path` (absolute, under one of the roots).
    mutating func declaration(for path: String) throws(DeclarationError) -> Declaration {
        guard let root = roots.filter({ path.hasPrefix($0 + "/") }).max(by: { $0.count < $1.count }) else {
            return Declaration()
        }
        // The folders from the root down to the document's own.
        var folders = [root]
        for component in path.dropFirst(root.count + 1).split(separator: "/").dropLast() {
            folders.append(folders.last! + "/" + component)
        }
        var values: [String: (value: String, place: String)] = [:]
        for folder in folders {
            for line in try lines(in: folder) {
                values[line.key] = (line.value, "\(folder)/\(Self.fileName):\(line.number)")
            }
        }
        return try Self.declaration(values)
    }

    private mutating func lines(in folder: String) throws(DeclarationError) -> [KeyValueText.Line] {
        if files[folder] == nil {
            files[folder] = .some(Self.read(folder))
        }
        switch files[folder]! {
        case nil: return []
        case .success(let lines)?: return lines
        case .failure(let error)?: throw error
        }
    }

    private static func read(_ folder: String) -> Result<[KeyValueText.Line], DeclarationError>? {
        let path = folder + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(DeclarationError("\(path): cannot be read"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(DeclarationError("\(path): not UTF-8 text"))
        }
        do {
            let lines = try KeyValueText.parse(text, file: path)
            for line in lines where !knownKeys.contains(line.key) {
                return .failure(DeclarationError("\(path):\(line.number): unknown key '\(line.key)'; known: \(knownKeys.joined(separator: ", "))"))
            }
            return .success(lines)
        } catch {
            return .failure(DeclarationError(error.description))
        }
    }

    static let knownKeys = ["municipality", "municipality-code"]

    private static func declaration(_ values: [String: (value: String, place: String)]) throws(DeclarationError) -> Declaration {
        var declaration = Declaration()
        let code = values["municipality-code"]
        if let code, code.value.wholeMatch(of: /[0-9]{6}/) == nil {
            throw DeclarationError("\(code.place): municipality-code must be the six-digit 全国地方公共団体コード (e.g. 401005), not '\(code.value)'")
        }
        if let name = values["municipality"] {
            guard !name.value.isEmpty else { throw DeclarationError("\(name.place): municipality is empty") }
            declaration.municipality = Municipality(name: name.value, code: code?.value)
        } else if let code {
            throw DeclarationError("\(code.place): municipality-code without a municipality name")
        }
        return declaration
    }
}

/// A `source.conf` that cannot be used, named `file:line`: the documents under it are
/// rejected with this reason (and keep what they held), never read with a guess.
struct DeclarationError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}
