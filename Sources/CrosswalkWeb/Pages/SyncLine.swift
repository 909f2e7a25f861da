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
        var line = "\(run.finishedAt ?? run.startedAt ?? "—") \(run.status)"
        line += "（反映 \(run.documentsApplied ?? 0) 件、却下 \(run.documentsRejected ?? 0) 件）"
        if let error = run.error { line += " \(error)" }
        return line
    }
}
