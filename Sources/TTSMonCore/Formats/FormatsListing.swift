/// What `ttsmon formats` and `ttsmon formats test` print: the formats ttsmon reads, and for a
/// file the format it was read with, what each of its first lines yielded and, for a line not
/// understood, why.
public enum FormatsListing {
    /// A line each format reads, as its service writes it.
    static let samples: [String: String] = [
        "indextts": "2024-06-12 14:22:37,892 - app.tts_engine - INFO - synthesis_start: id=ts_7f3a2b1c, text=\"今天天气真好\", lang=zh, voice=alloy",
        "chattts": "2024-06-12 14:22:37,892 | 7f3a2b1c9d0e | 0 | 523ms | 12 | 0 | -",
        "jsonl": #"{"time": "2024-06-12 14:22:37,892", "level": "INFO", "event": "synthesis_complete", "id": "ts_7f3a2b1c", "status": "success", "duration_ms": 523}"#,
        "access": #"10.0.0.7 - - [12/Jun/2024:14:22:37 +0800] "POST /v1/audio/speech HTTP/1.1" 200 48213 "-" "curl/8.5" 2.317"#,
        "indextts2": ">> gpt_gen_time: 3.21 seconds",
    ]

    /// The user's formats (tried first) and the built-in ones, one block each: name, layout, a
    /// sample line.
    public static func list(user: [LogFormat] = []) -> String {
        (user + LogFormat.all).map { format in
            var sample = samples[format.name] ?? "-"
            if case .user(let u) = format.layout { sample = u.samples.first ?? "-" }
            return Sanitizer.clean("\(format.name)\(user.contains(format) ? " (user)" : "")\n  layout: \(layout(format))\n  sample: \(sample)")
        }.joined(separator: "\n\n")
    }

    static func layout(_ format: LogFormat) -> String {
        switch format.layout {
        case .keyValue(let separator): return "time\(separator)logger\(separator)LEVEL\(separator)event: key=value, key=\"quoted\", …"
        case .delimited(let separator, let columns): return (["time"] + columns.dropFirst().map { "\($0)" }).joined(separator: separator)
        case .jsonObject: return "one JSON object per line: time, level, event and the same keys"
        case .accessLog: return "one request per line: uvicorn, combined (Apache, nginx, gunicorn; optional request time), werkzeug"
        case .user(let u): return "\(u.file): line /\(u.line.source)/, \(u.events.count) event\(u.events.count == 1 ? "" : "s"), joined by \(u.join == .id ? "id" : "order")"
        case .printed(let p): return "prints after \"\(p.prefix)\": " + p.labels.map(\.text).joined(separator: ", ") + "; one request at a time"
        }
    }

    /// The report on one file: the format it is read with, its first `lines` non-blank lines
    /// each with what it yielded (or why it was not understood), and the verdict on its first
    /// 1,000 lines.
    public static func test(_ input: LogInput, lines shown: Int = 12) throws -> String {
        let log = try LogOpener.open(input)
        let parser = LineParser(format: log.format, captureText: true)
        var out = ["\(input.displayName): read as \(log.format.name)" + (log.compressed ? " (gzip)" : "")]
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        var inError = false
        var number = 0, printed = 0
        log.lines().forEachLine { line in
            guard printed < shown else { return }
            number += 1
            guard case .text(let bytes, _, _) = line else {
                out.append("  \(number): not understood: longer than 1 MiB, skipped")
                printed += 1
                return
            }
            if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
            printed += 1
            let what: String
            switch parser.parse(bytes, into: &record) {
            case .record where !parser.layoutMatched(record):
                inError = false
                what = "not understood: it starts with a timestamp, but the rest is not in the \(log.format.name) layout (\(layout(log.format)))"
            case .record:
                inError = record.level.mayCarryTraceback
                what = "record " + describe(record)
            case .noTimestamp where inError:
                what = "traceback line of the ERROR record above"
            case .noTimestamp:
                what = "not understood: it does not start with a timestamp this format knows (such as 2024-06-12 14:22:37,892), "
                    + "and no ERROR record precedes it"
            case .joined:
                what = "part of a longer line the container split (joined with the next)"
            case .malformed:
                inError = false
                what = "not understood: it has a timestamp but is not a \(log.format.name) record "
                    + "(layout, or a field a request event needs: id, duration_ms, status)"
            }
            out.append("  \(number): \(what)")
        }
        let diagnosis = FormatDiagnosis.of(try LogOpener.open(input, format: log.format))
        out.append("first \(diagnosis.lines) non-blank lines: \(diagnosis.understood) understood, \(diagnosis.requests) requests completed")
        if let warning = diagnosis.warning(file: input.displayName, format: log.format.name) { out.append("warning: " + warning) }
        return out.map { Sanitizer.clean($0) }.joined(separator: "\n")
    }

    /// `synthesis_complete id=ts_… status=success duration=523ms`.
    static func describe(_ r: LogRecord) -> String {
        var parts = [eventName(r.event) + (r.event == .other ? (r.message.map { " “\(String($0.prefix(40)))”" } ?? "") : "")]
        if let id = r.id { parts.append("id=\(id)") }
        if let stage = r.stage?.name ?? r.stageName { parts.append("stage=\(stage)") }
        if let status = r.status { parts.append("status=\(status == .success ? "success" : "failed")") }
        if let ms = r.durationMs { parts.append("duration=\(ms)ms") }
        if let code = r.errorCode { parts.append("code=\(code)") }
        if let audio = r.audioMs { parts.append("audio=\(Double(audio) / 1000)s") }
        if let rtf = r.rtfTenThousandths { parts.append("rtf=\(Double(rtf) / 10_000)") }
        if r.event != .other || r.untimed { parts.append(r.untimed ? "(no time)" : "at \(r.time.logText)") }
        if let used = r.usedPercent { parts.append("used=\(used)%") }
        if let to = r.failoverTo { parts.append("failover to \(to)") }
        return parts.joined(separator: " ")
    }

    static func eventName(_ event: EventKind) -> String {
        switch event {
        case .synthesisStart: return "synthesis_start"
        case .stageTime: return "stage_time"
        case .synthesisComplete: return "synthesis_complete"
        case .synthesisFailed: return "synthesis_failed"
        case .cacheUsage: return "cache_dir_usage"
        case .cacheHealth: return "cache_health"
        case .audioMetrics: return "audio_metrics"
        case .failover: return "failover"
        case .other: return "other event"
        }
    }
}
