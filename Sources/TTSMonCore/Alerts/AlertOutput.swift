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
        let shown = value.map(rule.signal.format) ?? "-"
        return "\(rule.name) \(state.rawValue) since \(LiveFormat.clock(since)) (\(shown) \(rule.comparison.rawValue) \(rule.signal.format(rule.threshold)))"
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
