import Foundation
import TestSupport

/// One HTTP/1.1 request over a plain socket (`Connection: close`), and its response.
struct HTTPGet {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: String

    static func fetch(port: Int, _ target: String, method: String = "GET", headers extra: [String] = [], body sent: String? = nil) async throws -> HTTPGet {
        let client = try await TestClient.connect(port: port, timeout: .seconds(60))
        do {
            var lines = ["\(method) \(target) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: close"] + extra
            if let sent { lines += ["Content-Type: application/x-www-form-urlencoded", "Content-Length: \(sent.utf8.count)"] }
            try await client.send(lines.joined(separator: "\r\n") + "\r\n\r\n" + (sent ?? ""))
            let statusLine = try await client.readLine()
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw TestTimeout(what: "a status line, got \(statusLine)") }
            var headers: [String: String] = [:]
            while case let line = try await client.readLine(), !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let body: String
            if method == "HEAD" {
                body = ""
            } else if let length = headers["content-length"].flatMap(Int.init) {
                body = String(decoding: try await client.read(count: length), as: UTF8.self)
            } else {
                body = try await client.readUntilClosed()
            }
            await client.close()
            return HTTPGet(status: status, headers: headers, body: body)
        } catch {
            await client.close()
            throw error
        }
    }

    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// A path segment or query value percent-encoded (Japanese names, spaces, `&`).
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }
}
