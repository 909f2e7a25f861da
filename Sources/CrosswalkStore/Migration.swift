/// One versioned file of `SQL/migrations/`: tables, types, indexes and reference data.
/// Applied once; its text never changes afterwards.
package struct Migration: Sendable, Equatable {
    package let version: Int
    package let name: String
    package let sql: String

    package init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The checksums of the texts this file had in earlier releases, named in the file as
    /// `-- previous checksum: <sha256>`: a database that recorded one of them has this
    /// migration applied already.
    package var previousChecksums: [String] {
        let marker = "-- previous checksum: "
        return sql.split(separator: "\n").compactMap { line in
            line.hasPrefix(marker) ? String(line.dropFirst(marker.count)) : nil
        }
    }

    /// Every file of `SQL/migrations/`, in version order (`0003_name.sql` is version 3).
    package static let embedded: [Migration] = SQLFile.files(in: "migrations").map { file in
        guard let version = file.name.split(separator: "_").first.flatMap({ Int($0) }) else {
            preconditionFailure("SQL/migrations/\(file.name): a migration's name starts with its version number")
        }
        return Migration(version: version, name: file.name, sql: file.text)
    }
}

/// One file of `SQL/functions/`: the one current text of some SQL functions
/// (`CREATE OR REPLACE`). Applied after the migrations, in name order, whenever its text
/// differs from the text last applied.
package struct Definition: Sendable, Equatable {
    package let name: String
    package let sql: String

    package init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }

    /// Every file of `SQL/functions/`, in name order.
    package static let embedded: [Definition] = SQLFile.files(in: "functions").map {
        Definition(name: $0.name, sql: $0.text)
    }
}
