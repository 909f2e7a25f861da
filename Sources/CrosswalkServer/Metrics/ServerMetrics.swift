extension PrometheusText {
    /// Adds the protocol server's own families from `stats`: uptime, connections, commands by verb, errors by kind.
    ///
    /// Throws only if one of these family names was already added to this page.
    package mutating func addServerMetrics(_ stats: ServerStats) throws {
        let snapshot = stats.snapshot
        try addGauge(
            "crosswalk_uptime_seconds", help: "Seconds since the protocol server started.",
            value: stats.uptime.seconds)
        try addGauge(
            "crosswalk_connections_open", help: "Protocol connections open now.",
            value: Double(snapshot.connectionsCurrent))
        try addCounter(
            "crosswalk_connections_total", help: "Protocol connections accepted since start.",
            value: Double(snapshot.connectionsTotal))
        try addCounter(
            "crosswalk_connections_rejected_total",
            help: "Protocol connections refused because the connection limit was reached.",
            value: Double(snapshot.connectionsRejected))
        // Both label sets are bounded: only registered verbs are counted, and error kinds are a fixed list.
        try addFamily(
            "crosswalk_commands_total", type: .counter, help: "Protocol requests served, by command.",
            samples: snapshot.commands.map { Sample(labels: ["command": $0.key], value: Double($0.value)) })
        try addFamily(
            "crosswalk_errors_total", type: .counter, help: "Protocol error replies sent, by kind.",
            samples: snapshot.errors.map { Sample(labels: ["kind": $0.key], value: Double($0.value)) })
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
