import NIOConcurrencyHelpers

/// Slows password guessing across connections. Each client address gets a few free failed
/// `AUTH` attempts; after that it is locked out for a while that doubles with each further
/// failure (up to `maxLockout`), and an attempt during the lockout is refused without the
/// token being compared. A success, or a quiet `forgetAfter`, clears the address.
///
/// Over all addresses, past `maxTotalFailuresPerMinute` failures, an address that has
/// failed recently is refused too, so spreading the guesses over many addresses does not
/// multiply the rate. An address that has not failed is never refused: an attacker
/// elsewhere cannot lock the rightful user out, and one on the same address for at most
/// `maxLockout` after the last failure.
package final class AuthThrottle: Sendable {
    package struct Settings: Sendable, Equatable {
        /// Failures an address may make before it is locked out. Generous, because one
        /// wrong password in a client library is several attempts (redis-py retries, and
        /// falls back from `HELLO … AUTH` to `AUTH`).
        package var freeFailures = 20
        /// The first lockout; each further failure doubles it.
        package var firstLockout = Duration.seconds(1)
        package var maxLockout = Duration.seconds(30)
        /// After this long without a failure an address starts afresh.
        package var forgetAfter = Duration.seconds(600)
        /// Failures from all addresses in the last minute beyond which addresses that have
        /// failed are refused until the minute has passed.
        package var maxTotalFailuresPerMinute = 120

        package init() {}
    }

    /// Whether an attempt may be checked.
    package enum Admission: Sendable, Equatable {
        case allowed
        /// Refused; try again after this many seconds (rounded up).
        case refused(retryAfterSeconds: Int)
    }

    private struct Address {
        var failures = 0
        var lastFailure: ContinuousClock.Instant
        var lockedUntil: ContinuousClock.Instant?
    }

    private struct State {
        var addresses: [String: Address] = [:]
        /// Failure times over all addresses in the last minute, oldest first.
        var recentFailures: [ContinuousClock.Instant] = []

        mutating func forgetOld(now: ContinuousClock.Instant, settings: Settings) {
            let minuteAgo = now - .seconds(60)
            if let index = recentFailures.firstIndex(where: { $0 > minuteAgo }) {
                recentFailures.removeFirst(index)
            } else {
                recentFailures.removeAll()
            }
            if let oldest = addresses.values.lazy.map(\.lastFailure).min(), now - oldest > settings.forgetAfter {
                addresses = addresses.filter { now - $0.value.lastFailure <= settings.forgetAfter }
            }
        }

        mutating func forgetOldest() {
            let newestFirst = addresses.sorted { $0.value.lastFailure > $1.value.lastFailure }
            addresses = Dictionary(uniqueKeysWithValues: newestFirst.prefix(addresses.count / 2).map { ($0.key, $0.value) })
        }
    }

    private let settings: Settings
    private let state = NIOLockedValueBox(State())
    /// Addresses tracked at most; past it the oldest quiet ones are forgotten first.
    private let maxAddresses = 100_000

    package init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Asks, before a token is compared, whether `address` may try now.
    package func admit(_ address: String?, now: ContinuousClock.Instant = .now) -> Admission {
        let address = address ?? "?"
        return state.withLockedValue { state in
            state.forgetOld(now: now, settings: settings)
            guard let entry = state.addresses[address] else { return .allowed }
            if let until = entry.lockedUntil, until > now { return .refused(retryAfterSeconds: Self.seconds(until - now)) }
            if state.recentFailures.count >= settings.maxTotalFailuresPerMinute, let oldest = state.recentFailures.first {
                return .refused(retryAfterSeconds: Self.seconds(oldest + .seconds(60) - now))
            }
            return .allowed
        }
    }

    /// Records what a checked attempt from `address` did.
    package func record(_ address: String?, succeeded: Bool, now: ContinuousClock.Instant = .now) {
        let address = address ?? "?"
        state.withLockedValue { state in
            guard !succeeded else {
                state.addresses[address] = nil
                return
            }
            var entry = state.addresses[address] ?? Address(lastFailure: now)
            entry.failures += 1
            entry.lastFailure = now
            let beyond = entry.failures - settings.freeFailures
            if beyond >= 0 {
                let lockout = settings.firstLockout * (1 << min(beyond, 20))
                entry.lockedUntil = now + min(lockout, settings.maxLockout)
            }
            state.addresses[address] = entry
            state.recentFailures.append(now)
            // Only the newest `maxTotalFailuresPerMinute` matter: their count and the oldest's time.
            let excess = state.recentFailures.count - settings.maxTotalFailuresPerMinute
            if excess > 0 { state.recentFailures.removeFirst(excess) }
            if state.addresses.count > maxAddresses { state.forgetOldest() }
        }
    }

    private static func seconds(_ duration: Duration) -> Int {
        let (whole, fraction) = duration.components
        return max(1, Int(whole) + (fraction > 0 ? 1 : 0))
    }
}
