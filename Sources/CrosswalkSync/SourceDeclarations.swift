import CrosswalkModel
import Foundation
import TableLayouts

/// What the `source.conf` files of the source folders say about the documents below
/// them: the municipality they belong to, and the layout of their CSV and Excel tables.
/// A file applies to its folder and every folder
/// under it; a nearer file overrides a farther one key by key, so a prefecture's root
/// can hold what all its cities share and each city's folder its own name.
///
/// ```
/// # /srv/crosswalk/documents/kitakyushu/source.conf
/// municipality = 北九州市
/// municipality-code = 401005
/// layout = hyoka.layout        # a path relative to this folder; docs/LAYOUTS.md
/// ```
struct SourceDeclarations {
    static let fileName = "source.conf"

    /// What applies to one document.
    struct Declaration: Sendable {
        var municipality: Municipality?
        var layout: DeclaredLayout?
    }

    /// A layout file, read once: the parsed layout and its text, which is part of a table
    /// document's version (a changed layout re-reads the tables it applies to).
    struct DeclaredLayout: Sendable {
        var layout: TableLayout
        var text: String
    }

    private let roots: [String]
    /// Parsed files by folder (nil: the folder has none); read once per sync.
    private var files: [String: Result<[KeyValueText.Line], DeclarationError>?] = [:]
    /// Layout files by path; read once per sync.
    private var layouts: [String: Result<DeclaredLayout, DeclarationError>] = [:]

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
        var values: [String: Value] = [:]
        for folder in folders {
            for line in try lines(in: folder) {
                values[line.key] = Value(text: line.value, folder: folder, place: "\(folder)/\(Self.fileName):\(line.number)")
            }
        }
        var declaration = try Self.declaration(values)
        if let layout = values["layout"] {
            declaration.layout = try self.layout(layout)
        }
        return declaration
    }

    /// A key's value and where it was written.
    private struct Value {
        var text: String
        var folder: String
        var place: String
    }

    private mutating func layout(_ value: Value) throws(DeclarationError) -> DeclaredLayout {
        let path = value.text.hasPrefix("/") ? value.text : value.folder + "/" + value.text
        if layouts[path] == nil {
            layouts[path] = Result { () throws(DeclarationError) in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw DeclarationError("\(value.place): layout file \(path) cannot be read")
                }
                do throws(LayoutError) {
                    let bytes = [UInt8](data)
                    return DeclaredLayout(layout: try TableReader.layout(bytes: bytes, file: path), text: String(decoding: bytes, as: UTF8.self))
                } catch {
                    throw DeclarationError(error.description)
                }
            }
        }
        return try layouts[path]!.get()
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

    static let knownKeys = ["municipality", "municipality-code", "layout"]

    private static func declaration(_ values: [String: Value]) throws(DeclarationError) -> Declaration {
        var declaration = Declaration()
        let code = values["municipality-code"]
        if let code, code.text.wholeMatch(of: /[0-9]{6}/) == nil {
            throw DeclarationError("\(code.place): municipality-code must be the six-digit 全国地方公共団体コード (e.g. 401005), not '\(code.text)'")
        }
        if let name = values["municipality"] {
            guard !name.text.isEmpty else { throw DeclarationError("\(name.place): municipality is empty") }
            declaration.municipality = Municipality(name: name.text, code: code?.text)
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
