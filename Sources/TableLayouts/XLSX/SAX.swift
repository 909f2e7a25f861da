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
    private var depth = 0
    private var failure: (message: String, line: Int)? = nil

    init(start: @escaping Start, end: @escaping End = { _ in }, text: @escaping Text = { _ in }) {
        self.start = start
        self.end = end
        self.text = text
    }

    /// Nil when the part parsed, else the parser's message and line. `parse()` alone is
    /// not trusted: on Linux it can return true after an error, and says nothing of a
    /// part cut off inside an element, so errors and open elements are counted here.
    func run(_ data: Data) -> (message: String, line: Int)? {
        let parser = XMLParser(data: data)
        parser.delegate = self
        parser.shouldProcessNamespaces = false
        let ok = parser.parse()
        if let failure { return failure }
        if !ok || parser.parserError != nil {
            return ("XML error \((parser.parserError as NSError?)?.code ?? -1)", parser.lineNumber)
        }
        if depth != 0 { return ("the part ends inside an element (truncated?)", parser.lineNumber) }
        return nil
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        if failure == nil {
            failure = ("XML error \((parseError as NSError).code)", parser.lineNumber)
        }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        depth += 1
        start(Self.local(elementName), attributeDict)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        depth -= 1
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
