import Foundation
import TTSMonCore

/// One instance of the fleet as Prometheus sees it.
public struct FleetInstance: Sendable, Equatable {
    public var instance: String
    /// Prometheus' `up` for the scrape.
    public var up: Bool
    public var qps: Double?
    public var p95Ms: Int?
    public var cachePercent: Double?
    /// Traffic not on main there.
    public var onStandby: Bool?
}

/// What one round of queries returned: the dashboard's figures for the whole fleet.
public struct FleetReading: Sendable {
    public var snapshot: LiveSnapshot
    public var instances: [FleetInstance]
    /// Queries that failed (timeout, unreachable, bad answer), one line each.
    public var problems: [String]
    /// Whether any query was answered (else the figures are empty, not zero).
    public var reachable: Bool
}

/// The PromQL behind the dashboard's panels, over the metrics of `ttsmon export`.
public struct FleetQueries: Sendable {
    /// Label matchers every query adds, e.g. `job="tts"` (braces optional).
    public let selector: String
    public let window: LiveWindow

    public init(selector: String?, window: LiveWindow) {
        self.selector = FleetQueries.matchers(selector)
        self.window = window
    }

    /// The label matchers of a selector, without braces: `{job="tts"}` → `job="tts"`.
    public static func matchers(_ selector: String?) -> String {
        var s = (selector ?? "").trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("{"), s.hasSuffix("}") { s = String(s.dropFirst().dropLast()) }
        return s
    }

    /// The same queries narrowed to one instance (the split view's columns).
    public func narrowed(to instance: String) -> FleetQueries {
        FleetQueries(selector: [selector, "instance=" + PrometheusRules.quote(instance)].filter { !$0.isEmpty }.joined(separator: ","),
                     window: window)
    }

    /// `name{selector,extra}`.
    public func series(_ name: String, _ extra: String = "") -> String {
        let parts = [selector, extra].filter { !$0.isEmpty }
        return parts.isEmpty ? name : name + "{" + parts.joined(separator: ",") + "}"
    }

    var w: String { "[\(window.rawValue)]" }

    /// Runs every query concurrently (each bounded by the client's timeout) and assembles them.
    public func read(_ client: PromQLClient, now: Date = Date()) async -> FleetReading {
        let requests = ExportMetric.requests, duration = ExportMetric.requestDuration + "_bucket"
        var instant: [String: String] = [
            "total": "sum(\(series(requests)))",
            "window": "sum(increase(\(series(requests))\(w)))",
            "failed": "sum(increase(\(series(requests, "status=\"failed\""))\(w)))",
            "server": "sum(increase(\(series(requests, "code=~\"5..\""))\(w)))",
            "qps": "sum(rate(\(series(requests))\(w)))",
            "errors": "topk(10, sum by (code) (increase(\(series(requests, "status=\"failed\""))\(w))))",
            "errorsBefore": "sum by (code) (increase(\(series(requests, "status=\"failed\""))\(w) offset \(window.rawValue)))",
            "stages": "histogram_quantile(0.95, sum by (le, stage) (rate(\(series(ExportMetric.stageDuration + "_bucket"))\(w))))",
            "stageCounts": "sum by (stage) (increase(\(series(ExportMetric.stageDuration + "_count"))\(w)))",
            "cache": "max(\(series(ExportMetric.cacheUsed)))",
            "threshold": "max(\(series(ExportMetric.cacheThreshold)))",
            "lines": "sum(\(series(ExportMetric.linesTotal)))",
            "unparsed": "sum(\(series(ExportMetric.unparsedLines)))",
            "up": series("up"),
            "instanceQPS": "sum by (instance) (rate(\(series(requests))\(w)))",
            "instanceP95": "histogram_quantile(0.95, sum by (instance, le) (rate(\(series(duration))\(w))))",
            "instanceCache": "max by (instance) (\(series(ExportMetric.cacheUsed)))",
            "instanceStandby": "max by (instance) (\(series(ExportMetric.trafficOnStandby)))",
        ]
        for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
            instant[name] = "histogram_quantile(\(q), sum by (le) (rate(\(series(duration))\(w))))"
        }
        let seconds = Double(window.seconds)
        let rangeQuery = "sum(rate(\(series(requests))[1m]))"
        var results: [String: [PromSample]] = [:]
        var problems: [String] = []
        var qpsSeries: [PromSeries] = []
        // The range query runs alongside the instant ones, not after them.
        async let range = client.queryRange(rangeQuery, start: now.addingTimeInterval(-seconds), end: now, step: max(1, seconds / 60))
        await withTaskGroup(of: (String, Result<[PromSample], InputError>).self) { group in
            for (name, q) in instant { group.addTask { (name, await client.query(q, at: now)) } }
            for await (name, result) in group {
                switch result {
                case .success(let samples): results[name] = samples
                case .failure(let e): problems.append("\(name): \(e.description)")
                }
            }
        }
        switch await range {
        case .success(let s): qpsSeries = s
        case .failure(let e): problems.append("qps series: \(e.description)")
        }
        return FleetReading(snapshot: snapshot(results, qpsSeries: qpsSeries, now: now),
                            instances: instances(results), problems: problems.sorted(), reachable: !results.isEmpty)
    }

    func snapshot(_ r: [String: [PromSample]], qpsSeries: [PromSeries], now: Date) -> LiveSnapshot {
        func scalar(_ name: String) -> Double? { r[name]?.first.map(\.value).flatMap { $0.isFinite ? $0 : nil } }
        func ms(_ name: String) -> Int? { scalar(name).map { Int(($0 * 1000).rounded()) } }
        var snap = LiveSnapshot(window: window)
        let time = LogTimestamp(localTime: now)
        snap.time = time
        snap.latest = time
        snap.requests.total = Int((scalar("total") ?? 0).rounded())
        snap.requests.window = Int((scalar("window") ?? 0).rounded())
        snap.requests.failed = Int((scalar("failed") ?? 0).rounded())
        snap.requests.success = max(0, snap.requests.window - snap.requests.failed)
        snap.requests.serverErrors = Int((scalar("server") ?? 0).rounded())
        snap.requests.qps = scalar("qps") ?? 0
        snap.requests.coveredSeconds = window.seconds
        snap.serverErrorRatio = snap.requests.window > 0 ? Double(snap.requests.serverErrors) / Double(snap.requests.window) : nil
        snap.latency.p50 = ms("p50"); snap.latency.p90 = ms("p90"); snap.latency.p95 = ms("p95"); snap.latency.p99 = ms("p99")
        snap.latency.count = snap.requests.window
        snap.latency.errorBound = .nan   // interpolated within histogram buckets, not bounded per value
        let before = Dictionary((r["errorsBefore"] ?? []).map { ($0.labels["code"] ?? "?", $0.value) }, uniquingKeysWith: +)
        let errorRows = (r["errors"] ?? []).filter { $0.value.isFinite && $0.value >= 0.5 }
        let failed = max(1, errorRows.reduce(0) { $0 + $1.value })
        snap.errors = errorRows.map { s in
            let code = Sanitizer.clean(s.labels["code"] ?? "?")
            let count = Int(s.value.rounded())
            let previous = Int((before[code] ?? 0).rounded())
            return LiveSnapshot.ErrorRow(code: code, count: count, share: s.value / failed, previous: previous,
                                         trend: LiveMetrics.trend(now: count, before: previous))
        }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.code < $1.code }
        let counts = Dictionary((r["stageCounts"] ?? []).map { ($0.labels["stage"] ?? "", $0.value) }, uniquingKeysWith: +)
        snap.stages = PipelineStage.allCases.compactMap { stage in
            guard let s = r["stages"]?.first(where: { $0.labels["stage"] == stage.name }), s.value.isFinite else { return nil }
            return LiveSnapshot.StageRow(stage: stage.name, p95: Int((s.value * 1000).rounded()), count: Int((counts[stage.name] ?? 0).rounded()))
        }
        snap.cache.usedPercent = scalar("cache").map { $0 * 100 }
        snap.cache.threshold = scalar("threshold").map { $0 * 100 }
        snap.cache.readingTime = snap.cache.usedPercent == nil ? nil : time
        snap.lines.total = Int((scalar("lines") ?? 0).rounded())
        snap.lines.unparsed = Int((scalar("unparsed") ?? 0).rounded())
        snap.qpsSeries = (qpsSeries.first?.values ?? []).map { $0.value.isFinite ? $0.value : 0 }
        return snap
    }

    func instances(_ r: [String: [PromSample]]) -> [FleetInstance] {
        func by(_ name: String) -> [String: Double] {
            Dictionary((r[name] ?? []).compactMap { s in s.labels["instance"].map { ($0, s.value) } }, uniquingKeysWith: max)
        }
        let up = by("up"), qps = by("instanceQPS"), p95 = by("instanceP95"), cache = by("instanceCache"), standby = by("instanceStandby")
        return Set(up.keys).union(qps.keys).sorted().map { name in
            FleetInstance(instance: Sanitizer.clean(name), up: (up[name] ?? 0) >= 1, qps: qps[name],
                          p95Ms: p95[name].flatMap { $0.isFinite ? Int(($0 * 1000).rounded()) : nil },
                          cachePercent: cache[name].map { $0 * 100 }, onStandby: standby[name].map { $0 >= 1 })
        }
    }
}
