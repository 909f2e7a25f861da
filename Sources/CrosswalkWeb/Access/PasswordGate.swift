import Foundation
import HTTPTypes
import Hummingbird

/// With a password set, every page and route but `/healthz` and `/login` needs a session
/// cookie from the login form or `Authorization: Bearer <password>` (for API clients).
/// Pages without either go to the login form; the API answers 401 with the protocol's
/// NOAUTH text.
struct PasswordGate: RouterMiddleware {
    typealias Context = BasicRequestContext
    let password: WebPassword
    let sessions: LoginSessions
    static let open: Set<String> = ["/healthz", "/login"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.open.contains(request.uri.path) || isAuthenticated(request) {
            return try await next(request, context)
        }
        if request.uri.path.hasPrefix("/api/") {
            var response = HTTPAnswer.error(AnswerFailure(.unauthorized, "NOAUTH Authentication required."))
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return HTTPAnswer.redirect(PageURL.make("/login", [("next", LoginPage.target(request))]))
    }

    func isAuthenticated(_ request: Request) -> Bool {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return password.accepts(String(header.dropFirst("Bearer ".count)))
        }
        let token = request.headers[values: .cookie].lazy.compactMap(LoginSessions.token(inCookieHeader:)).first
        return token.map(sessions.isOpen) ?? false
    }
}
