/// What the store holds now: the answer of `crosswalk_counts()`, typed so INFO and the
/// metrics page read fields instead of looking keys up in JSON.
package struct StoreCounts: Decodable, Sendable, Equatable {
    /// Current (not ended) documents.
    package var documents: Int64
    /// Distinct programs with a current listing.
    package var programs: Int64
    /// Current listings.
    package var listings: Int64
    /// Distinct policies with a current listing.
    package var policies: Int64
    /// nil while the store is empty.
    package var latestFiscalYear: Int?

    package init(documents: Int64, programs: Int64, listings: Int64, policies: Int64, latestFiscalYear: Int?) {
        self.documents = documents
        self.programs = programs
        self.listings = listings
        self.policies = policies
        self.latestFiscalYear = latestFiscalYear
    }

    // The SQL function also reports the last sync; the daemon reads that from its scheduler.
    enum CodingKeys: String, CodingKey {
        case documents, programs, listings, policies
        case latestFiscalYear = "latest_fiscal_year"
    }
}
