/// A canonical field that a format's keys map onto.
public enum RecordField: Sendable {
    case time, level, event, logger, id, text, textLen, lang, voice, cacheHit, durationMs, status
    case errorCode, stage, audioSizeKB, usedPercent, usage, threshold, fallbackUsed, warningCode
    case queueMs, modelStage, audioMs, audioSeconds, rtf, gpuID, ignored
}

/// A log format described as data: its layout and the table that maps its keys to fields.
/// A new format is a new value of this type, not new parsing code.
public struct LogFormat: Sendable, Hashable {
    /// How a line is laid out.
    public enum Layout: Sendable, Equatable {
        /// `time - logger - LEVEL - event: key=value, key="quoted", ...` (Python logging).
        case keyValue(separator: String)
        /// `time | col | col | ...`: one request per line; the last column takes the rest.
        case delimited(separator: String, columns: [RecordField])
        /// One flat JSON object per line.
        case jsonObject
        /// One request per line: uvicorn's, Apache/nginx/gunicorn's combined, werkzeug's.
        case accessLog
        /// A server's own prints, one request at a time (IndexTTS2's `>> …` lines).
        case printed(PrintedFormat)
        /// A user's format file (`UserFormat`).
        case user(UserFormat)
    }

    /// How a request's records are tied together.
    public enum Join: Sendable, Equatable {
        /// By the `id` each record carries.
        case id
        /// By order: the server does one request at a time, each record belongs to the open one.
        case sequence
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
    /// How records join into requests.
    public var join: Join = .id
    /// The container log wrapper around each line (Docker's json-file, CRI, `--timestamps`).
    public var container: ContainerWrapper?

    public init(name: String, layout: Layout, keys: [String: RecordField], events: [String: EventKind],
                codesAreHTTPStatus: Bool = false, join: Join = .id, container: ContainerWrapper? = nil) {
        self.name = name; self.layout = layout; self.keys = keys; self.events = events
        self.codesAreHTTPStatus = codesAreHTTPStatus; self.join = join; self.container = container
    }

    /// Whether a file in this format can be read in ranges from any line start (no request's
    /// records are joined by order, no container line is split into parts).
    public var splitsAnywhere: Bool { join == .id && container == nil }

    /// This format inside a container wrapper (`indextts+docker`).
    public func wrapped(in container: ContainerWrapper) -> LogFormat {
        var copy = self
        copy.container = container
        copy.name = "\(name)+\(container.name)"
        return copy
    }

    public static func == (a: LogFormat, b: LogFormat) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    static let commonKeys: [String: RecordField] = [
        "id": .id, "request_id": .id, "trace_id": .id, "X-Request-ID": .id,
        "text": .text, "text_len": .textLen, "input_len": .textLen, "lang": .lang, "voice": .voice,
        "cache_hit": .cacheHit, "duration_ms": .durationMs, "cost_ms": .durationMs, "status": .status,
        "error_code": .errorCode, "stage": .stage, "audio_size_kb": .audioSizeKB,
        "used_percent": .usedPercent, "usage": .usage, "threshold": .threshold,
        "fallback_used": .fallbackUsed, "warning_code": .warningCode, "queue_ms": .queueMs, "model_stage": .modelStage,
        "audio_ms": .audioMs, "audio_s": .audioSeconds, "audio_seconds": .audioSeconds, "rtf": .rtf, "gpu_id": .gpuID,
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
        layout: .delimited(separator: " | ", columns: [.time, .id, .errorCode, .durationMs, .textLen, .gpuID, .ignored]),
        keys: commonKeys, events: commonEvents, codesAreHTTPStatus: true)

    /// JSON lines carrying the IndexTTS events as keys.
    public static let jsonLines = LogFormat(name: "jsonl", layout: .jsonObject, keys: commonKeys, events: commonEvents)

    /// Access logs, one request per line: uvicorn, Apache/nginx/gunicorn combined, werkzeug.
    public static let accessLog = LogFormat(name: "access", layout: .accessLog, keys: [:], events: [:],
                                            codesAreHTTPStatus: true)

    /// IndexTTS2's own prints (`indextts/infer_v2.py`), joined by order.
    public static let indexTTS2 = LogFormat(name: "indextts2", layout: .printed(.indexTTS2), keys: [:], events: [:],
                                            join: .sequence)

    /// Every built-in format, in detection preference order.
    public static let all: [LogFormat] = [indexTTS, chatTTS, jsonLines, accessLog, indexTTS2]

    /// Looks a format up by name (`indextts`, or a wrapped one such as `access+docker`).
    public static func named(_ name: String) -> LogFormat? {
        if let format = all.first(where: { $0.name == name }) { return format }
        guard let plus = name.lastIndex(of: "+"), let inner = all.first(where: { $0.name == name[..<plus] }),
              let container = ContainerWrapper.allCases.first(where: { $0.name == name[name.index(after: plus)...] }) else { return nil }
        return inner.wrapped(in: container)
    }
}

extension LogFormat {
    /// Picks the format that parses the most of the given first lines (IndexTTS when none does);
    /// lines inside a container wrapper are unwrapped first and the format named with it.
    /// `user` formats are tried first and win ties.
    public static func detect(firstLines: [[UInt8]], user: [LogFormat] = []) -> LogFormat {
        if let container = ContainerWrapper.detect(firstLines: firstLines) {
            return detectInner(firstLines: firstLines.compactMap { container.unwrappedSample($0) }, user: user).wrapped(in: container)
        }
        return detectInner(firstLines: firstLines, user: user)
    }

    static func detectInner(firstLines: [[UInt8]], user: [LogFormat]) -> LogFormat {
        var best = LogFormat.indexTTS
        var bestScore = 0
        for format in user + all {
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
