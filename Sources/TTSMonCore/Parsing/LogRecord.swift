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
    @inline(__always)
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
///
/// The descriptive text fields (text, voice, messages...) live in a copy-on-write box that is
/// allocated only when one of them is set, so the report's hot path resets a record cheaply.
public struct LogRecord: Sendable {
    public var time: LogTimestamp
    public var level: LogLevel = .info
    public var event: EventKind = .other
    /// The request id; nil for records without one, and left unset by parsers told not to keep
    /// ids (reports use `idKey`).
    public var id: String?
    /// The request id packed for hashing; set whenever the record carries a valid id.
    public var idKey: RequestKey?
    public var durationMs: Int?
    public var status: RequestStatus?
    public var errorCode: String?
    public var stage: PipelineStage?
    public var textLen: Int?
    public var cacheHit: Bool?
    public var audioSizeKB: Int?
    public var usedPercent: Double?
    public var threshold: Double?
    public var fallbackUsed = false
    public var queueMs: Int?
    /// The line had no time of its own and none from a container wrapper: `time` is the
    /// arrival time when followed live, meaningless in a report (which gives it no span).
    public var untimed = false
    /// Seconds of audio the request produced, in milliseconds (IndexTTS2's `Generated audio length`).
    public var audioMs: Int?
    /// The GPU that served the request (ChatTTS's `gpu_id`), when the log says.
    public var gpuID: Int?
    /// The real-time factor in ten-thousandths, as the log printed it (IndexTTS2's `RTF:`).
    public var rtfTenThousandths: Int?
    private var details: DetailsBox?

    /// The rarely needed text fields.
    struct Details: Sendable {
        var stageName, modelStage, text, lang, voice, warningCode, failoverFrom, failoverTo, message, traceback: String?
    }

    final class DetailsBox: @unchecked Sendable {
        var value: Details
        init(_ value: Details) { self.value = value }
    }

    public init(time: LogTimestamp) { self.time = time }

    /// Makes this a fresh record at `time`, cheaper than assigning a new value: fields that hold
    /// references are only touched when set.
    @inline(__always)
    public mutating func reset(time: LogTimestamp) {
        self.time = time
        level = .info; event = .other
        durationMs = nil; status = nil; stage = nil; textLen = nil; cacheHit = nil
        audioSizeKB = nil; usedPercent = nil; threshold = nil; fallbackUsed = false; queueMs = nil
        untimed = false; audioMs = nil; rtfTenThousandths = nil; gpuID = nil
        idKey = nil
        if id != nil { id = nil }
        if errorCode != nil { errorCode = nil }
        if details != nil { details = nil }
    }

    private func get(_ key: KeyPath<Details, String?>) -> String? { details?.value[keyPath: key] }

    private mutating func set(_ key: WritableKeyPath<Details, String?>, _ newValue: String?) {
        if details == nil {
            guard newValue != nil else { return }
            details = DetailsBox(Details())
        } else if !isKnownUniquelyReferenced(&details!) {
            details = DetailsBox(details!.value)
        }
        details!.value[keyPath: key] = newValue
    }

    /// The stage name as written, kept for stages outside the known pipeline.
    public var stageName: String? { get { get(\.stageName) } set { set(\.stageName, newValue) } }
    /// `model_stage`: the last stage a request reached.
    public var modelStage: String? { get { get(\.modelStage) } set { set(\.modelStage, newValue) } }
    public var text: String? { get { get(\.text) } set { set(\.text, newValue) } }
    public var lang: String? { get { get(\.lang) } set { set(\.lang, newValue) } }
    public var voice: String? { get { get(\.voice) } set { set(\.voice, newValue) } }
    public var warningCode: String? { get { get(\.warningCode) } set { set(\.warningCode, newValue) } }
    public var failoverFrom: String? { get { get(\.failoverFrom) } set { set(\.failoverFrom, newValue) } }
    public var failoverTo: String? { get { get(\.failoverTo) } set { set(\.failoverTo, newValue) } }
    /// A traceback carried inside the record (a JSON logger's `exception` field).
    public var traceback: String? { get { get(\.traceback) } set { set(\.traceback, newValue) } }
    /// The free-text message, kept for router lines and unknown events.
    public var message: String? { get { get(\.message) } set { set(\.message, newValue) } }

    /// The real-time factor in ten-thousandths: the one the log printed, else processing time ÷
    /// audio length when both are known.
    @inline(__always)
    public var effectiveRTF: Int? {
        if let rtfTenThousandths { return rtfTenThousandths }
        guard let audioMs, audioMs > 0, let durationMs else { return nil }
        return Int((Double(durationMs) * 10_000 / Double(audioMs)).rounded())
    }

    /// True when the record's error code counts toward a 5xx rate (ChatTTS-style numeric codes,
    /// and access logs' `HTTP_5xx`).
    public var isServerError: Bool {
        guard let first = errorCode?.utf8.first else { return false }
        if first == UInt8(ascii: "5") { return true }
        return first == UInt8(ascii: "H") && errorCode!.hasPrefix("HTTP_5")
    }

    /// True when this record is an early warning signal (WARNING level with a known hint).
    public var isEarlySignal: Bool {
        level == .warning && (fallbackUsed || warningCode != nil || event == .cacheUsage || event == .cacheHealth)
    }
}

/// Whether `token` is a legal request id: non-empty letters, digits and `_.:-`.
@inline(__always)
func isRequestIDByte(_ b: UInt8) -> Bool {
    // Bitmaps of the legal bytes: `-.0-9:` below 64, `A-Z_a-z` from 64 to 127.
    let low: UInt64 = 0x07FF_6000_0000_0000     // '-' 45, '.' 46, '0'-'9' 48-57, ':' 58
    let high: UInt64 = 0x07FF_FFFE_87FF_FFFE    // 'A'-'Z' 65-90, '_' 95, 'a'-'z' 97-122
    if b < 64 { return (low >> UInt64(b)) & 1 != 0 }
    if b < 128 { return (high >> UInt64(b - 64)) & 1 != 0 }
    return false
}

/// Checks a span of id bytes against `RequestIDBytes.table` (passed in by callers that keep
/// it, so the hot path does not go through the global's lazy initialiser on every id).
@inline(__always)
func isRequestIDToken(_ span: ByteSpan, table: UnsafePointer<UInt8> = RequestIDBytes.table) -> Bool {
    guard let base = span.baseAddress, span.count > 0, span.count <= RequestIDBytes.maxLength else { return false }
    // One table load per byte, and-ed without branches (ids sit on nearly every line).
    var ok: UInt8 = 1
    for i in 0..<span.count { ok &= table[Int(base[i])] }
    return ok != 0
}

/// 1 for each byte legal in a request id, 0 for the others.
enum RequestIDBytes {
    /// The longest id accepted, in bytes: longer "ids" are malformed (counted, never joined or
    /// kept), so hostile lines cannot fill memory with ids.
    static let maxLength = 256

    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 { t[b] = isRequestIDByte(UInt8(b)) ? 1 : 0 }
        return UnsafePointer(t)   // lives as long as the process
    }()
}

/// Checks a whole id token.
public func isValidRequestID(_ token: String) -> Bool {
    !token.isEmpty && token.utf8.count <= RequestIDBytes.maxLength && token.utf8.allSatisfy(isRequestIDByte)
}
