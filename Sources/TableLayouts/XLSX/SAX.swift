import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Streams one XML part through a handler: element starts and ends, and the text between.
/// Workbook parts are read with this rather than a tree, so a large sheet costs its cells,
/// not a DOM.
final class SAXRunner: NSObject, XMLParserDelegate {
    typealias Start = (_ name: String, _ attributes: [String: String]) -> Void
    typealias End = (_ name: String) -> Void
    typealias Text = (_ text: String) -> Void

    private let start: Start
    private let end: End
    private let text: Text

    init(start: @escaping Start, end: @escaping End = { _ in }, text: @escaping Text = { _ in }) {
        self.start = start
        self.end = end
        self.text = text
    }

    /// Nil when the part parsed, else the parser's message and line.
    func run(_ data: Data) -> (message: String, line: Int)? {
        let parser = XMLParser(data: data)
        parser.delegate = self
        parser.shouldProcessNamespaces = false
        if parser.parse() { return nil }
        let message = parser.parserError.map { "\($0.localizedDescription)" } ?? "invalid XML"
        return (message, parser.lineNumber)
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        start(Self.local(elementName), attributeDict)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        end(Self.local(elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text(string)
    }

    /// `x:row` → `row`: some writers prefix SpreadsheetML with a namespace.
    static func local(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}
