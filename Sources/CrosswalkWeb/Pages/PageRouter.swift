import CrosswalkAnalytics
import Foundation
import Hummingbird
import Postgres

/// The pages: each asks one protocol command, lays the answer out with the report's
/// layouts (or `JSONDocument` where the report has none), and renders it in `PageShell`.
struct PageRouter: Sendable {
    let answers: any CommandAnswering
    /// Pages behind the login form show a logout button.
    var loggedIn = false

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in await page(request, path: "/", counting: true) { selection in
            let answer = try await ask("REPORT", ["SDG"] + selection.arguments(["FY", "MODE", "AMOUNT", "MUNI"]))
            let document = try Report.decode(PostgresJSON(text: answer), kind: .sdg).document
            return (document.title, countingSwitch(selection) + template(selection).body(document))
        } }
        router.get("/duplicates") { request, _ in await page(request, path: "/duplicates") { selection in
            try await report("DUPLICATES", selection.arguments(["FY", "AMOUNT", "MUNI"]), kind: .duplicates, selection)
        } }
        router.get("/conflicts") { request, _ in await page(request, path: "/conflicts") { selection in
            try await report("CONFLICTS", selection.arguments(["FY", "MUNI"]), kind: .conflicts, selection)
        } }
        router.get("/similar") { request, _ in await page(request, path: "/similar") { selection in
            let answer = try await ask("SIMILAR", selection.arguments(["FY", "MUNI"]))
            return generic("似ている事業（重複の可能性、統合はしません）", answer, selection)
        } }
        router.get("/indicators") { request, _ in await page(request, path: "/indicators") { selection in
            let answer = try await ask("INDICATORS", selection.arguments(["FY", "MUNI"]))
            return generic("成果指標の進み具合", answer, selection)
        } }
        router.get("/review") { request, _ in await page(request, path: "/review") { selection in
            try await report("REVIEW", ["SDG"] + selection.arguments(["FY", "MUNI"]), kind: .review, selection)
        } }
        router.get("/policy/:code") { request, context in await page(request, path: request.uri.path) { selection in
            let code = PathText.decoded(context.parameters.get("code") ?? "")
            return try await report("POLICY", [code] + selection.arguments(["MUNI"]), kind: .policy, detail: true, selection)
        } }
        router.get("/sdg/:goal") { request, context in await page(request, path: request.uri.path) { selection in
            let goal = PathText.decoded(context.parameters.get("goal") ?? "")
            let answer = try await ask("SDG", [goal] + selection.arguments(["FY", "MUNI"]))
            return generic("SDG \(goal) に貢献する事業", answer, selection)
        } }
        router.get("/program/:program") { request, context in await page(request, path: request.uri.path) { selection in
            let program = PathText.decoded(context.parameters.get("program") ?? "")
            let answer = try await ask("PROGRAM", [program] + selection.arguments(["MUNI"]))
            return generic("事業: \(JSONDocument.name(answer) ?? program)", answer, selection)
        } }
        router.get("/compare") { request, _ in await page(request, path: "/compare") { selection in
            let query = CompareQuery(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
            guard let arguments = query.arguments else { return ("前年度との比較", query.form(selection)) }
            let answer = try await ask("COMPARE", arguments + selection.arguments(["MUNI"]))
            let document = try Report.decode(PostgresJSON(text: answer), kind: .compare).document
            return (document.title, query.form(selection) + template(selection).body(document))
        } }
        router.get("/search") { request, _ in await page(request, path: "/search") { selection in
            let text = request.uri.queryParameters["q"].map(String.init) ?? ""
            let form = SearchForm.html(text: text, selection: selection)
            guard !text.isEmpty else { return ("事業の検索", form) }
            let answer = try await ask("SEARCH", [text] + selection.arguments(["MUNI"]))
            let (_, body) = generic("", answer, selection)
            return ("「\(text)」の検索結果", form + body)
        } }
    }

    /// One page: the selection from the query, the body from `content`, the frame around
    /// it; a failed answer becomes an error page with its HTTP status.
    private func page(
        _ request: Request, path: String, counting: Bool = false,
        content: (PageSelection) async throws -> (title: String, body: String)
    ) async -> Response {
        let selection = PageSelection(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
        let municipalities: PageShell.Municipalities? =
            if case .json(let text) = await answers.answer("MUNICIPALITIES", []) {
                try? JSONDecoder().decode(PageShell.Municipalities.self, from: Data(text.utf8))
            } else { nil }
        let shell = PageShell(path: path, selection: selection, municipalities: municipalities, lastSync: await SyncLine.latest(answers), counting: counting,
            loggedIn: loggedIn)
        do {
            let (title, body) = try await content(selection)
            return HTTPAnswer.html(shell.render(title: title, body: body, template: template(selection)))
        } catch let failure as AnswerFailure {
            let body = "<p class=\"error\">\(HTMLEscape.escape(failure.text))</p>\n"
            return HTTPAnswer.html(shell.render(title: "表示できません", body: body, template: template(selection)), status: HTTPAnswer.status(failure.kind))
        } catch {
            // An answer that does not decode: the server's fault, never the reader's.
            let body = "<p class=\"error\">internal error</p>\n"
            return HTTPAnswer.html(shell.render(title: "表示できません", body: body, template: template(selection)), status: .internalServerError)
        }
    }

    private func ask(_ command: String, _ arguments: [String]) async throws -> String {
        switch await answers.answer(command, arguments) {
        case .json(let text): return text
        case .failure(let failure): throw failure
        }
    }

    private func report(
        _ command: String, _ arguments: [String], kind: ReportRequest.Kind, detail: Bool = false, _ selection: PageSelection
    ) async throws -> (String, String) {
        let document = try Report.decode(PostgresJSON(text: try await ask(command, arguments)), kind: kind, detail: detail).document
        return (document.title, template(selection).body(document))
    }

    private func generic(_ title: String, _ answer: String, _ selection: PageSelection) -> (String, String) {
        let document = JSONDocument.document(title: title, json: answer)
        return (title, template(selection).body(document))
    }

    /// The report template with links to the goal and program pages, keeping the selection.
    private func template(_ selection: PageSelection) -> HTMLReport {
        var template = HTMLReport()
        template.links = ReportLinks(
            goal: { PageURL.make("/sdg/\($0)", selection.query()) },
            program: { PageURL.make("/program/\($0)", [("muni", selection.municipality)]) })
        return template
    }

    /// Links switching the SDG page between gross and split, and between the amounts.
    private func countingSwitch(_ selection: PageSelection) -> String {
        func links(_ label: String, _ choices: [(String, String)], current: String, set: (inout PageSelection, String) -> Void) -> String {
            var out = "<p class=\"switch\"><span>\(HTMLEscape.escape(label))</span>"
            for (value, text) in choices {
                var target = selection
                set(&target, value)
                let mark = value == current ? " aria-current=\"true\"" : ""
                out += "<a href=\"\(HTMLEscape.escape(PageURL.make("/", target.query(counting: true))))\"\(mark)>\(HTMLEscape.escape(text))</a>"
            }
            return out + "</p>\n"
        }
        return links("集計", [("gross", "総額（各ゴールに全額）"), ("split", "按分（ゴール数で等分）")],
                     current: selection.mode?.lowercased() ?? "gross") { $0.mode = $1 }
            + links("金額", [("budget", "予算額"), ("settled", "決算額"), ("personnel", "人件費")],
                    current: selection.amount?.lowercased() ?? "settled") { $0.amount = $1 }
    }
}

/// The search box, filled with the text searched for.
enum SearchForm {
    static func html(text: String, selection: PageSelection) -> String {
        var out = "<form class=\"select\" method=\"get\" action=\"/search\"><label>事業名・概要 "
        out += "<input type=\"search\" name=\"q\" value=\"\(HTMLEscape.escape(text))\"></label>"
        if let municipality = selection.municipality { out += "<input type=\"hidden\" name=\"muni\" value=\"\(HTMLEscape.escape(municipality))\">" }
        return out + " <button type=\"submit\">検索</button></form>\n"
    }
}
