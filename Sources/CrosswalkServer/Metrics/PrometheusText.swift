/// Builds a page in the Prometheus text exposition format, version 0.0.4.
///
/// Families appear in the order they were added; within a family, samples are ordered by
/// their labels, so the same values always render the same text.
///
/// ```swift
/// var text = PrometheusText()
/// try text.addGauge("crosswalk_store_programs", help: "Programs in the store.", value: 1234)
/// try text.addFamily(
///     "crosswalk_commands_total", type: .counter, help: "Commands served.",
///     samples: [.init(labels: ["command": "SDG"], value: 3)])
/// let page = text.render()
/// ```
package struct PrometheusText: Sendable {
    /// The metric types this builder writes.
    package enum MetricType: String, Sendable {
        case counter
        case gauge
    }

    /// One value of a family, told apart from its siblings by its labels.
    package struct Sample: Sendable, Equatable {
        /// Label names and values; values may be any text (they are escaped on output).
        package var labels: [String: String]
        package var value: Double

        /// A sample with the given labels (none by default) and value.
        package init(labels: [String: String] = [:], value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    private struct Family: Sendable {
        var name: String
        var type: MetricType
        var help: String
        /// Sorted by rendered label set.
        var samples: [(labels: String, value: Double)]
    }

    private var families: [Family] = []

    /// An empty page.
    package init() {}

    /// The names of the families added so far, in output order.
    package var familyNames: [String] { families.map(\.name) }

    /// Adds a family and all its samples. A family may have no samples (only HELP and TYPE are written).
    package mutating func addFamily(_ name: String, type: MetricType, help: String, samples: [Sample]) throws {
        guard Self.isValidMetricName(name) else { throw PrometheusTextError.invalidMetricName(name) }
        // Prometheus convention; it is what lets rate() users recognise a counter by its name.
        if type == .counter, !name.hasSuffix("_total") { throw PrometheusTextError.counterNameWithoutTotal(name) }
        guard !families.contains(where: { $0.name == name }) else { throw PrometheusTextError.duplicateFamily(name) }

        var rendered: [(labels: String, value: Double)] = []
        for sample in samples {
            for labelName in sample.labels.keys where !Self.isValidLabelName(labelName) {
                throw PrometheusTextError.invalidLabelName(metric: name, label: labelName)
            }
            if type == .counter, !(sample.value >= 0) {  // also refuses NaN
                throw PrometheusTextError.invalidCounterValue(metric: name, value: sample.value)
            }
            rendered.append((Self.renderLabels(sample.labels), sample.value))
        }
        rendered.sort { $0.labels < $1.labels }
        for (previous, next) in zip(rendered, rendered.dropFirst()) where previous.labels == next.labels {
            throw PrometheusTextError.duplicateSample(metric: name, labels: next.labels)
        }
        families.append(Family(name: name, type: type, help: help, samples: rendered))
    }

    /// Adds a gauge family with one unlabelled sample.
    package mutating func addGauge(_ name: String, help: String, value: Double) throws {
        try addFamily(name, type: .gauge, help: help, samples: [Sample(value: value)])
    }

    /// Adds a counter family (its name must end in `_total`) with one unlabelled sample.
    package mutating func addCounter(_ name: String, help: String, value: Double) throws {
        try addFamily(name, type: .counter, help: help, samples: [Sample(value: value)])
    }

    /// The page: for each family a `# HELP` line, a `# TYPE` line and its samples; every line ends in `\n`.
    package func render() -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(Self.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.type.rawValue)\n"
            for sample in family.samples {
                out += "\(family.name)\(sample.labels) \(Self.formatValue(sample.value))\n"
            }
        }
        return out
    }

    // MARK: Format rules

    /// Whether `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    package static func isValidMetricName(_ name: String) -> Bool {
        isIdentifier(name, extra: UInt8(ascii: ":"))
    }

    /// Whether `name` matches `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with the reserved `__`.
    package static func isValidLabelName(_ name: String) -> Bool {
        isIdentifier(name, extra: nil) && !name.hasPrefix("__")
    }

    private static func isIdentifier(_ name: String, extra: UInt8?) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { return false }
        func isLetterOrUnderscore(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || b == UInt8(ascii: "_") || b == extra
        }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        return isLetterOrUnderscore(first) && bytes.dropFirst().allSatisfy { isLetterOrUnderscore($0) || isDigit($0) }
    }

    /// HELP text escapes only backslash and newline (a quote is literal there).
    static func escapeHelp(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Label values escape backslash, double quote and newline.
    static func escapeLabelValue(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `{a="1",b="2"}` with names sorted, or nothing for no labels.
    private static func renderLabels(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escapeLabelValue($0.value))\"" }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    /// Whole numbers without a fraction (counts read as counts); otherwise Swift's shortest
    /// round-trip form, which Go's ParseFloat (Prometheus' parser) reads back exactly.
    static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

/// Why `PrometheusText` refused a family.
package enum PrometheusTextError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidMetricName(String)
    case invalidLabelName(metric: String, label: String)
    case counterNameWithoutTotal(String)
    case duplicateFamily(String)
    case duplicateSample(metric: String, labels: String)
    case invalidCounterValue(metric: String, value: Double)

    package var description: String {
        switch self {
        case .invalidMetricName(let name): "invalid metric name '\(name)'"
        case .invalidLabelName(let metric, let label): "invalid label name '\(label)' on \(metric)"
        case .counterNameWithoutTotal(let name): "counter '\(name)' must be named *_total"
        case .duplicateFamily(let name): "metric family '\(name)' added twice"
        case .duplicateSample(let metric, let labels): "\(metric) has two samples labelled \(labels)"
        case .invalidCounterValue(let metric, let value): "counter \(metric) cannot be \(value)"
        }
    }
}
