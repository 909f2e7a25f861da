import Foundation

/// The last sync's time and outcome in one line, from SYNCSTATUS (the database's record,
/// so a sync run by `crosswalk sync` beside the daemon shows too).
enum SyncLine {
    struct Status: Decodable {
        struct Run: Decodable {
            var status: String
            var startedAt: String?
            var finishedAt: String?
            var documentsApplied: Int?
            var documentsRejected: Int?
            var error: String?
        }
        var runs: [Run]
    }

    static func latest(_ answers: any CommandAnswering) async -> String? {
        guard case .json(let text) = await answers.answer("SYNCSTATUS", []) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let run = (try? decoder.decode(Status.self, from: Data(text.utf8)))?.runs.first else { return nil }
        let status = run.status == "ok" ? "成功" : run.status
        var line = "\(time(run.finishedAt ?? run.startedAt)) \(status)"
        line += "（反映 \(run.documentsApplied ?? 0) 件、却下 \(run.documentsRejected ?? 0) 件）"
        if let error = run.error { line += " \(error)" }
        return line
    }

    /// `2026-12-01T07:55:38.49+00:00` → `2026-12-01 07:55:38 (+00:00)`: seconds are enough.
    static func time(_ text: String?) -> String {
        guard let text, text.count >= 19 else { return text ?? "—" }
        let offset = text.firstMatch(of: /([+-]\d{2}:\d{2}|Z)$/).map { " (\($0.output.1))" } ?? ""
        return text.prefix(19).replacingOccurrences(of: "T", with: " ") + offset
    }
}
