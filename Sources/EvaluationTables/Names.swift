/// Readable names (program, policy, department, former department): the one place
/// that decides which spaces in a name are PDF wrap artefacts and which are real.
///
/// Names hold no sentences, so in a name — on any page, wrapped or not — a space
/// between two Japanese characters is a wrap (`第26局 公園連携 事業` →
/// `第26局公園連携事業`), and a space next to a Latin letter, a digit or ASCII
/// punctuation is real (`KitaQ DX推進事業`). The one real space between Japanese
/// characters is the separator between two organization names in a department cell
/// (`デジタル市役所推進室 デジタル市役所推進課`): there a space is kept when the text
/// before it (since the previous kept space) is an organization name — it ends like
/// one (課, 室, 局 …) or is known in the document (`卸売市場` as a department cell) —
/// and the rest of the cell is one too or the space is the cell's only one, unless a
/// known name runs across the space.
enum ReadableName {
    /// Program and policy names: wrap spaces removed (see `ByteText.dewrapped`).
    static func plain(_ name: String) -> String {
        guard name.containsSpace else { return name }
        var name = name
        return name.withUTF8 { ByteText(buf: $0).dewrapped(0..<$0.count) }
    }

    /// Endings of organization names. Not a bare 所: `デジタル市役所推進室` wrapped after
    /// 所 would read as two names.
    static let suffixes = ["課", "室", "局", "部", "係", "館", "署", "班", "区", "センター", "委員会", "本部", "役場",
                           "事務所", "保健所", "研究所", "研修所", "支所", "出張所", "区役所"]
    private static let suffixBytes = suffixes.map { Array($0.utf8) }

    /// At least three characters, ending in one of `suffixes` (compared as UTF-8).
    static func endsLikeOrganization(_ name: String) -> Bool {
        let bytes = name.utf8
        guard bytes.count >= 7 else { return false }
        // The ending first, over contiguous bytes; the characters are counted only then.
        let ends = bytes.withContiguousStorageIfAvailable { buf in
            suffixBytes.contains { suffix in suffix.count <= buf.count && buf[(buf.count - suffix.count)...].elementsEqual(suffix) }
        } ?? suffixBytes.contains { suffix in suffix.count <= bytes.count && bytes.suffix(suffix.count).elementsEqual(suffix) }
        return ends && name.unicodeScalars.count >= 3
    }

    /// A department cell as written (spaces included) made readable. `known` holds
    /// organization names without spaces seen in the document (the title's, and
    /// department cells); a known name is never split.
    static func organization(_ raw: String, known: Set<String>) -> String {
        guard raw.containsSpace else { return raw }
        let pieces = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard pieces.count > 1 else { return pieces.first ?? raw }
        // The same name written without spaces elsewhere in the document.
        let joined = pieces.joined()
        if known.contains(joined) { return joined }
        var out = pieces[0]
        var segment = pieces[0]  // the name being read, without wrap spaces
        for i in 1..<pieces.count {
            let next = pieces[i]
            let left = segment.unicodeScalars.last!.value
            let right = next.unicodeScalars.first!.value
            let rest = pieces[i...].joined()
            let isName = { (name: String) in endsLikeOrganization(name) || known.contains(name) }
            // The only space of a cell, right after an organization name, separates it
            // from the next name whatever that ends in (`上下水道局 卸売市場`); wrapped
            // cells have a space every few characters.
            let only = pieces.count == 2 && rest.unicodeScalars.count >= 2
            let separator = !CharClass.isWrapSpace(left: left, right: right)
                || (isName(segment) && (isName(rest) || only) && !knownRunsAcross(segment, rest, known))
            if separator {
                out += " " + next
                segment = next
            } else {
                out += next
                segment += next
            }
        }
        return out
    }

    /// True when a known name starts with `segment` and goes on into `rest`.
    private static func knownRunsAcross(_ segment: String, _ rest: String, _ known: Set<String>) -> Bool {
        let whole = Array((segment + rest).utf8)
        let start = segment.utf8.count
        return known.contains { name in
            let bytes = name.utf8
            return bytes.count > start && bytes.count <= whole.count && whole.prefix(bytes.count).elementsEqual(bytes)
        }
    }

    /// Names worth knowing from one department cell: the whole cell when it has no
    /// space, else its space-separated parts that end like organization names.
    static func knownNames(in raw: String) -> [String] {
        guard raw.containsSpace || hasIdeographicSpace(raw) else { return raw.isEmpty ? [] : [raw] }
        return raw.split(whereSeparator: { $0 == " " || $0 == "\u{3000}" }).map(String.init).filter(endsLikeOrganization)
    }

    /// U+3000 (E3 80 80) in `text`, by bytes.
    private static func hasIdeographicSpace(_ text: String) -> Bool {
        var previous: (UInt8, UInt8) = (0, 0)
        for b in text.utf8 {
            if previous == (0xE3, 0x80) && b == 0x80 { return true }
            previous = (previous.1, b)
        }
        return false
    }
}
