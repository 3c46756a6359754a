import Foundation

extension ReportSummary {
    /// A human summary with aligned tables and units.
    public var text: String {
        var out: [String] = []
        let span = seconds.map { Format.duration(seconds: $0) } ?? "-"
        out.append("ttsmon report — \(files.count) file\(files.count == 1 ? "" : "s"), \(Format.count(lines.total)) lines")
        out.append("  span      \(first?.logText ?? "-") → \(last?.logText ?? "-")  (\(span))")
        let failedShare = total > 0 ? Format.percent(Double(failed) / Double(total)) : "-"
        out.append("  requests  \(Format.count(total)) total, \(Format.count(success)) ok, \(Format.count(failed)) failed (\(failedShare)), \(qps.map { String(format: "%.2f", $0) } ?? "-") req/s")
        if let ratio = cacheHitRatio { out.append("  cache hit \(Format.percent(ratio))") }
        if serverErrors > 0 { out.append("  5xx       \(Format.count(serverErrors)) (\(Format.percent(Double(serverErrors) / Double(max(1, total)))))") }
        out.append("")
        out.append("Latency (end to end, exact nearest-rank)")
        var lat = TextTable(["p50", "p90", "p95", "p99", "max", "mean"], alignments: Array(repeating: .right, count: 6))
        lat.add([latency.p50, latency.p90, latency.p95, latency.p99, latency.max].map { Format.ms($0) }
                + [latency.mean.map { Format.ms(Int($0.rounded())) } ?? "-"])
        out.append(lat.render())
        if let rtf {
            let audio = audioSeconds.map { ", \(Format.duration(seconds: $0)) of audio" } ?? ""
            out.append(String(format: "  RTF       p50 %.3f  p95 %.3f  p99 %.3f  max %.3f", rtf.p50, rtf.p95, rtf.p99, rtf.max) + audio)
        }
        if !errors.isEmpty {
            out.append("")
            out.append("Errors (failed requests by code)")
            var t = TextTable(["code", "count", "share"], alignments: [.left, .right, .right])
            for e in errors { t.add([Sanitizer.clean(e.code), Format.count(e.count), Format.percent(e.share)]) }
            out.append(t.render())
        }
        if !stages.isEmpty {
            out.append("")
            out.append("Stages")
            var t = TextTable(["stage", "count", "p50", "p95", "p99"], alignments: [.left, .right, .right, .right, .right])
            for s in stages { t.add([s.stage, Format.count(s.count), Format.ms(s.p50), Format.ms(s.p95), Format.ms(s.p99)]) }
            out.append(t.render())
        }
        out += ReportSummary.breakdown("By text length (characters)", key: "length",
                                       byTextLength.map { ($0.bucket, $0.requests, $0.failed, $0.p95) })
        out += ReportSummary.breakdown("By GPU", key: "gpu", byGPU.map { (String($0.gpuID), $0.requests, $0.failed, $0.p95) })
        if cache.samples > 0 {
            out.append("")
            let threshold = cache.threshold.map { String(format: " (threshold %.1f%%)", $0) } ?? ""
            out.append("Cache fill: now \(String(format: "%.1f%%", cache.last?.percent ?? 0)), max \(String(format: "%.1f%%", cache.maxPercent ?? 0))\(threshold), \(cache.samples) readings")
        }
        if !failovers.isEmpty {
            out.append("")
            out.append("Failovers")
            var t = TextTable(["time", "from", "to", "message"], alignments: [.left, .left, .left, .left])
            for f in failovers { t.add([f.time.logText, Sanitizer.clean(f.from ?? "?"), Sanitizer.clean(f.to), Sanitizer.clean(f.message)]) }
            out.append(t.render())
        }
        if !alerts.isEmpty {
            out.append("")
            out.append("Alerts (when each rule would have paged)")
            var t = TextTable(["rule", "severity", "start", "end", "worst", "threshold"], alignments: [.left, .left, .left, .left, .right, .right])
            for a in alerts {
                t.add([a.rule.name, Sanitizer.clean(a.rule.severity), a.start.logText, a.end?.logText ?? "still firing",
                       a.rule.signal.format(a.peak), a.rule.comparison.rawValue + " " + a.rule.signal.format(a.rule.threshold)])
            }
            out.append(t.render())
        }
        out.append("")
        out.append("Lines: \(Format.count(lines.parsed)) parsed, \(Format.count(lines.continuation)) continuation, \(Format.count(lines.unparsed)) unparsed")
        var files = TextTable(["file", "format", "lines", "gzip"], alignments: [.left, .left, .right, .left])
        for f in self.files { files.add([Sanitizer.clean(f.path), f.format, Format.count(f.lines), f.compressed ? "yes" : "no"]) }
        out.append(files.render())
        for w in warnings { out.append("warning: \(Sanitizer.clean(w))") }
        return out.joined(separator: "\n")
    }
}

/// Number formatting shared by text outputs.
public enum Format {
    /// `1 204 ms` style: whole milliseconds, or seconds above 10 s.
    public static func ms(_ v: Int?) -> String {
        guard let v else { return "-" }
        if v >= 10_000 { return String(format: "%.1f s", Double(v) / 1000) }
        return "\(v) ms"
    }

    public static func percent(_ ratio: Double) -> String { String(format: "%.1f%%", ratio * 100) }

    /// `512 B`, `84 KB`, `1.5 MB`, `2.1 GB` (decimal units, as `ls -h --si`).
    public static func bytes(_ n: Int64) -> String {
        if n < 1000 { return "\(n) B" }
        if n < 1_000_000 { return "\(Int((Double(n) / 1e3).rounded())) KB" }
        if n < 1_000_000_000 { return String(format: "%.1f MB", Double(n) / 1e6) }
        return String(format: "%.1f GB", Double(n) / 1e9)
    }

    public static func count(_ n: Int) -> String {
        let s = String(n)
        guard n >= 10_000 else { return s }
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0, i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    public static func duration(seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \((s % 3600) / 60) min"
    }
}

extension ReportSummary {
    /// A titled table of requests, failures, failed share and p95 per `key` (nothing without rows).
    static func breakdown(_ title: String, key: String, _ rows: [(String, Int, Int, Int?)]) -> [String] {
        guard !rows.isEmpty else { return [] }
        var t = TextTable([key, "requests", "failed", "fail %", "p95"], alignments: [.left, .right, .right, .right, .right])
        for (name, requests, failed, p95) in rows {
            let share = requests > 0 ? Format.percent(Double(failed) / Double(requests)) : "-"
            t.add([name, Format.count(requests), Format.count(failed), share, Format.ms(p95)])
        }
        return ["", title, t.render()]
    }
}
