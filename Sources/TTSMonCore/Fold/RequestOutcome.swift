/// What one completed request came to: the single step from a completion record, and what its
/// request's earlier records told (start, `synthesis_failed`), to the figures report and live
/// metrics (watch, dashboard, replay, export) both count. Every layout's records reach it: the
/// seed's, access logs', IndexTTS2's prints, user formats.
public struct RequestOutcome: Sendable {
    public var status: RequestStatus
    /// The failure code: the completion's own, else the one `synthesis_failed` logged.
    public var code: String?
    /// End-to-end milliseconds; nil when not measured (such requests stay out of latency).
    public var durationMs: Int?
    public var textLen: Int?
    public var cacheHit: Bool?
    /// Real-time factor in ten-thousandths (printed, or duration ÷ audio length).
    public var rtf: Int?
    public var audioMs: Int?
    public var queueMs: Int?
    /// The GPU that served it (ChatTTS's `gpu_id` column, a `gpu_id` key or capture).
    public var gpuID: Int?
    /// A 5xx (HTTP-like codes, `HTTP_5xx`).
    public var serverError: Bool
    /// Whether the request's start (or a text length) is known.
    public var startKnown: Bool

    /// The outcome of `record` (a completion) given what its request's earlier records told.
    @inline(__always)
    public init(completion record: LogRecord, started: Bool, textLen: Int?, cacheHit: Bool?, failedCode: @autoclosure () -> String?) {
        let code = record.errorCode ?? failedCode()
        status = record.status ?? (record.errorCode == nil ? .success : .failed)
        self.code = code
        durationMs = record.durationMs
        self.textLen = record.textLen ?? textLen
        self.cacheHit = cacheHit
        rtf = record.effectiveRTF
        audioMs = record.audioMs
        queueMs = record.queueMs
        gpuID = record.gpuID
        serverError = record.isServerError
        startKnown = started || record.textLen != nil
    }
}

extension FailoverEvent {
    /// Where a switch came from: as logged, else where the previous switch went, else the other
    /// of main and standby (report and live resolve it alike).
    public static func resolvedFrom(logged: String?, to: String, active: String?) -> String {
        logged ?? active ?? (to == "main" ? "standby" : "main")
    }
}
