import Foundation

extension LiveSnapshot {
    /// The snapshot as `watch` prints it: the documented keys in the documented order, `null`
    /// for figures without data, without `sources` (see `json(sources:)`). Keys beyond the
    /// contract come after the contract's keys of the same object.
    public var json: JSONValue { json(sources: nil) }

    /// The snapshot's JSON with the follower's `sources` array placed before `lines`.
    public func json(sources: JSONValue?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("time", .string(time?.logText)),
            ("window", .string(window.rawValue)),
            ("requests", .object([
                ("total", .int(requests.total)), ("window", .int(requests.window)),
                ("success", .int(requests.success)), ("failed", .int(requests.failed)),
                ("qps", .double(requests.qps, places: 3)),
                ("cache_hit_ratio", .double(cacheHitRatio, places: 4)),
                ("server_errors", .int(requests.serverErrors)),
                ("server_error_ratio", .double(serverErrorRatio, places: 4)),
                ("in_flight", .int(requests.inFlight)),
            ])),
            ("latency_ms", .object([
                ("p50", .int(latency.p50)), ("p90", .int(latency.p90)), ("p95", .int(latency.p95)),
                ("p99", .int(latency.p99)), ("max", .int(latency.max)),
                ("error_bound", .double(latency.errorBound)),
            ])),
            ("rtf", rtf.map { r in .object([("p50", .double(r.p50, places: 4)), ("p95", .double(r.p95, places: 4)),
                                             ("p99", .double(r.p99, places: 4)), ("max", .double(r.max, places: 4))]) } ?? .null),
            ("audio_seconds", audioSeconds.map { .object([("total", .double($0, places: 3))]) } ?? .null),
            ("errors", .array(errors.map { e in
                .object([("code", .string(Sanitizer.clean(e.code))), ("count", .int(e.count)),
                         ("share", .double(e.share, places: 4)), ("trend", .string(e.trend.rawValue)),
                         ("previous", .int(e.previous))])
            })),
            ("stages", .array(stages.map { s in
                .object([("stage", .string(Sanitizer.clean(s.stage))), ("p95", .int(s.p95)), ("count", .int(s.count))])
            })),
            ("cache", .object([
                ("used_percent", .double(cache.usedPercent, places: 2)),
                ("threshold", .double(cache.threshold, places: 2)),
                ("slope_per_min", .double(cache.slopePerMinute, places: 4)),
                ("full_in_s", .double(cache.fullInSeconds, places: 0)),
                ("readings", .int(cache.readings)),
            ])),
            ("failovers", .array(failovers.map { f in
                .object([("time", .string(f.time.logText)), ("from", .string(f.from.map(Sanitizer.clean))),
                         ("to", .string(Sanitizer.clean(f.to))), ("message", .string(Sanitizer.clean(f.message)))])
            })),
            ("alerts", .array(alerts.map(\.json))),
            ("signals", .array(signals.map { s in
                .object([("time", .string(s.time.logText)), ("kind", .string(s.kind.rawValue)),
                         ("detail", .string(s.detail)), ("id", .string(s.id))])
            })),
        ]
        if let sources { members.append(("sources", sources)) }
        members.append(("lines", .object([
            ("total", .int(lines.total)), ("parsed", .int(lines.parsed)),
            ("continuation", .int(lines.continuation)), ("unparsed", .int(lines.unparsed)),
            ("out_of_order", .int(lines.outOfOrder)),
        ])))
        members.append(("by_text_length", .array(byTextLength.map { b in
            .object([("bucket", .string(b.bucket.label)), ("requests", .int(b.requests)), ("failed", .int(b.failed))])
        })))
        members.append(("by_gpu", .array(byGPU.map { g in
            .object([("gpu_id", .int(g.gpuID)), ("requests", .int(g.requests)), ("failed", .int(g.failed))])
        })))
        return .object(members)
    }

    /// One compact line, e.g.
    /// `08:01:10 5m 1234 req 20.5/s p50 660ms p95 3.8s p99 8.0s err 6.1% top MODEL_LOAD_TIMEOUT(43%) cache 92.7%↑ failovers 1`.
    /// Parts without data are `-` or left out (top code, cache, signals).
    public var text: String {
        var parts: [String] = []
        parts.append(time.map(LiveFormat.clock) ?? "--:--:--")
        parts.append(window.rawValue)
        parts.append("\(requests.window) req")
        parts.append(LiveFormat.decimal(requests.qps, places: 1) + "/s")
        parts.append("p50 " + LiveFormat.ms(latency.p50))
        parts.append("p95 " + LiveFormat.ms(latency.p95))
        parts.append("p99 " + LiveFormat.ms(latency.p99))
        parts.append("err " + (requests.window > 0
            ? LiveFormat.decimal(100 * Double(requests.failed) / Double(requests.window), places: 1) + "%" : "-"))
        if let top = errors.first {
            parts.append("top \(Sanitizer.clean(top.code))(\(Int((top.share * 100).rounded()))%)")
        }
        if let used = cache.usedPercent {
            let arrow = cache.slopePerMinute.map { $0 > 0 ? "↑" : $0 < 0 ? "↓" : "→" } ?? ""
            parts.append("cache " + LiveFormat.decimal(used, places: 1) + "%" + arrow)
        }
        parts.append("failovers \(failoversInWindow)")
        if !signals.isEmpty { parts.append("signals \(signals.count)") }
        return parts.joined(separator: " ")
    }
}

/// Number formatting of the live line (and the dashboard's figures).
public enum LiveFormat {
    /// `HH:MM:SS` of a log time.
    static func clock(_ time: LogTimestamp) -> String {
        let c = time.components
        return String(format: "%02d:%02d:%02d", c.hour, c.minute, c.second)
    }

    /// Milliseconds below a second (`660ms`), else seconds with one decimal (`3.8s`); `-` for nil.
    static func ms(_ value: Int?) -> String {
        guard let value else { return "-" }
        return value < 1000 ? "\(value)ms" : decimal(Double(value) / 1000, places: 1) + "s"
    }

    /// `value` with `places` decimals.
    public static func decimal(_ value: Double, places: Int) -> String {
        String(format: "%.\(places)f", value)
    }

    /// The shortest plain form of a number: `5`, `0.05`, `92.5`.
    public static func trimmed(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
