import Foundation
import Synchronization

/// Sessions opened by the login form: random tokens held in memory only (a restart logs
/// everyone out, which is fine for a read-only page), each valid for `lifetime`.
final class LoginSessions: Sendable {
    static let cookieName = "crosswalk_session"
    let lifetime: Duration
    private let tokens = Mutex<[String: ContinuousClock.Instant]>([:])

    init(lifetime: Duration = .seconds(12 * 3600)) {
        self.lifetime = lifetime
    }

    /// A new session's token: 256 random bits, hex.
    func open() -> String {
        var generator = SystemRandomNumberGenerator()
        let token = (0..<4).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(to: 16) }.joined()
        let expiry = ContinuousClock.now + lifetime
        tokens.withLock { tokens in
            let now = ContinuousClock.now
            tokens = tokens.filter { $0.value > now }
            tokens[token] = expiry
        }
        return token
    }

    func isOpen(_ token: String) -> Bool {
        tokens.withLock { tokens in
            guard let expiry = tokens[token] else { return false }
            return expiry > ContinuousClock.now
        }
    }

    func close(_ token: String) {
        _ = tokens.withLock { $0.removeValue(forKey: token) }
    }

    /// `Set-Cookie` for a session: HttpOnly (no script can read it), SameSite=Strict (no
    /// other site's link or form carries it).
    func cookie(_ token: String) -> String {
        "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(lifetime.components.seconds)"
    }

    static let expiredCookie = "\(cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"

    /// The session token in a `Cookie` header, if any.
    static func token(inCookieHeader header: String) -> String? {
        for pair in header.split(separator: ";") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == cookieName { return String(parts[1]) }
        }
        return nil
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
