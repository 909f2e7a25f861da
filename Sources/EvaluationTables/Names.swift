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
        let pieces = Self.pieces(raw, ideographicSpace: false)
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
        return pieces(raw, ideographicSpace: true).filter(endsLikeOrganization)
    }

    /// `text` split at ASCII spaces (and U+3000 with `ideographicSpace`), empty pieces
    /// left out: what `split` over Characters gives. By bytes when every scalar of the
    /// text is a character of its own (no combining marks, joiners or the like, which
    /// would make a space part of a longer character): splitting by grapheme was most
    /// of the cost of reading department names.
    static func pieces(_ text: String, ideographicSpace: Bool) -> [String] {
        var text = text
        let byBytes: [String]? = text.withUTF8 { utf8 in
            guard scalarsStandAlone(utf8) else { return nil }
            var out: [String] = []
            var start = 0
            var i = 0
            let n = utf8.count
            while i < n {
                var separator = 0
                if utf8[i] == 0x20 {
                    separator = 1
                } else if ideographicSpace, i + 2 < n, utf8[i] == 0xE3, utf8[i + 1] == 0x80, utf8[i + 2] == 0x80 {
                    separator = 3
                }
                guard separator > 0 else { i += 1; continue }
                if i > start { out.append(String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<i]), as: UTF8.self)) }
                i += separator
                start = i
            }
            if n > start { out.append(String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<n]), as: UTF8.self)) }
            return out
        }
        if let byBytes { return byBytes }
        if ideographicSpace { return text.split(whereSeparator: { $0 == " " || $0 == "\u{3000}" }).map(String.init) }
        return text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    /// True when every scalar is printable ASCII or in the Japanese ranges where no
    /// scalar joins its neighbour into one character (kana without the combining
    /// sound marks, kanji, CJK punctuation, full-width forms, Roman numerals, circled
    /// digits).
    private static func scalarsStandAlone(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = utf8.count
        while i < n {
            let b0 = utf8[i]
            if b0 < 0x80 {
                guard b0 >= 0x20, b0 < 0x7F else { return false }
                i += 1
                continue
            }
            guard b0 >= 0xE0, b0 < 0xF0, i + 2 < n else { return false }
            let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(utf8[i + 1] & 0x3F) << 6) | UInt32(utf8[i + 2] & 0x3F)
            switch v {
            case 0x2160...0x217F, 0x2460...0x24FF, 0x3000...0x3029, 0x3030...0x3098, 0x309B...0x30FF,
                0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF9D:
                i += 3
            default:
                return false
            }
        }
        return true
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
