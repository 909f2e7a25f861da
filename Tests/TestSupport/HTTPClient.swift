import Foundation

package struct HTTPResponse {
    package var status: Int
    /// Lower-cased names.
    package var headers: [String: String]
    package var body: String
}

package struct HTTPFormatError: Error, CustomStringConvertible {
    package var description: String
}

/// Reads one response: status line, headers, then exactly `content-length` bytes of body.
package func readResponse(_ client: TestClient, bodyExpected: Bool = true) async throws -> HTTPResponse {
    let statusLine = try await client.readLine()
    let parts = statusLine.split(separator: " ", maxSplits: 2)
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
        throw HTTPFormatError(description: "bad status line: \(statusLine)")
    }
    var headers: [String: String] = [:]
    while true {
        let line = try await client.readLine()
        if line.isEmpty { break }
        guard let colon = line.firstIndex(of: ":") else { throw HTTPFormatError(description: "bad header: \(line)") }
        let name = line[..<colon].lowercased()
        guard headers[name] == nil else { throw HTTPFormatError(description: "repeated header: \(name)") }
        headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    guard let length = headers["content-length"].flatMap({ Int($0) }) else {
        throw HTTPFormatError(description: "no content-length")
    }
    let body = bodyExpected ? try await client.read(count: length) : []
    return HTTPResponse(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
}

/// One `GET` on a fresh connection that asks to be closed afterwards.
package func get(port: Int, _ path: String) async throws -> HTTPResponse {
    let client = try await TestClient.connect(port: port)
    try await client.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    let response = try await readResponse(client)
    await client.close()
    return response
}
