/// The SQL this build carries, read from `SQL/` by the EmbedSQL build plugin
/// (`EmbeddedSQL.files`): the files there are the only copy.
enum SQLFile {
    /// The text of `SQL/<path>`, without trailing line breaks (as checksums have always
    /// been taken), or nil.
    static func text(_ path: String) -> String? {
        EmbeddedSQL.files.first { $0.path == path }.map { trimmed($0.text) }
    }

    /// `(file name, text)` of every file directly in `SQL/<folder>/`, in name order.
    static func files(in folder: String) -> [(name: String, text: String)] {
        EmbeddedSQL.files.compactMap { file in
            guard file.path.hasPrefix(folder + "/") else { return nil }
            let name = String(file.path.dropFirst(folder.count + 1))
            return name.contains("/") ? nil : (name, trimmed(file.text))
        }
    }

    private static func trimmed(_ text: String) -> String {
        var text = Substring(text)
        while text.last == "\n" { text = text.dropLast() }
        return String(text)
    }
}
