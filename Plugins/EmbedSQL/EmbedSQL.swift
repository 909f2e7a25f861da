import Foundation
import PackagePlugin

/// Embeds every `.sql` file under the package's `SQL/` folder into the target it is
/// applied to, as `EmbeddedSQL.files`: an installed binary carries its SQL without the
/// source tree, and the files stay the one copy a person reads and edits.
@main
struct EmbedSQL: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "SQL")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSQL.swift")
        return [
            .buildCommand(
                displayName: "Embedding SQL/ into \(target.name)",
                executable: try context.tool(named: "EmbedSQLTool").url,
                arguments: [folder.path, output.path],
                // Listed so that editing, adding or removing a file re-runs the tool.
                inputFiles: try sqlFiles(in: folder),
                outputFiles: [output])
        ]
    }

    private func sqlFiles(in folder: URL) throws -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "sql" }
    }
}
