import CrosswalkAnalytics
import CrosswalkModel
import Foundation

/// The frame around every page: navigation, the fiscal-year and municipality selectors
/// (a plain GET form, no script), the last sync, then the shared report template.
struct PageShell {
    /// MUNICIPALITIES, as far as the selectors need it.
    struct Municipalities: Decodable {
        struct Municipality: Decodable {
            var name: String?
            var code: String?
            var fiscalYears: [Int]?
            enum CodingKeys: String, CodingKey { case name, code, fiscalYears = "fiscal_years" }
            var value: String? { code ?? name }
            var label: String { [name, code.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ") }
        }
        var municipalities: [Municipality]
    }

    var path: String
    var selection: PageSelection
    var municipalities: Municipalities?
    var lastSync: String?
    /// Whether the page takes mode and amount (the SDG page).
    var counting = false
    /// Whether a password guards the pages (then there is a session to log out of).
    var loggedIn = false

    static let navigation = [
        ("/", "SDGs別の事業費"), ("/duplicates", "重複掲載"), ("/conflicts", "記載の不一致"), ("/similar", "似ている事業"),
        ("/indicators", "成果指標"), ("/compare", "前年度との比較"), ("/review", "SDGsタグの点検"), ("/search", "検索"),
    ]

    func render(title: String, body: String, template: HTMLReport) -> String {
        template.page(title: title, header: header(), body: body, footer: "crosswalk — \(lastSync ?? "同期の記録なし")", extraStyle: Self.style)
    }

    func header() -> String {
        var out = "<nav class=\"site\">"
        for (target, label) in Self.navigation {
            let current = target == path ? " aria-current=\"page\"" : ""
            out += "<a href=\"\(e(PageURL.make(target, selection.query())))\"\(current)>\(e(label))</a>"
        }
        if loggedIn {
            out += "<form class=\"logout\" method=\"post\" action=\"/logout\"><button type=\"submit\">ログアウト</button></form>"
        }
        out += "</nav>\n<form class=\"select\" method=\"get\" action=\"\(e(path))\">"
        out += "<label>年度 <select name=\"fy\"><option value=\"\">最新</option>"
        let years = Set((municipalities?.municipalities ?? []).flatMap { $0.fiscalYears ?? [] }).sorted(by: >)
        for year in years {
            let selected = selection.fiscalYear.flatMap(FiscalYear.parse) == year ? " selected" : ""
            out += "<option value=\"\(year)\"\(selected)>\(e(ReportText.fiscalYear(year)))</option>"
        }
        out += "</select></label> <label>自治体 <select name=\"muni\"><option value=\"\">すべて</option>"
        for municipality in municipalities?.municipalities ?? [] {
            guard let value = municipality.value else { continue }
            let selected = selection.municipality == value || selection.municipality == municipality.name ? " selected" : ""
            out += "<option value=\"\(e(value))\"\(selected)>\(e(municipality.label))</option>"
        }
        out += "</select></label>"
        if counting {
            if let mode = selection.mode { out += "<input type=\"hidden\" name=\"mode\" value=\"\(e(mode))\">" }
            if let amount = selection.amount { out += "<input type=\"hidden\" name=\"amount\" value=\"\(e(amount))\">" }
        }
        out += " <button type=\"submit\">表示</button></form>\n"
        out += "<p class=\"sync\">最終同期: \(e(lastSync ?? "まだ同期していません"))</p>\n"
        return out
    }

    private func e(_ text: String) -> String { HTMLEscape.escape(text) }

    /// Layout of the frame only (trusted CSS); phones get the navigation wrapped and the
    /// tables scrolled sideways.
    static let style = """
        nav.site { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 0 0 10px; font-weight: 700; }
        nav.site a[aria-current] { text-decoration: none; color: #1D2731; border-bottom: 3px solid #19486A; }
        form.select { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; margin: 0 0 6px; }
        form.select select, form.select input, form.select button { font: inherit; padding: 2px 6px; }
        form.logout { margin-left: auto; }
        form.logout button { font: inherit; font-weight: 400; }
        .sync { color: #5A6772; font-size: 13px; margin: 0 0 14px; }
        .switch { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0 0 14px; }
        .switch span { font-weight: 700; }
        .switch a[aria-current] { font-weight: 700; text-decoration: none; color: #1D2731; }
        section, figure { overflow-x: auto; }
        thead th { white-space: nowrap; }
        /* A goal cell ending a row-by-row record would otherwise squeeze the value column. */
        td.goals:last-child { width: auto; }
        @media (max-width: 640px) { main { padding: 14px 12px 28px; } h1 { font-size: 21px; } table { font-size: 13px; } }
        """
}
