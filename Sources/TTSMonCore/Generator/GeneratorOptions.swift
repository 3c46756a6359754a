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

    /// Options with defaults for everything but where to write and how many requests.
    public init(outputDirectory: String, requests: Int) {
        self.outputDirectory = outputDirectory
        self.requests = requests
    }
}
