/// A canonical field that a format's keys map onto.
public enum RecordField: Sendable {
    case time, level, event, logger, id, text, textLen, lang, voice, cacheHit, durationMs, status
    case errorCode, stage, audioSizeKB, usedPercent, usage, threshold, fallbackUsed, warningCode
    case queueMs, modelStage, ignored
}

/// A log format described as data: its layout and the table that maps its keys to fields.
/// A new format is a new value of this type, not new parsing code.
public struct LogFormat: Sendable, Equatable {
    /// How a line is laid out.
    public enum Layout: Sendable, Equatable {
        /// `time - logger - LEVEL - event: key=value, key="quoted", ...` (Python logging).
        case keyValue(separator: String)
        /// `time | col | col | ...`: one request per line; the last column takes the rest.
        case delimited(separator: String, columns: [RecordField])
        /// One flat JSON object per line.
        case jsonObject
    }

    /// Short name used in output (`indextts`, `chattts`, `jsonl`).
    public var name: String
    public var layout: Layout
    /// Key names as the format writes them, mapped to canonical fields.
    public var keys: [String: RecordField]
    /// Event names mapped to kinds; anything else is `.other`.
    public var events: [String: EventKind]
    /// Whether error codes are HTTP-like statuses (`5xx` failures count toward the 5xx ratio).
    public var codesAreHTTPStatus = false

    public static func == (a: LogFormat, b: LogFormat) -> Bool { a.name == b.name }

    static let commonKeys: [String: RecordField] = [
        "id": .id, "request_id": .id, "trace_id": .id, "X-Request-ID": .id,
        "text": .text, "text_len": .textLen, "input_len": .textLen, "lang": .lang, "voice": .voice,
        "cache_hit": .cacheHit, "duration_ms": .durationMs, "cost_ms": .durationMs, "status": .status,
        "error_code": .errorCode, "stage": .stage, "audio_size_kb": .audioSizeKB,
        "used_percent": .usedPercent, "usage": .usage, "threshold": .threshold,
        "fallback_used": .fallbackUsed, "warning_code": .warningCode, "queue_ms": .queueMs, "model_stage": .modelStage,
        "time": .time, "timestamp": .time, "ts": .time, "@timestamp": .time, "asctime": .time,
        "level": .level, "levelname": .level, "event": .event,
        "logger": .logger, "name": .logger,
    ]

    static let commonEvents: [String: EventKind] = [
        "synthesis_start": .synthesisStart, "stage_time": .stageTime,
        "synthesis_complete": .synthesisComplete, "synthesis_failed": .synthesisFailed,
        "cache_dir_usage": .cacheUsage, "cache_health": .cacheHealth, "audio_metrics": .audioMetrics,
    ]

    /// IndexTTS-2-LLM's Python logging layout (seed 000).
    public static let indexTTS = LogFormat(name: "indextts", layout: .keyValue(separator: " - "),
                                           keys: commonKeys, events: commonEvents)

    /// ChatTTS's pipe template (seed 002):
    /// `<time> | <trace_id> | <error_code> | <cost>ms | <input_len> | <gpu_id> | <stack>`.
    public static let chatTTS = LogFormat(
        name: "chattts",
        layout: .delimited(separator: " | ", columns: [.time, .id, .errorCode, .durationMs, .textLen, .ignored, .ignored]),
        keys: commonKeys, events: commonEvents, codesAreHTTPStatus: true)

    /// JSON lines carrying the IndexTTS events as keys.
    public static let jsonLines = LogFormat(name: "jsonl", layout: .jsonObject, keys: commonKeys, events: commonEvents)

    /// Every built-in format, in detection preference order.
    public static let all: [LogFormat] = [indexTTS, chatTTS, jsonLines]

    /// Looks a format up by name.
    public static func named(_ name: String) -> LogFormat? { all.first { $0.name == name } }
}

extension LogFormat {
    /// Picks the format that parses the most of the given first lines (IndexTTS when none does).
    public static func detect(firstLines: [[UInt8]]) -> LogFormat {
        var best = LogFormat.indexTTS
        var bestScore = 0
        for format in all {
            let parser = LineParser(format: format)
            var score = 0
            for line in firstLines {
                var record = LogRecord(time: LogTimestamp(milliseconds: 0))
                let matched = line.withUnsafeBufferPointer { buffer -> Bool in
                    if case .record = parser.parse(buffer, into: &record) { return parser.layoutMatched(record) }
                    return false
                }
                if matched { score += 1 }
            }
            if score > bestScore { best = format; bestScore = score }
        }
        return best
    }
}
