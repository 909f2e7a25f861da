import CrosswalkModel
import Foundation

/// Turns decoded UTF-8 text into a document. Two passes: the first splits lines
/// into cells and classifies rows (title, header, program row, continuation) and
/// pages (wrapped or not); the second assembles policies and listings by content.
struct DocumentParser {
    let text: ByteText
    let source: String
    let limits: ReaderLimits

    // Pass 1 output.
    private var cells: [Range<Int>] = []
    private var rows: [Row] = []
    private var pages: [Page] = []

    // Document facts.
    private var fiscalYear = 0
    private var organization = ""
    private var warnings: [ReaderWarning] = []

    // Pass 2 state.
    private var policies: [PolicyDraft] = []
    private var policyIndexByKey: [String: Int] = [:]
    private var policyKeyByCode: [String: String] = [:]
    private var listings: [ListingDraft] = []
    private var currentPolicy: Int? = nil
    /// The listing being read: continuation rows add to it until the next program row.
    private var open: ListingDraft? = nil
    private var references: [ByteKey: String] = [:]
    private var seenNumbers: [Int: Int] = [:]
    private var firstTitle: Range<Int>? = nil
    private var firstContent: Row? = nil
    private var headerYears: [ByteKey: [Int]] = [:]

    enum RowKind: Equatable {
        case blank, title, header
        case program(no: Int, noIndex: Int, policyIndex: Int?)
        case continuation
    }

    struct Row {
        var line: Int
        var firstCell: Int
        var cellCount: Int
        var kind: RowKind
        var page: Int
    }

    struct Page {
        var titleLine: Int
        var previousYear: Int? = nil
        var hasPersonnel = true
        var sawHeader = false
        var wrapped = false
        var textCells = 0
        var wrapCells = 0
    }

    struct PolicyDraft {
        var code: String
        var codeKey: String
        var name: String
        var evaluation: String?
        var evaluationLine: Int?
        var fragments: [String] = []
        var lines: [Int]
    }

    struct ListingDraft {
        var no: Int
        var policy: Int?
        var program = ""
        var relisted = false
        var department = ""
        var formerDepartment: String?
        var summary: String?
        var sdgGoals: [Int] = []
        var hasIndicator = false
        var indicatorName: String?
        var baseline: String?
        var midterm: String?
        var values: [IndicatorValue] = []
        var amounts: [AmountRecord] = []
        var evaluation: String?
        var reason: String?
        var lines: [Int]
        var previousYear: Int
    }

    struct Result {
        var fiscalYear: Int
        var organization: String
        var policies: [PolicyRecord]
        var listings: [ListingRecord]
        var warnings: [ReaderWarning]
    }

    init(text: ByteText, source: String, limits: ReaderLimits) {
        self.text = text
        self.source = source
        self.limits = limits
    }

    // MARK: - Warnings and errors

    mutating func warn(_ line: Int?, _ code: String, _ message: String) {
        let prefix = line.map { "\(source):\($0): " } ?? "\(source): "
        warnings.append(ReaderWarning(line: line, code: code, message: prefix + message))
    }

    private func refuse(_ line: Int, _ kind: ReadError.Kind, _ reason: String, excerpt: Range<Int>? = nil) -> ReadError {
        let text = excerpt.map { ReadError.excerpt(UnsafeBufferPointer(rebasing: self.text.buf[$0])) } ?? nil
        return ReadError(source: source, line: line, kind: kind, reason: reason, excerpt: text)
    }

    private func span(_ row: Row) -> Range<Int> {
        guard row.cellCount > 0 else { return 0..<0 }
        return cells[row.firstCell].lowerBound..<cells[row.firstCell + row.cellCount - 1].upperBound
    }

    // MARK: - Entry

    mutating func parse(initialWarnings: [(Int?, String, String)]) throws(ReadError) -> Result {
        for (line, code, message) in initialWarnings { warn(line, code, message) }
        try splitAndClassify()
        guard let firstPage = pages.first else {
            let row = firstContent ?? rows.first(where: { $0.kind != .blank })
            throw refuse(row?.line ?? 1, .notEvaluationTable, "not an evaluation table: no title line such as `令和5年度 行政評価の取組結果（組織名）` was found",
                excerpt: row.map(span))
        }
        _ = firstPage
        decideWrappedPages()
        buildReferences()
        assemble()
        warnIfCutInRow()
        guard !listings.isEmpty else {
            let row = rows.last(where: { $0.kind != .blank })
            throw refuse(row?.line ?? 1, .noListings, "no program rows were found after the title (truncated or not an evaluation table)",
                excerpt: row.map(span))
        }
        return finish()
    }

    // MARK: - Pass 1: lines, cells, row kinds, pages

    private mutating func splitAndClassify() throws(ReadError) {
        let buf = text.buf
        let n = buf.count
        // Old Mac files end lines with CR alone.
        var separator: UInt8 = 0x0A
        if !buf.contains(0x0A), buf.contains(0x0D) { separator = 0x0D }
        var start = 0
        var line = 0
        rows.reserveCapacity(n / 256 + 16)
        cells.reserveCapacity(n / 16 + 16)
        while start < n || (start == n && line == 0) {
            line += 1
            let end = Self.find(separator, in: buf, from: start, to: n)
            let next = end + 1
            var contentEnd = end
            if contentEnd > start && buf[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if contentEnd - start > limits.maxLineBytes {
                throw refuse(line, .lineTooLong, "line is \(contentEnd - start) bytes long, over the limit of \(limits.maxLineBytes) bytes",
                    excerpt: start..<min(contentEnd, start + 320))
            }
            classifyLine(line: line, start..<contentEnd)
            start = next
            if start >= n { break }
        }
    }

    /// The offset of the first `byte` in `buf[from..<to]`, or `to` (memchr: vectorised).
    @inline(__always) static func find(_ byte: UInt8, in buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        guard from < to, let base = buf.baseAddress, let hit = memchr(base + from, Int32(byte), to - from) else { return to }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    private mutating func classifyLine(line: Int, _ range: Range<Int>) {
        let first = cells.count
        var cellStart = range.lowerBound
        let buf = text.buf
        while true {
            let tab = Self.find(0x09, in: buf, from: cellStart, to: range.upperBound)
            cells.append(text.trim(cellStart..<tab))
            if tab == range.upperBound { break }
            cellStart = tab + 1
        }
        let count = cells.count - first
        var row = Row(line: line, firstCell: first, cellCount: count, kind: .blank, page: pages.count - 1)
        row.kind = classify(first..<(first + count))
        switch row.kind {
        case .title:
            readTitle(line: line, cells: first..<(first + count))
            row.page = pages.count - 1
        case .header:
            if !pages.isEmpty { readHeader(cells: first..<(first + count)) }
        case .program, .continuation:
            if pages.isEmpty {
                if firstContent == nil { firstContent = row }
                row.kind = .blank
                warn(line, "before_title", "row before the first title line ignored")
            } else {
                countWrapEvidence(page: pages.count - 1, cells: first..<(first + count))
            }
        case .blank:
            break
        }
        rows.append(row)
    }

    private func classify(_ cellRange: Range<Int>) -> RowKind {
        var firstNonEmpty: Int? = nil
        for c in cellRange where !cells[c].isEmpty { firstNonEmpty = c; break }
        guard let f = firstNonEmpty else { return .blank }
        let r = cells[f]
        let lead = text[r.lowerBound]
        // Title: one cell, starting with an era or a year, containing 年度.
        if lead == 0xE4 || lead == 0xE5 || (lead >= 0x31 && lead <= 0x32) {
            if text.hasPrefix(r, Spelling.reiwa) || text.hasPrefix(r, Spelling.heisei) || (lead >= 0x31 && lead <= 0x32) {
                var others = false
                for c in cellRange where c != f && !cells[c].isEmpty { others = true; break }
                if !others, text.contains(r, Spelling.nendo), r.count < 400 { return .title }
            }
        }
        // Program row: [policy cell] No. … with No. among the first three cells.
        var idx = f
        var policyIndex: Int? = nil
        if looksLikePolicyCode(r) {
            policyIndex = f
            idx = f + 1
            while idx < cellRange.upperBound && cells[idx].isEmpty && idx - cellRange.lowerBound < 3 { idx += 1 }
        }
        if idx < cellRange.upperBound, idx - cellRange.lowerBound <= 2, let no = text.rowNumber(cells[idx]) {
            return .program(no: no, noIndex: idx - cellRange.lowerBound, policyIndex: policyIndex.map { $0 - cellRange.lowerBound })
        }
        // Header rows: column labels.
        for c in cellRange {
            let cr = cells[c]
            if cr.isEmpty { continue }
            if text.hasPrefix(cr, Spelling.policyHeader) || text.hasPrefix(cr, Spelling.planHeader)
                || text.equals(cr, Spelling.noHeader) || text.equals(cr, Spelling.noHeaderFull)
                || text.hasPrefix(cr, Spelling.baselineHeader)
            {
                return .header
            }
        }
        if policyIndex != nil { return .continuation }
        return .continuation
    }

    private func looksLikePolicyCode(_ r: Range<Int>) -> Bool {
        guard !r.isEmpty else { return false }
        let b = text[r.lowerBound]
        // I V X, Ⅰ…Ⅻ (E2 85 A0…), full-width Ｉ Ｖ Ｘ (EF BC …), digits.
        guard b == 0x49 || b == 0x56 || b == 0x58 || b == 0xE2 || b == 0xEF || (b >= 0x31 && b <= 0x39) else { return false }
        // A code has a hyphen (- － − ‐ – ー) near its start.
        var hyphen = false
        var i = r.lowerBound
        let end = min(r.upperBound, r.lowerBound + 24)
        while i < end {
            let c = text[i]
            if c == 0x2D { hyphen = true; break }
            if i + 2 < r.upperBound, c == 0xEF || c == 0xE2 || c == 0xE3 {
                let (v, _) = text.scalar(at: i)
                if v == 0xFF0D || v == 0x2212 || v == 0x2010 || v == 0x2013 || v == 0x30FC { hyphen = true; break }
            }
            i += 1
        }
        guard hyphen else { return false }
        return text.policyCode(r) != nil
    }

    private mutating func readTitle(line: Int, cells cellRange: Range<Int>) {
        var titleRange = cells[cellRange.lowerBound]
        for c in cellRange where !cells[c].isEmpty { titleRange = cells[c]; break }
        // Repeated page titles are usually the same bytes as the first.
        if let first = firstTitle, titleRange.count == first.count,
            memcmp(text.buf.baseAddress! + titleRange.lowerBound, text.buf.baseAddress! + first.lowerBound, first.count) == 0
        {
            pages.append(Page(titleLine: line))
            return
        }
        if firstTitle == nil { firstTitle = titleRange }
        let title = text.string(titleRange)
        let year = EraYear.years(in: title).first ?? 0
        let org = Self.organization(inTitle: title)
        if pages.isEmpty {
            fiscalYear = year
            organization = org ?? ""
            if org == nil { warn(line, "title_without_organization", "title has no organization in parentheses: \(title)") }
        } else if year != fiscalYear || (org ?? "") != organization {
            warn(line, "title_mismatch", "page title `\(title)` differs from the first page's (FY\(fiscalYear), \(organization))")
        }
        pages.append(Page(titleLine: line))
    }

    /// The text in the last pair of parentheses (full- or half-width).
    static func organization(inTitle title: String) -> String? {
        let scalars = Array(title.unicodeScalars)
        guard let close = scalars.lastIndex(where: { $0 == "）" || $0 == ")" }) else { return nil }
        var depth = 0
        var open: Int? = nil
        var i = close
        while i >= 0 {
            let s = scalars[i]
            if s == "）" || s == ")" { depth += 1 }
            if s == "（" || s == "(" {
                depth -= 1
                if depth == 0 { open = i; break }
            }
            i -= 1
        }
        guard let o = open, close > o + 1 else { return nil }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[(o + 1)..<close])
        let org = String(view).trimmingWhitespace()
        return org.isEmpty ? nil : org
    }

    private mutating func readHeader(cells cellRange: Range<Int>) {
        let p = pages.count - 1
        if !pages[p].sawHeader {
            pages[p].sawHeader = true
            pages[p].hasPersonnel = false
        }
        for c in cellRange where !cells[c].isEmpty {
            let r = cells[c]
            if text.contains(r, Spelling.personnelHeader) { pages[p].hasPersonnel = true }
            guard text.contains(r, Spelling.nendo) else { continue }
            let key = ByteKey(Array(UnsafeBufferPointer(rebasing: text.buf[r])))
            let years: [Int]
            if let cached = headerYears[key] {
                years = cached
            } else {
                years = EraYear.years(in: text.string(r))
                headerYears[key] = years
            }
            for year in years where year < fiscalYear {
                pages[p].previousYear = max(pages[p].previousYear ?? year, year)
            }
        }
    }

    private mutating func countWrapEvidence(page: Int, cells cellRange: Range<Int>) {
        for c in cellRange {
            let r = cells[c]
            guard r.count > 3, text.containsNonASCII(r), !text.isDash(r), text.indicatorLabel(r) == nil else { continue }
            pages[page].textCells += 1
            if text.hasWrapSpace(r) { pages[page].wrapCells += 1 }
        }
    }

    /// A page keeps the PDF's line wraps when at least a third of its text cells
    /// have a space between two Japanese characters. (An unwrapped page has such
    /// spaces only where they are real: `デジタル市役所推進室 デジタル市役所推進課`.)
    private mutating func decideWrappedPages() {
        for p in pages.indices {
            let page = pages[p]
            pages[p].wrapped = page.textCells > 0 && page.wrapCells * 3 >= page.textCells
        }
        // Year labels: pages without header labels use the first page's, else FY−1.
        let documentPrevious = pages.lazy.compactMap(\.previousYear).first
        for p in pages.indices where pages[p].previousYear == nil {
            pages[p].previousYear = documentPrevious ?? (fiscalYear - 1)
        }
        if let previous = documentPrevious, previous != fiscalYear - 1 {
            warn(pages[0].titleLine, "year_labels", "column labels name FY\(previous) as the previous year of FY\(fiscalYear)")
        }
    }

    /// Names are short; long texts (summaries, reasons) are dewrapped, not looked up.
    static let referenceMaxBytes = 192

    /// Values written elsewhere in the document on unwrapped pages, keyed by their
    /// whitespace-free bytes: a wrapped cell with the same key takes their spacing.
    private mutating func buildReferences() {
        guard pages.contains(where: \.wrapped) else { return }
        var wanted: Set<ByteKey> = []
        // Whitespace-free lengths wanted (at most referenceMaxBytes): a table, not a Set.
        var wantedLengths = [Bool](repeating: false, count: Self.referenceMaxBytes + 1)
        // First and last characters wanted, as bits of a 4,096-bit filter: a cell is
        // trimmed, so its key starts and ends with its own first and last characters, and
        // most cells are ruled out before their whitespace-free length is counted.
        var wantedEnds = [UInt64](repeating: 0, count: 64)
        for row in rows where pages.indices.contains(row.page) && pages[row.page].wrapped {
            guard row.kind != .blank, row.kind != .title, row.kind != .header else { continue }
            for c in row.firstCell..<(row.firstCell + row.cellCount) {
                let r = cells[c]
                if r.count > 3, r.count <= Self.referenceMaxBytes, text.containsSpace(r) {
                    let key = ByteKey(text.stripped(r))
                    wanted.insert(key)
                    wantedLengths[key.bytes.count] = true
                    let bit = endsFilterBit(r)
                    wantedEnds[bit >> 6] |= 1 << UInt64(bit & 63)
                }
            }
        }
        guard !wanted.isEmpty else { return }
        for row in rows where pages.indices.contains(row.page) && !pages[row.page].wrapped {
            guard row.kind != .blank, row.kind != .title, row.kind != .header else { continue }
            for c in row.firstCell..<(row.firstCell + row.cellCount) {
                let r = cells[c]
                guard r.count > 3, r.count <= Self.referenceMaxBytes else { continue }
                let bit = endsFilterBit(r)
                guard wantedEnds[bit >> 6] & (1 << UInt64(bit & 63)) != 0, wantedLengths[text.strippedCount(r)] else { continue }
                let key = ByteKey(text.stripped(r))
                if wanted.contains(key), references[key] == nil { references[key] = text.string(r) }
            }
        }
    }

    /// The bit of a trimmed cell's first and last characters in `buildReferences`' filter.
    private func endsFilterBit(_ r: Range<Int>) -> Int {
        let first = text.scalar(at: r.lowerBound).value
        let last = text.scalar(before: r.upperBound).value
        return Int((first &* 31 &+ last) & 4095)
    }

    /// A download that stopped early ends without a line break inside a row: the last
    /// line then has fewer cells than its page's header rows (every row of a page is
    /// padded to the header's width). A cut inside a row's last cell, or exactly at a
    /// line end, cannot be seen.
    private mutating func warnIfCutInRow() {
        guard let lastByte = text.buf.last, lastByte != 0x0A, lastByte != 0x0D, let row = rows.last,
            pages.indices.contains(row.page), row.kind != .title, row.kind != .blank || row.cellCount > 1
        else { return }
        // The page's header, else (the cut fell in the page's first rows) the widest header.
        let others = rows.dropLast().filter { $0.kind == .header }
        let width = others.filter { $0.page == row.page }.map(\.cellCount).max() ?? others.map(\.cellCount).max() ?? 0
        guard row.cellCount < width else { return }
        warn(row.line, "truncated", "the file ends inside this row, without a line break (\(row.cellCount) of \(width) cells): the document looks cut short; the row's last values are missing or incomplete")
    }

    // MARK: - Pass 2: policies and listings

    /// Readable text of a cell: verbatim on unwrapped pages; on wrapped pages the
    /// spacing of the same value elsewhere, else wrap spaces removed.
    private func readable(_ r: Range<Int>, wrapped: Bool) -> (text: String, restored: Bool) {
        guard wrapped, r.count > 3, text.containsSpace(r) else { return (text.string(r), false) }
        if let reference = reference(r) { return (reference, true) }
        return (text.dewrapped(r), false)
    }

    /// The same value on an unwrapped page, for a cell with spaces on a wrapped page.
    private func reference(_ r: Range<Int>) -> String? {
        guard !references.isEmpty, r.count <= Self.referenceMaxBytes else { return nil }
        return references[ByteKey(text.stripped(r))]
    }

    /// A department cell as written, or on a wrapped page the spacing of the same
    /// value on an unwrapped page; `finish` makes it readable (`ReadableName`).
    private func organizationCell(_ r: Range<Int>, wrapped: Bool) -> String {
        guard wrapped, r.count > 3, text.containsSpace(r), let reference = reference(r) else { return text.string(r) }
        return reference
    }

    /// Optional text: empty, `—` and `指標名等` are nil.
    private func optionalText(_ r: Range<Int>?, wrapped: Bool) -> String? {
        guard let r, !r.isEmpty, !text.isDash(r) else { return nil }
        let value = readable(r, wrapped: wrapped).text
        return value.isEmpty ? nil : value
    }

    private mutating func assemble() {
        for rowIndex in rows.indices {
            let row = rows[rowIndex]
            switch row.kind {
            case .blank, .title, .header:
                continue
            case .program(let no, let noIndex, let policyIndex):
                programRow(row, no: no, noIndex: noIndex, policyIndex: policyIndex)
            case .continuation:
                continuationRow(row)
            }
        }
        closeListing()
    }

    private func cell(_ row: Row, _ i: Int) -> Range<Int>? {
        guard i >= 0, i < row.cellCount else { return nil }
        return cells[row.firstCell + i]
    }

    private mutating func programRow(_ row: Row, no: Int, noIndex: Int, policyIndex: Int?) {
        let page = pages[row.page]
        let wrapped = page.wrapped
        let fy = fiscalYear
        let previousYear = page.previousYear ?? (fy - 1)
        let line = row.line

        if let pi = policyIndex, let r = cell(row, pi) {
            if let (code, name) = text.policyCode(r) {
                let codeText = String(decoding: text.stripped(code), as: UTF8.self)
                currentPolicy = policy(code: codeText, name: ReadableName.plain(readable(name, wrapped: wrapped).text), line: line)
            }
        }
        if currentPolicy == nil {
            warn(line, "no_policy", "program row No.\(no) comes before any policy cell")
        }
        if let earlier = seenNumbers[no] {
            warn(line, "duplicate_no", "row No.\(no) was already used on line \(earlier)")
        } else {
            seenNumbers[no] = line
        }

        var listing = ListingDraft(no: no, policy: currentPolicy, lines: [line], previousYear: previousYear)

        // SDG goals right after No.; then (after empty cells) the program.
        var j = noIndex + 1
        if let r = cell(row, j), let goals = text.sdgGoals(r) {
            listing.sdgGoals = sdgSet(goals, line: line)
            j += 1
        }
        var skipped = 0
        while let r = cell(row, j), r.isEmpty, skipped < 3 { j += 1; skipped += 1 }
        let p = j
        guard let programCell = cell(row, p), !programCell.isEmpty else {
            warn(line, "incomplete_row", "row No.\(no) ends before its program name")
            closeListing()
            open = listing
            return
        }
        var program = ReadableName.plain(readable(programCell, wrapped: wrapped).text)
        // Markers are found by the key's rule (folded), so `（再 掲）` is one too.
        if text.contains(programCell, Spelling.relistedMark) {
            (program, listing.relisted) = ProgramKey.removingMarkers(program)
        }
        listing.program = program
        if let r = cell(row, p + 1) { listing.department = organizationCell(r, wrapped: wrapped) }
        if let r = cell(row, p + 2), !r.isEmpty, !text.isDash(r) { listing.formerDepartment = organizationCell(r, wrapped: wrapped) }
        listing.summary = optionalText(cell(row, p + 3), wrapped: wrapped)
        if let r = cell(row, p + 4) {
            listing.hasIndicator = true
            if !text.equals(r, Spelling.indicatorPlaceholder) {
                listing.indicatorName = optionalText(r, wrapped: wrapped)
            }
        }
        listing.baseline = optionalText(cell(row, p + 5), wrapped: wrapped)

        // Amounts: the block of figures before the grade, found by content.
        let s = p + 6
        let amountCount = page.hasPersonnel ? 4 : 3
        var anchor: Int? = nil
        var run = 0
        var k = s
        while k <= row.cellCount {
            let isFigure: Bool
            if k < row.cellCount, let r = cell(row, k) { isFigure = text.amount(r) != .notAmount } else { isFigure = false }
            if isFigure {
                run += 1
            } else {
                if run >= amountCount { anchor = k - amountCount; break }
                run = 0
            }
            k += 1
        }
        if anchor == nil {
            // Fallback: a known grade, with the figures before it.
            for g in (s + amountCount)..<max(s + amountCount, row.cellCount) {
                if let r = cell(row, g), Grades.isKnown(bytes: text, r) { anchor = g - amountCount; break }
            }
        }
        if let a = anchor {
            indicatorRegion(row, s..<a, into: &listing, wrapped: wrapped)
            readAmounts(row, at: a, count: amountCount, into: &listing)
            let g = a + amountCount
            if let r = cell(row, g), !r.isEmpty {
                let grade = gradeText(r, wrapped: wrapped)
                listing.evaluation = grade
                if !Grades.isKnown(grade) {
                    warn(line, "unknown_grade", "unknown program evaluation grade `\(grade)` kept as written (No.\(no))")
                }
            }
            listing.reason = optionalText(cell(row, g + 1), wrapped: wrapped)
            var policyCells: [Range<Int>] = []
            if let r = cell(row, g + 2), !r.isEmpty { policyGrade(r, wrapped: wrapped, line: line) }
            for extra in (g + 3)..<max(g + 3, row.cellCount) {
                if let r = cell(row, extra), !r.isEmpty { policyCells.append(r) }
            }
            if policyCells.count > 1 {
                warn(line, "unexpected_cell", "\(policyCells.count - 1) cell(s) after the policy evaluation text were joined to it")
            }
            for r in policyCells { policyText(readable(r, wrapped: wrapped).text, line: line) }
        } else {
            let last = (0..<row.cellCount).last(where: { cell(row, $0)?.isEmpty == false }) ?? 0
            warn(line, "incomplete_row", "row No.\(no) has no amount columns (\(row.cellCount) cells, last filled cell \(last + 1)); amounts and evaluation not read")
            indicatorRegion(row, s..<max(s, row.cellCount), into: &listing, wrapped: wrapped)
        }
        closeListing()
        open = listing
    }

    private mutating func closeListing() {
        if let listing = open.take() { listings.append(listing) }
    }

    private mutating func sdgSet(_ goals: [Int], line: Int) -> [Int] {
        var set: UInt32 = 0  // bit g for goal g: sorted and unique without a Set
        for g in goals {
            if SDGGoal.range.contains(g) {
                set |= 1 << g
            } else {
                warn(line, "sdg_out_of_range", "SDG goal \(g) is outside 1–17 and was dropped")
            }
        }
        return SDGGoal.range.filter { set & (1 << $0) != 0 }
    }

    private func gradeText(_ r: Range<Int>, wrapped: Bool) -> String {
        // Grades are single words: spaces inside them are always wraps.
        if text.containsSpace(r) {
            let bare = text.stripped(r)
            if Grades.knownBytes.contains(ByteKey(bare)) { return String(decoding: bare, as: UTF8.self) }
            return wrapped ? text.dewrapped(r) : text.string(r)
        }
        return text.string(r)
    }

    private mutating func readAmounts(_ row: Row, at a: Int, count: Int, into listing: inout ListingDraft) {
        let fy = fiscalYear
        let slots: [(Int, AmountKind)] = [(listing.previousYear, .settled), (fy, .budget), (fy, .settled), (fy, .personnel)]
        listing.amounts.reserveCapacity(listing.amounts.count + count)
        for (offset, slot) in slots.prefix(count).enumerated() {
            var value: Int? = nil
            if let r = cell(row, a + offset) {
                switch text.amount(r) {
                case .value(let v): value = v
                case .none: value = nil
                case .garbled, .notAmount:
                    if !r.isEmpty {
                        warn(row.line, "garbled_amount", "FY\(slot.0) \(slot.1.rawValue) amount `\(text.string(r))` is not a number; read as none (No.\(listing.no))")
                    }
                }
            }
            listing.amounts.append(AmountRecord(fiscalYear: slot.0, kind: slot.1, thousandYen: value))
        }
    }

    private enum Token {
        case empty
        case label(IndicatorLabel, Range<Int>)
        case value(Range<Int>)
    }

    private func tokens(_ row: Row, _ range: Range<Int>) -> [Token] {
        range.map { i -> Token in
            guard let r = cell(row, i), !r.isEmpty else { return .empty }
            if let (label, inline) = text.indicatorLabel(r) { return .label(label, inline) }
            return .value(r)
        }
    }

    /// The indicator cells between the baseline and the amounts: values, then the
    /// mid-term target last. Page 1's flattened form (`目標 X`, `実績 Y`, `達成率 Z`
    /// in one row) has no year: its values are the document's fiscal year.
    private mutating func indicatorRegion(_ row: Row, _ region: Range<Int>, into listing: inout ListingDraft, wrapped: Bool) {
        guard !region.isEmpty else { return }
        listing.hasIndicator = true
        let last = region.upperBound - 1
        var valueRange = region.lowerBound..<last
        if let r = cell(row, last), text.indicatorLabel(r) == nil {
            listing.midterm = optionalText(r, wrapped: wrapped)
        } else {
            valueRange = region
        }
        let toks = tokens(row, valueRange)
        var labelCount = 0
        for t in toks { if case .label = t { labelCount += 1 } }
        if labelCount >= 2 {
            // Flattened: each label with its own value, all for the document's year.
            var i = 0
            while i < toks.count {
                if case .label(let label, let inline) = toks[i] {
                    var r: Range<Int>? = inline.isEmpty ? nil : inline
                    if r == nil, i + 1 < toks.count, case .value(let v) = toks[i + 1] { r = v; i += 1 }
                    addValue(r, year: fiscalYear, kind: label.kind, wrapped: wrapped, into: &listing)
                }
                i += 1
            }
            return
        }
        labelledValues(row, toks, defaultLabel: .target, into: &listing, wrapped: wrapped)
    }

    /// Two-year form: a label (inline value or not) then the values for the previous
    /// and the current fiscal year, in that order.
    private mutating func labelledValues(_ row: Row, _ toks: [Token], defaultLabel: IndicatorLabel?, into listing: inout ListingDraft, wrapped: Bool) {
        var i = 0
        var label = defaultLabel
        // One buffer for the row, emptied (capacity kept) after each label's values.
        var pending: [Range<Int>?] = []
        pending.reserveCapacity(toks.count)
        var leftovers: [Range<Int>] = []
        func flush(_ parser: inout DocumentParser, _ listing: inout ListingDraft) {
            guard let l = label else {
                leftovers += pending.compactMap { $0 }
                pending.removeAll(keepingCapacity: true)
                return
            }
            for (n, r) in pending.enumerated() {
                if n < 2 {
                    let year = n == 0 ? listing.previousYear : parser.fiscalYear
                    parser.addValue(r, year: year, kind: l.kind, wrapped: wrapped, into: &listing)
                } else if let r {
                    leftovers.append(r)
                }
            }
            pending.removeAll(keepingCapacity: true)
        }
        var sawLabel = false
        while i < toks.count {
            switch toks[i] {
            case .label(let l, let inline):
                if sawLabel || !pending.isEmpty { flush(&self, &listing) }
                sawLabel = true
                label = l
                if !inline.isEmpty { pending.append(inline) }
            case .value(let r):
                pending.append(r)
            case .empty:
                if sawLabel || !pending.isEmpty { pending.append(nil) }
            }
            i += 1
        }
        // Trailing empty cells are not values.
        while let last = pending.last, last == nil { pending.removeLast() }
        flush(&self, &listing)
        for r in leftovers {
            if text.hasPrefix(r, Array("【".utf8)) {
                policyText(readable(r, wrapped: wrapped).text, line: row.line)
            } else {
                warn(row.line, "unassigned_text", "cell `\(text.string(r))` could not be placed and was ignored (No.\(listing.no))")
            }
        }
    }

    private mutating func addValue(_ r: Range<Int>?, year: Int, kind: IndicatorValueKind, wrapped: Bool, into listing: inout ListingDraft) {
        // `—` and empty cells are "no value" and are omitted.
        guard let r, !r.isEmpty, !text.isDash(r) else { return }
        let value = readable(r, wrapped: wrapped).text
        let (number, unit) = IndicatorNumber.parse(value)
        // A listing has four values or so: room for them at once, not 1, 2, then 4.
        if listing.values.isEmpty { listing.values.reserveCapacity(4) }
        listing.values.append(IndicatorValue(fiscalYear: year, kind: kind, text: value, number: number, unit: unit))
    }

    private mutating func continuationRow(_ row: Row) {
        let page = pages[row.page]
        // Taken out (not copied) while it grows: a copy would retain all of its fields.
        guard var listing = open.take() else {
            warn(row.line, "unassigned_text", "row before the first program row ignored")
            return
        }
        listing.lines.append(row.line)
        let toks = tokens(row, 0..<row.cellCount)
        var hasLabel = false
        for t in toks { if case .label = t { hasLabel = true; break } }
        if hasLabel {
            labelledValues(row, toks, defaultLabel: nil, into: &listing, wrapped: page.wrapped)
        } else {
            for t in toks {
                guard case .value(let r) = t else { continue }
                if text.hasPrefix(r, Array("【".utf8)) {
                    policyText(readable(r, wrapped: page.wrapped).text, line: row.line)
                } else {
                    warn(row.line, "unassigned_text", "cell `\(text.string(r))` could not be placed and was ignored")
                }
            }
        }
        open = listing
    }

    // MARK: Policies

    private mutating func policy(code: String, name: String, line: Int) -> Int {
        let key: String
        if let cached = policyKeyByCode[code] {
            key = cached
        } else {
            key = FastKey.policyKey(code)
            policyKeyByCode[code] = key
        }
        if let existing = policyIndexByKey[key] {
            if !name.isEmpty, policies[existing].name.isEmpty {
                policies[existing].name = name
            } else if !name.isEmpty, name != policies[existing].name, TextKey.fold(name) != TextKey.fold(policies[existing].name) {
                warn(line, "policy_name_conflict", "policy \(code) is named `\(name)` here and `\(policies[existing].name)` on line \(policies[existing].lines[0])")
            }
            addPolicyLine(existing, line)
            return existing
        }
        policies.append(PolicyDraft(code: code, codeKey: key, name: name, evaluation: nil, lines: [line]))
        policyIndexByKey[key] = policies.count - 1
        return policies.count - 1
    }

    private mutating func addPolicyLine(_ p: Int, _ line: Int) {
        if policies[p].lines.last != line { policies[p].lines.append(line) }
    }

    private mutating func policyGrade(_ r: Range<Int>, wrapped: Bool, line: Int) {
        guard let p = currentPolicy else {
            warn(line, "no_policy", "policy evaluation grade without a policy ignored")
            return
        }
        let grade = gradeText(r, wrapped: wrapped)
        addPolicyLine(p, line)
        if let existing = policies[p].evaluation {
            if existing != grade {
                warn(line, "policy_grade_conflict", "policy \(policies[p].code) is graded `\(grade)` here and `\(existing)` on line \(policies[p].evaluationLine ?? 0); the first is kept")
            }
            return
        }
        policies[p].evaluation = grade
        policies[p].evaluationLine = line
        if !Grades.isKnown(grade) {
            warn(line, "unknown_grade", "unknown policy evaluation grade `\(grade)` kept as written (\(policies[p].code))")
        }
    }

    private mutating func policyText(_ value: String, line: Int) {
        guard let p = currentPolicy else {
            warn(line, "no_policy", "policy evaluation text without a policy ignored")
            return
        }
        addPolicyLine(p, line)
        // A page break can repeat a merged cell's text: keep it once.
        if policies[p].fragments.contains(value) { return }
        policies[p].fragments.append(value)
    }

    // MARK: - Finish

    private mutating func finish() -> Result {
        // Organization names known in the document: a department cell is never split
        // inside one of them (`デジタル市役所推進課` is one name, whatever its wraps).
        // Only documents with a space in some department cell need them.
        // Cells repeat from row to row: each distinct one is looked at once.
        let spaced = listings.contains { $0.department.containsSpace || ($0.formerDepartment?.containsSpace ?? false) }
        var known: Set<String> = []
        var readableCells: [StringBytesKey: String] = [:]
        if spaced {
            known.formUnion(ReadableName.knownNames(in: organization))
            known.insert(organization.filter { $0 != " " && $0 != "　" })
            var seen: Set<StringBytesKey> = []
            seen.reserveCapacity(2 * listings.count)
            for l in listings {
                if seen.insert(StringBytesKey(l.department)).inserted { known.formUnion(ReadableName.knownNames(in: l.department)) }
                if let former = l.formerDepartment, seen.insert(StringBytesKey(former)).inserted {
                    known.formUnion(ReadableName.knownNames(in: former))
                }
            }
        }
        func readableOrganization(_ raw: String) -> String {
            guard raw.containsSpace else { return raw }
            if let done = readableCells[StringBytesKey(raw)] { return done }
            let value = ReadableName.organization(raw, known: known)
            readableCells[StringBytesKey(raw)] = value
            return value
        }
        var out: [ListingRecord] = []
        out.reserveCapacity(listings.count)
        for var l in listings {
            if spaced {
                l.department = readableOrganization(l.department)
                l.formerDepartment = l.formerDepartment.map(readableOrganization)
            }
            let policyCode = l.policy.map { policies[$0].code } ?? ""
            let indicator: IndicatorRecord? =
                l.hasIndicator || !l.values.isEmpty
                ? IndicatorRecord(name: l.indicatorName, nameInferred: false, baseline: l.baseline, midtermTarget: l.midterm, values: l.values)
                : nil
            out.append(ListingRecord(
                no: l.no, policyCode: policyCode, program: l.program,
                programKey: FastKey.programKey(name: l.program, department: l.department),
                relisted: l.relisted, department: l.department, formerDepartment: l.formerDepartment,
                summary: l.summary, sdgGoals: l.sdgGoals, indicator: indicator, amounts: l.amounts,
                evaluation: l.evaluation, evaluationReason: l.reason, lines: Self.ascendingUnique(l.lines)))
        }
        let policyRecords = policies.map { p in
            PolicyRecord(
                code: p.code, codeKey: p.codeKey, name: p.name, evaluation: p.evaluation,
                evaluationText: p.fragments.isEmpty ? nil : p.fragments.joined(separator: " "),
                lines: Self.ascendingUnique(p.lines))
        }
        return Result(fiscalYear: fiscalYear, organization: organization, policies: policyRecords, listings: out, warnings: warnings)
    }

    static func ascendingUnique(_ lines: [Int]) -> [Int] {
        var ascending = true
        for i in lines.indices.dropFirst() where lines[i] <= lines[i - 1] { ascending = false; break }
        return ascending ? lines : Array(Set(lines)).sorted()
    }
}
