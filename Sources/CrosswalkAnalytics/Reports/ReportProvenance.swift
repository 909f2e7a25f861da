package import CrosswalkModel
package import Foundation

/// Where a report came from, for its footer: when it was made, from which documents
/// (with their sync time) and by which version of Crosswalk.
package struct ReportProvenance: Sendable, Equatable {
    /// A current document the report's year is read from (`crosswalk_report_sources`).
    package struct Source: Decodable, Sendable, Equatable {
        package var source: String
        package var fiscalYear: Int
        /// `2026-12-02 01:20:00 UTC`.
        package var syncedAt: String

        package init(source: String, fiscalYear: Int, syncedAt: String) {
            self.source = source
            self.fiscalYear = fiscalYear
            self.syncedAt = syncedAt
        }

        enum CodingKeys: String, CodingKey {
            case source
            case fiscalYear = "fiscal_year"
            case syncedAt = "synced_at"
        }
    }

    package var generatedAt: Date
    package var sources: [Source]
    package var version: String

    package init(generatedAt: Date, sources: [Source], version: String = CrosswalkVersion.current) {
        self.generatedAt = generatedAt
        self.sources = sources
        self.version = version
    }

    /// How many documents the footer names before `ほか N 件`.
    static let namedSources = 20

    /// `作成 2026-12-02 01:23:45 UTC ・ crosswalk 0.1.0 ・ 資料 1 件: digital_R5.txt（2023年度、同期 2026-12-02 01:20:00 UTC）`
    package var text: String {
        var named = sources.prefix(Self.namedSources).map { "\($0.source)（\($0.fiscalYear)年度、同期 \($0.syncedAt)）" }
        if sources.count > Self.namedSources { named.append("ほか \(sources.count - Self.namedSources) 件") }
        return "作成 \(Self.utc(generatedAt)) ・ crosswalk \(version) ・ 資料 \(sources.count) 件: \(named.joined(separator: "、"))"
    }

    /// `2026-12-02 01:23:45 UTC`, as the SQL writes sync times.
    static func utc(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date) + " UTC"
    }
}
