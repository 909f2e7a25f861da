import Hummingbird
package import Logging
import NIOCore
package import ServiceLifecycle
import Synchronization

/// `crosswalk serve --http-port N`: the pages and `/api` on Hummingbird, answered by the
/// daemon's commands. A Service in the daemon's group; `start()` runs it alone for tests.
package final class WebServer: Service, Sendable {
    package let host: String
    let requestedPort: Int
    let answers: any CommandAnswering
    /// nil: no password, the pages and API are open (as the protocol is without one).
    let password: WebPassword?
    let sessions = LoginSessions()
    /// The Prometheus page served at `/metrics` (the same as on `metrics-port`).
    let metrics: (@Sendable () async -> String)?
    let logger: Logger
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>], group: ServiceGroup?, task: Task<Void, any Error>?)>(
        (nil, [], nil, nil))

    package init(
        host: String, port: Int, answers: any CommandAnswering, password: WebPassword? = nil,
        metrics: (@Sendable () async -> String)? = nil, logger: Logger
    ) {
        self.metrics = metrics
        self.host = host
        self.requestedPort = port
        self.answers = answers
        self.password = password
        self.logger = logger
    }

    package func run() async throws {
        try await application().run()
    }

    /// The bound port, once the server listens (the requested one, or the one the system
    /// chose for port 0).
    package func boundPort() async -> Int {
        await withCheckedContinuation { continuation in
            let port = state.withLock { state -> Int? in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }

    /// For tests: serve until `shutdown()`; returns the bound port.
    package func start() async throws -> Int {
        let group = ServiceGroup(configuration: .init(services: [self], logger: logger))
        let task = Task { try await group.run() }
        state.withLock { $0.group = group; $0.task = task }
        return await boundPort()
    }

    package func shutdown() async {
        let (group, task) = state.withLock { ($0.group, $0.task) }
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: ErrorPages())
        if let password {
            router.add(middleware: PasswordGate(password: password, sessions: sessions))
            LoginPage(password: password, sessions: sessions).add(to: router)
        }
        APIRouter.add(to: router, answers: answers)
        if let metrics {
            router.get("/metrics") { _, _ in
                HTTPAnswer.response(.ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: await metrics())
            }
        }
        PageRouter(answers: answers, loggedIn: password != nil).add(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: requestedPort), serverName: nil),
            onServerRunning: { [weak self] channel in self?.listening(on: channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    private func listening(on port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        logger.info("web listening", metadata: ["address": "http://\(host):\(port)/"])
        for waiter in waiters { waiter.resume(returning: port) }
    }
}

/// Unknown paths and methods, and anything a handler did not expect, answered with the
/// same headers as every page (the router's own error responses carry none).
struct ErrorPages: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let text = error.status == .notFound ? "not found: \(request.uri.path)" : error.status.reasonPhrase
            return HTTPAnswer.text(text, status: error.status)
        } catch {
            context.logger.error("web request failed", metadata: ["error": "\(error)"])
            return HTTPAnswer.text("internal error", status: .internalServerError)
        }
    }
}
