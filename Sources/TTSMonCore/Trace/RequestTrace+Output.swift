import Foundation

extension RequestTrace {
    /// All raw lines, records and their tracebacks, in log order.
    public var rawLines: [String] { records.flatMap { [$0.line] + $0.continuation } }

    /// The trace as the documented JSON object.
    public var json: JSONValue {
        .object([
            ("id", .string(id)),
            ("file", .string(file)),
            ("status", .string(status.rawValue)),
            ("start", .string(start?.logText)),
            ("end", .string(end?.logText)),
            ("duration_ms", .int(durationMs)),
            ("error_code", .string(errorCode.map(Sanitizer.clean))),
            ("text", .string(text.map(Sanitizer.clean))),
            ("text_len", .int(textLen)),
            ("voice", .string(voice.map(Sanitizer.clean))),
            ("lang", .string(lang.map(Sanitizer.clean))),
            ("cache_hit", cacheHit.map(JSONValue.bool) ?? .null),
            ("audio_size_kb", .int(audioSizeKB)),
            ("stages", .array(stages.map { .object([("stage", .string(Sanitizer.clean($0.stage))),
                                                    ("duration_ms", .int($0.durationMs)), ("offset_ms", .int($0.offsetMs))]) })),
            ("critical_stage", .string(criticalStage)),
            ("failed_stage", .string(failedStage)),
            ("records", .array(rawLines.map { .string($0) })),
        ])
    }

    /// A waterfall: one bar per stage, scaled to the request's total, with whole-ms durations.
    public func text(width: Int = 100) -> String {
        var out: [String] = []
        let statusText = status == .failed ? "FAILED \(Sanitizer.clean(errorCode ?? ""))" : status.rawValue
        out.append("request \(id)  \(statusText)  \(Format.ms(durationMs))")
        out.append("  file     \(Sanitizer.clean(file ?? "-"))")
        out.append("  time     \(start?.logText ?? "-") → \(end?.logText ?? "-")")
        if let text { out.append("  text     \"\(Sanitizer.clean(text))\"" + (textLen.map { " (\($0) chars)" } ?? "")) }
        else if let textLen { out.append("  text     \(textLen) chars") }
        var facts: [String] = []
        if let voice { facts.append("voice \(Sanitizer.clean(voice))") }
        if let lang { facts.append("lang \(Sanitizer.clean(lang))") }
        if let cacheHit { facts.append("cache \(cacheHit ? "hit" : "miss")") }
        if let audioSizeKB { facts.append("audio \(audioSizeKB) KB") }
        if !facts.isEmpty { out.append("  " + facts.joined(separator: ", ")) }
        out.append("")
        let total = max(durationMs ?? 0, stages.map { $0.offsetMs + $0.durationMs }.max() ?? 0, 1)
        var rows = stages.map { ($0.stage, $0.durationMs, $0.offsetMs, $0.stage == criticalStage ? "  ◀ critical" : "") }
        if let failedStage {
            // The failing stage logged no time of its own: it ran from the last logged stage to the end.
            let start = stages.map { $0.offsetMs + $0.durationMs }.max() ?? 0
            let spent = max(0, (durationMs ?? start) - start)
            rows.append((failedStage, spent, start, "  ✗ failed here: \(Sanitizer.clean(errorCode ?? "UNKNOWN"))"))
        }
        let nameWidth = max(14, rows.map { DisplayWidth.of($0.0) }.max() ?? 0)
        let barWidth = max(10, width - nameWidth - 46)
        for (stage, duration, offset, mark) in rows {
            let lead = min(barWidth - 1, Int((Double(offset) / Double(total) * Double(barWidth)).rounded(.down)))
            let len = min(barWidth - lead, max(1, Int((Double(duration) / Double(total) * Double(barWidth)).rounded())))
            let bar = String(repeating: " ", count: lead) + String(repeating: "█", count: len)
                + String(repeating: " ", count: barWidth - lead - len)
            let name = Sanitizer.clean(stage).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let figures = String(format: "%7d ms  at +%-6d", duration, offset)
            out.append("  \(name) \(figures) │\(bar)│\(mark)")
        }
        if stages.isEmpty { out.append("  (no stage timings logged)") }
        out.append("")
        out.append("records:")
        for line in rawLines { out.append("  " + line) }
        return out.joined(separator: "\n")
    }
}
