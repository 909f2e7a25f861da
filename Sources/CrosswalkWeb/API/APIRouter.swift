import Foundation
import Hummingbird
import Logging

/// Adds `GET /api/…` (one handler per `APIRoute`) and `/healthz` to a router.
enum APIRouter {
    static func add(to router: Router<BasicRequestContext>, answers: any CommandAnswering) {
        for route in APIRoute.all {
            router.get(RouterPath(route.path)) { request, context -> Response in
                let query = APIQuery(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
                let parameter = route.parameter.flatMap { context.parameters.get($0) }.map(PathText.decoded)
                do throws(AnswerFailure) {
                    let arguments = try route.arguments(parameter: parameter, query: query)
                    switch await answers.answer(route.command, arguments) {
                    case .json(let text): return HTTPAnswer.json(text)
                    case .failure(let failure): return HTTPAnswer.error(failure)
                    }
                } catch {
                    return HTTPAnswer.error(error)
                }
            }
        }
        router.get("/healthz") { _, _ -> Response in
            // HEALTH's answer: OK, or why the database cannot be reached.
            switch await answers.answer("HEALTH", []) {
            case .json: return HTTPAnswer.text("OK")
            case .failure(let failure): return HTTPAnswer.text(failure.text, status: .serviceUnavailable)
            }
        }
    }
}

/// A path segment as the client meant it: `KitaQ%20DX` → `KitaQ DX`.
enum PathText {
    static func decoded(_ segment: String) -> String {
        segment.removingPercentEncoding ?? segment
    }
}
