import Foundation

/// What the generator wrote, computed from its own events (independent of any parser).
public struct GeneratedTruth: Codable, Sendable {
    /// One request as the generator decided it.
    public struct Request: Codable, Sendable {
        /// Request id (`ts_` + 8 hex, a few other legal forms; ChatTTS trace ids are 12 hex).
        public var id: String
        /// `"success"` or `"failed"`.
        public var status: String
        /// End-to-end duration written on the completion line.
        public var durationMs: Int
        /// Error code; nil on success (set even when the completion line omits it).
        public var errorCode: String?
        /// Text length in Unicode scalars (ChatTTS: `input_len`).
        public var textLen: Int?
        /// The text as the user sent it (unescaped); nil for ChatTTS.
        public var text: String?
        /// Voice; nil for ChatTTS.
        public var voice: String?
        /// Language; nil for ChatTTS.
        public var lang: String?
        /// Whether the synthesis was served from cache; nil for ChatTTS.
        public var cacheHit: Bool?
        /// Audio size of a success; nil for failures and ChatTTS.
        public var audioSizeKB: Int?
        /// Logged `stage_time` lines, in log order.
        public var stages: [Stage]
        /// `YYYY-MM-DD HH:MM:SS,mmm` of its completion line.
        public var completeTime: String
        /// File name (not path) its completion line landed in.
        public var file: String
    }

    /// One logged `stage_time`.
    public struct Stage: Codable, Sendable {
        public var stage: String
        public var durationMs: Int
    }

    /// One router switch.
    public struct Failover: Codable, Sendable {
        public var time: String
        public var from: String
        public var to: String
        /// The text after `<LEVEL> - `.
        public var message: String
    }

    /// File names written, newest first: `app.log`, `app.log.1.gz`, ...
    public var files: [String]
    /// Physical lines written (all files).
    public var totalLines: Int
    /// Traceback lines (no timestamp) following an ERROR record.
    public var continuationLines: Int
    /// Hostile lines that a correct parser must count as unparsed.
    public var unparsedLines: Int
    /// Earliest timestamp of any well-formed timestamped line.
    public var firstTime: String
    /// Latest timestamp of any well-formed timestamped line.
    public var lastTime: String
    /// Per-request truth in arrival order; empty when `collectTruth` is false.
    public var requests: [Request]
    /// Number of requests written (always set).
    public var requestCount: Int
    /// `used_percent` / `usage` of cache readings in time order.
    public var cacheReadings: [Double]
    /// Threshold written on `cache_dir_usage` lines, if any were written.
    public var cacheThreshold: Double?
    /// Router switches in time order.
    public var failovers: [Failover]
}
