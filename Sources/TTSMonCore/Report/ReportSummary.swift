import Foundation

/// The figures `ttsmon report` prints, computed from a finished accumulator.
public struct ReportSummary: Sendable {
    public struct Latency: Sendable { public var p50, p90, p95, p99, max: Int?; public var mean: Double? }
    public struct ErrorShare: Sendable { public var code: String; public var count: Int; public var share: Double }
    public struct StageStats: Sendable { public var stage: String; public var count: Int; public var p50, p95, p99: Int? }
    /// Real-time factors (nearest rank), as plain numbers.
    public struct RTF: Sendable { public var p50, p95, p99, max: Double }
    public struct BucketRow: Sendable { public var bucket: String; public var requests, failed: Int; public var p95: Int? }

    public var files: [ReportFile]
    public var first: LogTimestamp?
    public var last: LogTimestamp?
    public var total, success, failed, serverErrors: Int
    public var cacheHitRatio: Double?
    public var latency: Latency
    /// nil when no request carried a real-time factor.
    public var rtf: RTF?
    /// Seconds of audio the requests produced; nil when none said.
    public var audioSeconds: Double?
    public var errors: [ErrorShare]
    public var stages: [StageStats]
    public var byTextLength: [BucketRow]
    /// Requests by GPU (`gpu_id`), by id; empty when the log names none.
    public var byGPU: [GPURow]
    public struct GPURow: Sendable { public var gpuID: Int; public var requests, failed: Int; public var p95: Int? }
    public var cache: CacheReadings
    public var failovers: [FailoverEvent]
    public var lines: LineCounts
    public var warnings: [String]
    /// Every interval during which an alert rule fired over the log's time, by start.
    public var alerts: [AlertInterval]

    /// Seconds between the first and last timestamped record.
    public var seconds: Double? {
        guard let first, let last else { return nil }
        return first.seconds(until: last)
    }

    /// Requests per second over the span.
    public var qps: Double? {
        guard let s = seconds, s > 0 else { return nil }
        return Double(total) / s
    }

    /// Builds the summary; `top` limits the error list.
    public init(_ outcome: ReportOutcome, top: Int? = nil) {
        let a = outcome.accumulator
        files = outcome.files
        first = a.first; last = a.last
        total = a.total; success = a.success; failed = a.failed; serverErrors = a.serverErrors
        cacheHitRatio = a.cacheKnown > 0 ? Double(a.cacheHits) / Double(a.cacheKnown) : nil
        latency = Latency(p50: a.latency.percentile(perMille: 500), p90: a.latency.percentile(perMille: 900),
                          p95: a.latency.percentile(perMille: 950), p99: a.latency.percentile(perMille: 990),
                          max: a.latency.count > 0 ? a.latency.maximum : nil, mean: a.latency.mean)
        if a.rtf.count > 0 {
            func q(_ perMille: Int) -> Double { Double(a.rtf.percentile(perMille: perMille) ?? 0) / 10_000 }
            rtf = RTF(p50: q(500), p95: q(950), p99: q(990), max: Double(a.rtf.maximum) / 10_000)
        }
        audioSeconds = a.audioKnown > 0 ? Double(a.audioMs) / 1000 : nil
        let failedTotal = a.errorCounts.values.reduce(0, +)
        var errs = a.errorCounts.map { ErrorShare(code: $0.key, count: $0.value, share: Double($0.value) / Double(max(1, failedTotal))) }
        errs.sort { $0.count != $1.count ? $0.count > $1.count : $0.code < $1.code }
        if let top { errs = Array(errs.prefix(max(0, top))) }
        errors = errs
        stages = a.stages.enumerated().compactMap { i, h in
            guard h.count > 0 else { return nil }
            return StageStats(stage: a.stageNames.names[i], count: h.count, p50: h.percentile(perMille: 500),
                              p95: h.percentile(perMille: 950), p99: h.percentile(perMille: 990))
        }
        byTextLength = TextLengthBucket.allCases.compactMap { bucket in
            let b = a.buckets[bucket.rawValue]
            if bucket == .unknown, b.requests == 0 { return nil }
            return BucketRow(bucket: bucket.label, requests: b.requests, failed: b.failed, p95: b.latency.percentile(perMille: 950))
        }
        byGPU = a.byGPU.keys.sorted().map { id in
            let g = a.byGPU[id]!
            return GPURow(gpuID: id, requests: g.requests, failed: g.failed, p95: g.latency.percentile(perMille: 950))
        }
        cache = a.cache
        failovers = ReportSummary.resolveFrom(a.failovers.sorted { $0.time < $1.time })
        lines = a.lines
        warnings = outcome.warnings
        var series = a.alertSeries
        var engine = outcome.alertEngine ?? AlertEngine(rules: outcome.rules)
        if let last = a.last { engine.evaluateLog(&series, through: last.second) }
        alerts = engine.currentIntervals
    }

    /// Fills in each switch's `from` when the line did not say: the previous switch's target.
    static func resolveFrom(_ events: [FailoverEvent]) -> [FailoverEvent] {
        var active: String?
        return events.map { event in
            var e = event
            e.from = FailoverEvent.resolvedFrom(logged: e.from, to: e.to, active: active)
            active = e.to
            return e
        }
    }

    /// The report as the documented JSON object.
    public var json: JSONValue {
        .object([
            ("files", .array(files.map { .object([("path", .string($0.path)), ("format", .string($0.format)),
                                                  ("lines", .int($0.lines)), ("compressed", .bool($0.compressed))]) })),
            ("span", .object([("first", .string(first?.logText)), ("last", .string(last?.logText)),
                              ("seconds", .double(seconds, places: 3))])),
            ("requests", .object([("total", .int(total)), ("success", .int(success)), ("failed", .int(failed)),
                                  ("qps", .double(qps, places: 3)), ("cache_hit_ratio", .double(cacheHitRatio, places: 4)),
                                  ("server_errors", .int(serverErrors)),
                                  ("server_error_ratio", .double(total > 0 ? Double(serverErrors) / Double(total) : nil, places: 4))])),
            ("latency_ms", .object([("p50", .int(latency.p50)), ("p90", .int(latency.p90)), ("p95", .int(latency.p95)),
                                    ("p99", .int(latency.p99)), ("max", .int(latency.max)),
                                    ("mean", .double(latency.mean, places: 1))])),
            ("rtf", rtf.map { r in .object([("p50", .double(r.p50, places: 4)), ("p95", .double(r.p95, places: 4)),
                                             ("p99", .double(r.p99, places: 4)), ("max", .double(r.max, places: 4))]) } ?? .null),
            ("audio_seconds", audioSeconds.map { .object([("total", .double($0, places: 3))]) } ?? .null),
            ("errors", .array(errors.map { .object([("code", .string($0.code)), ("count", .int($0.count)),
                                                    ("share", .double($0.share, places: 4))]) })),
            ("stages", .array(stages.map { .object([("stage", .string($0.stage)), ("count", .int($0.count)),
                                                    ("p50", .int($0.p50)), ("p95", .int($0.p95)), ("p99", .int($0.p99))]) })),
            ("by_text_length", .array(byTextLength.map { .object([("bucket", .string($0.bucket)), ("requests", .int($0.requests)),
                                                                  ("failed", .int($0.failed)), ("p95_ms", .int($0.p95))]) })),
            ("by_gpu", .array(byGPU.map { .object([("gpu_id", .int($0.gpuID)), ("requests", .int($0.requests)),
                                                  ("failed", .int($0.failed)), ("p95_ms", .int($0.p95))]) })),
            ("cache", .object([("used_percent", .double(cache.last?.percent, places: 2)),
                               ("max_used_percent", .double(cache.maxPercent, places: 2)),
                               ("threshold", .double(cache.threshold, places: 2)), ("samples", .int(cache.samples))])),
            ("failovers", .array(failovers.map { .object([("time", .string($0.time.logText)), ("from", .string($0.from)),
                                                          ("to", .string($0.to)), ("message", .string(Sanitizer.clean($0.message)))]) })),
            ("lines", .object([("total", .int(lines.total)), ("parsed", .int(lines.parsed)),
                               ("continuation", .int(lines.continuation)), ("unparsed", .int(lines.unparsed))])),
            ("alerts", .array(alerts.map(\.json))),
            ("warnings", .array(warnings.map { .string(Sanitizer.clean($0)) })),
        ])
    }
}
