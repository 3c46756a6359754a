/// Severity of a log record.
public enum LogLevel: UInt8, Sendable, Comparable {
    case debug, info, warning, error, critical, unknown

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    /// The level's name as logs write it.
    public var name: String {
        switch self {
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .warning: return "WARNING"
        case .error: return "ERROR"
        case .critical: return "CRITICAL"
        case .unknown: return "UNKNOWN"
        }
    }

    /// True for records that a traceback may follow.
    public var mayCarryTraceback: Bool { self == .error || self == .critical }
}

/// The stages of one synthesis, in pipeline order.
public enum PipelineStage: Int, Sendable, CaseIterable, Comparable {
    case textNormalize, llmPromptGen, llmInference, llmPostproc, audioRender

    public static func < (a: PipelineStage, b: PipelineStage) -> Bool { a.rawValue < b.rawValue }

    /// The stage's name as logs write it.
    public var name: String {
        switch self {
        case .textNormalize: return "text_normalize"
        case .llmPromptGen: return "llm_prompt_gen"
        case .llmInference: return "llm_inference"
        case .llmPostproc: return "llm_postproc"
        case .audioRender: return "audio_render"
        }
    }

    public init?(name: String) {
        guard let stage = PipelineStage.allCases.first(where: { $0.name == name }) else { return nil }
        self = stage
    }
}

/// What a record reports.
public enum EventKind: UInt8, Sendable {
    case synthesisStart, stageTime, synthesisComplete, synthesisFailed
    case cacheUsage, cacheHealth, audioMetrics, failover, other
}

/// Outcome of a request.
public enum RequestStatus: UInt8, Sendable {
    case success, failed
    public var name: String { self == .success ? "success" : "failed" }
}

/// One parsed log record, typed. Only the fields its event carries are set.
public struct LogRecord: Sendable {
    public var time: LogTimestamp
    public var level: LogLevel = .info
    public var event: EventKind = .other
    public var id: String?
    public var durationMs: Int?
    public var status: RequestStatus?
    public var errorCode: String?
    public var stage: PipelineStage?
    /// The stage name as written, kept for stages outside the known pipeline.
    public var stageName: String?
    public var textLen: Int?
    /// `model_stage`: the last stage a request reached.
    public var modelStage: String?
    public var text: String?
    public var lang: String?
    public var voice: String?
    public var cacheHit: Bool?
    public var audioSizeKB: Int?
    public var usedPercent: Double?
    public var threshold: Double?
    public var fallbackUsed = false
    public var warningCode: String?
    public var queueMs: Int?
    public var failoverFrom: String?
    public var failoverTo: String?
    /// The free-text message, kept for router lines and unknown events.
    public var message: String?

    public init(time: LogTimestamp) { self.time = time }

    /// True when the record's error code counts toward a 5xx rate (ChatTTS-style numeric codes).
    public var isServerError: Bool { errorCode?.utf8.first == UInt8(ascii: "5") }

    /// True when this record is an early warning signal (WARNING level with a known hint).
    public var isEarlySignal: Bool {
        level == .warning && (fallbackUsed || warningCode != nil || event == .cacheUsage || event == .cacheHealth)
    }
}

/// Whether `token` is a legal request id: non-empty letters, digits and `_.:-`.
@inline(__always)
func isRequestIDByte(_ b: UInt8) -> Bool {
    (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 46 || b == 58 || b == 45
}

/// Checks a whole id token.
public func isValidRequestID(_ token: String) -> Bool {
    !token.isEmpty && token.utf8.allSatisfy(isRequestIDByte)
}
