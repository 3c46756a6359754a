import Foundation

/// The log dialect the generator writes.
public enum GeneratedFormat: String, Sendable, CaseIterable {
    /// IndexTTS-2-LLM Python `logging` lines: `time - logger - LEVEL - event: key=value, ...`.
    case indexTTS = "indextts"
    /// ChatTTS pipe-separated lines, one per request:
    /// `time | trace_id | error_code | <cost>ms | input_len | gpu_id | stack`.
    case chatTTS = "chattts"
    /// One flat JSON object per line carrying the same events as `indexTTS`.
    case jsonLines = "jsonl"
}

/// Everything that shapes one generated log set. The same options always give byte-identical files.
public struct GeneratorOptions: Sendable {
    /// Directory the log files (and `truth.json`) are written to; created when missing.
    public var outputDirectory: String
    /// Number of requests to write.
    public var requests: Int
    /// Seed of the generator's own pseudo-random stream.
    public var seed: UInt64 = 1
    /// Mean requests per second of log time (Poisson arrivals).
    public var rate: Double = 20
    /// Number of rotated files: `app.log.1.gz` ... `app.log.K.gz` (K oldest) plus `app.log` (newest).
    public var rotate: Int = 0
    /// Adds a latency + error incident, cache fill rising past 90 %, one failover and one failback.
    public var incident: Bool = false
    /// Sprinkles hostile lines (bad timestamps, binary bytes, escape sequences, ...).
    public var hostile: Bool = true
    /// The log dialect.
    public var format: GeneratedFormat = .indexTTS
    /// Name of the newest file; rotated files append `.N.gz`.
    public var fileName: String = "app.log"
    /// Log time of the first record, `YYYY-MM-DD HH:MM:SS,mmm`.
    public var start: String = "2024-06-12 08:00:00,000"
    /// Keeps per-request truth; turn off for very large benchmark files.
    public var collectTruth: Bool = true

    /// Why these options cannot be written (nil when they can): counts out of range, a rate
    /// outside `OptionLimit.requestRate`, or a start whose log would run past the year 9999.
    public var problem: String? {
        guard requests >= 0 else { return "requests must be >= 0" }
        if let problem = OptionLimit.requestRate.problem(rate, name: "rate") { return problem }
        guard rotate >= 0 else { return "rotate must be >= 0" }
        guard !fileName.isEmpty, !fileName.contains("/") else { return "fileName must be a plain file name" }
        guard let startMs = GenClock.parse(start) else { return "start must look like 2024-06-12 08:00:00,000" }
        // Arrivals average 1/rate apart; allow three times the mean span plus a day of tail.
        let spanMs = 3 * Double(requests) / rate * 1000 + Double(GenClock.msPerDay)
        let lastMs = Double(GenClock.days(year: 9999, month: 12, day: 31)) * Double(GenClock.msPerDay)
        guard startMs >= 0, Double(startMs) + spanMs < lastMs else {
            return "start \(start): the log would not fit between 1970 and the year 9999 at this rate"
        }
        return nil
    }

    /// Options with defaults for everything but where to write and how many requests.
    public init(outputDirectory: String, requests: Int) {
        self.outputDirectory = outputDirectory
        self.requests = requests
    }
}
