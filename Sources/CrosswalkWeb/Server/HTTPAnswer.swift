import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Responses with the headers every answer carries: a Content-Security-Policy that
/// allows nothing from outside (the pages need inline styles and nothing else).
enum HTTPAnswer {
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func response(_ status: HTTPResponse.Status, contentType: String, body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        response(status, contentType: "application/json; charset=utf-8", body: text)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        response(status, contentType: "text/html; charset=utf-8", body: text)
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        response(status, contentType: "text/plain; charset=utf-8", body: text + "\n")
    }

    /// 303 to a path on this server (never elsewhere: callers pass paths, not URLs).
    static func redirect(_ path: String, cookie: String? = nil) -> Response {
        var response = text("see \(path)", status: .seeOther)
        response.headers[.location] = path
        if let cookie { response.headers[.setCookie] = cookie }
        return response
    }

    /// `{"ok":false,"error":"ERR …"}`, the protocol's JSON error line.
    static func error(_ failure: AnswerFailure) -> Response {
        struct Body: Encodable { var ok = false; var error: String }
        let data = (try? JSONEncoder().encode(Body(error: failure.text))) ?? Data(#"{"ok":false}"#.utf8)
        return json(String(decoding: data, as: UTF8.self), status: status(failure.kind))
    }

    static func status(_ kind: AnswerFailure.Kind) -> HTTPResponse.Status {
        switch kind {
        case .badArgument: .badRequest
        case .notFound: .notFound
        case .unauthorized: .unauthorized
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }
}
