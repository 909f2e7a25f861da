import CLibPQ

/// Reads a connection string the way libpq does, to describe it without secrets.
package enum ConnectionString {
    /// `host=db.example port=5432 dbname=crosswalk user=app` — never the password.
    /// Throws when libpq cannot parse the string (the message says what is wrong).
    package static func describe(_ conninfo: String) throws -> String {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "not a connection string"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(kind: .connection, message: "invalid database setting: \(withoutQuotedText(reason))")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        let host = values["host"] ?? values["hostaddr"] ?? environment("PGHOST") ?? "local socket"
        let port = values["port"] ?? environment("PGPORT") ?? "5432"
        var parts = ["host=\(host)", "port=\(port)"]
        if let dbname = values["dbname"] ?? environment("PGDATABASE") { parts.append("dbname=\(dbname)") }
        if let user = values["user"] ?? environment("PGUSER") { parts.append("user=\(user)") }
        return parts.joined(separator: " ")
    }

    /// libpq quotes the string it could not parse, password and all: keep the reason only.
    static func withoutQuotedText(_ reason: String) -> String {
        reason.replacing(/"[^"]*"/, with: "\"…\"")
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

import Foundation
