import Foundation

/// A horizontal bar chart as inline SVG: per bar, the goal number on a square of its
/// colour, the label, the bar (length proportional to the value, in the colour) and
/// the value with thousands separators and the unit. No scripts, no external fonts,
/// no namespace URL (inline SVG in HTML needs none, and the file names no address).
package struct SVGBarChart: Sendable {
    package var width = 1000
    package var rowHeight = 34
    package var labelWidth = 330
    /// Room kept right of the longest bar for its value.
    package var valueWidth = 170
    /// Used for a colour that is not `#RRGGBB`.
    package static let fallbackColor = "#888888"
    /// Where a bar links to (a page per goal); nil in a report file.
    package var goalLink: (@Sendable (Int) -> String)?

    package init() {}

    package func render(_ chart: BarChart) -> String {
        let barArea = Double(width - labelWidth - valueWidth)
        let maximum = chart.bars.map(\.value).max() ?? 0
        let height = rowHeight * chart.bars.count + 12
        var out = """
            <svg class="chart" viewBox="0 0 \(width) \(height)" width="100%" \
            role="img" aria-label="\(HTMLEscape.escape(chart.title))">\n
            """
        out += "<line x1=\"\(labelWidth)\" y1=\"2\" x2=\"\(labelWidth)\" y2=\"\(height - 6)\" stroke=\"#B0B7BF\" stroke-width=\"1\"/>\n"
        for (index, bar) in chart.bars.enumerated() {
            let top = 6 + index * rowHeight
            let color = ReportText.hexColor(bar.color) ?? Self.fallbackColor
            let fraction = maximum > 0 ? NSDecimalNumber(decimal: bar.value / maximum).doubleValue : 0
            let length = (barArea * max(0, fraction) * 10).rounded() / 10
            let value = "\(ReportText.grouped(bar.value)) \(chart.unit)"
            let label = HTMLEscape.escape(bar.label)
            if let goalLink { out += "<a href=\"\(HTMLEscape.escape(goalLink(bar.number)))\">" }
            out += "<g class=\"row\" data-goal=\"\(bar.number)\">"
            out += "<title>\(bar.number) \(label): \(HTMLEscape.escape(value))</title>"
            out += "<rect class=\"badge\" x=\"0\" y=\"\(top)\" width=\"26\" height=\"26\" rx=\"3\" fill=\"\(color)\"/>"
            out += "<text class=\"badge-number\" x=\"13\" y=\"\(top + 18)\" text-anchor=\"middle\">\(bar.number)</text>"
            out += "<text class=\"label\" x=\"36\" y=\"\(top + 18)\">\(label)</text>"
            out += "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(top + 2)\" width=\"\(Self.number(length))\" height=\"22\" fill=\"\(color)\"/>"
            out += "<text class=\"value\" x=\"\(Self.number(Double(labelWidth) + length + 8))\" y=\"\(top + 18)\">\(HTMLEscape.escape(value))</text>"
            out += goalLink == nil ? "</g>\n" : "</g></a>\n"
        }
        out += "</svg>"
        return out
    }

    /// `12.5`, `12` (SVG lengths without trailing zeros).
    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
