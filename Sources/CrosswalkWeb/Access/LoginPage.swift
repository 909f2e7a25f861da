import CrosswalkAnalytics
import Foundation
import Hummingbird
import Logging

/// `/login` (the form, and its POST opening a session) and `/logout`.
struct LoginPage: Sendable {
    let password: WebPassword
    let sessions: LoginSessions

    func add(to router: Router<BasicRequestContext>) {
        router.get("/login") { request, _ in
            HTTPAnswer.html(Self.form(next: request.uri.queryParameters["next"].map(String.init) ?? "/", failed: false))
        }
        router.post("/login") { request, context -> Response in
            var request = request
            // A password form is small; anything larger is not one.
            let body = try await request.collectBody(upTo: 8192)
            let fields = Self.formFields(String(buffer: body))
            let next = Self.safeTarget(fields["next"])
            guard let given = fields["password"], password.accepts(given) else {
                context.logger.notice("web login refused")
                return HTTPAnswer.html(Self.form(next: next, failed: true), status: .unauthorized)
            }
            return HTTPAnswer.redirect(next, cookie: sessions.cookie(sessions.open()))
        }
        router.post("/logout") { request, _ -> Response in
            if let token = request.headers[values: .cookie].lazy.compactMap(LoginSessions.token(inCookieHeader:)).first {
                sessions.close(token)
            }
            return HTTPAnswer.redirect("/login", cookie: LoginSessions.expiredCookie)
        }
    }

    /// The page a request was for, to return to after logging in.
    static func target(_ request: Request) -> String {
        request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
    }

    /// Only a path on this server: `//evil.example` or `https://…` would send the reader away.
    static func safeTarget(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\") else { return "/" }
        return text
    }

    /// `application/x-www-form-urlencoded` fields (`+` is a space).
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func form(next: String, failed: Bool) -> String {
        let e = HTMLEscape.escape
        var body = failed ? "<p class=\"error\">パスワードが違います。</p>\n" : ""
        body += """
            <form class="select" method="post" action="/login">
            <input type="hidden" name="next" value="\(e(safeTarget(next)))">
            <label>パスワード <input type="password" name="password" autocomplete="current-password" required autofocus></label>
            <button type="submit">ログイン</button>
            </form>\n
            """
        return HTMLReport().page(title: "ログイン", body: body, footer: "crosswalk")
    }
}
