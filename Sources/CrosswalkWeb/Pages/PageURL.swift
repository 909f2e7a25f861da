import Foundation

/// Stable page addresses: a path and the query parameters that are set, in a fixed order,
/// percent-encoded, so a link to "SDG 13, FY2023" reads the same wherever it is built.
enum PageURL {
    static func make(_ path: String, _ parameters: [(String, String?)]) -> String {
        let pairs = parameters.compactMap { name, value in value.map { "\(name)=\(encode($0))" } }
        return pairs.isEmpty ? path : path + "?" + pairs.joined(separator: "&")
    }

    /// A query value or path segment: everything but unreserved characters escaped.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
