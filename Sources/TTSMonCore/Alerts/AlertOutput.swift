/// JSON and text forms of alerts, shared by `watch`, `report` and the dashboard.
extension AlertStatus {
    /// `{"name", "state", "since", "value", "threshold", "summary"}` (plus severity and expr).
    public var json: JSONValue {
        .object([
            ("name", .string(rule.name)), ("state", .string(state.rawValue)), ("since", .string(since.logText)),
            ("value", .double(value, places: 4)), ("threshold", .double(rule.threshold)),
            ("summary", .string(Sanitizer.clean(rule.summary))), ("severity", .string(Sanitizer.clean(rule.severity))),
            ("expr", .string(rule.expression)),
        ])
    }

    /// `HighP95Latency firing since 10:05:11 (6.20s > 5)`.
    public var line: String {
        "\(rule.name) \(state.rawValue) since \(LiveFormat.clock(since))" + (comparisonText.map { " (\($0))" } ?? "")
    }

    /// What the rule compared, never a false inequality: `5.04% > 5.0%`, not `5.0%>5.0%` (the
    /// value gets more decimals until it reads differently from the threshold). Nil for a
    /// resolved or inactive alert (whose value no longer meets the rule), for flags, and when
    /// there is no value.
    public var comparisonText: String? {
        guard state == .firing || state == .pending, rule.signal.unit != .flag, let value else { return nil }
        let threshold = rule.signal.format(rule.threshold)
        var shown = rule.signal.format(value)
        var extra = 0
        while shown == threshold, value != rule.threshold, extra < 4 {
            extra += 1
            shown = rule.signal.format(value, extraPlaces: extra)
        }
        let symbol = shown == threshold && value != rule.threshold ? "≈" : rule.comparison.symbol
        return shown + " " + symbol + " " + threshold
    }
}

extension AlertInterval {
    /// `{"name", "state", "start", "end", "value", "threshold", "summary"}`; `end` is null while
    /// still firing, `value` the worst value of the interval.
    public var json: JSONValue {
        .object([
            ("name", .string(rule.name)), ("state", .string(end == nil ? "firing" : "resolved")),
            ("start", .string(start.logText)), ("end", .string(end?.logText)),
            ("value", .double(peak, places: 4)), ("threshold", .double(rule.threshold)),
            ("summary", .string(Sanitizer.clean(rule.summary))), ("severity", .string(Sanitizer.clean(rule.severity))),
        ])
    }
}
