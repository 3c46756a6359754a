/// The live figures of one window ending at `time`, typed; `json` and `text` render them.
public struct LiveSnapshot: Sendable {
    /// Request counts.
    public struct Requests: Sendable, Equatable {
        /// Every completed request since start.
        public var total = 0
        /// Completed requests in the window, and how they ended.
        public var window = 0, success = 0, failed = 0
        /// Requests per second: `window / coveredSeconds`.
        public var qps = 0.0
        /// Seconds of the window that the log covers: the window's length, or fewer when the
        /// first record is younger than the window (at least 1).
        public var coveredSeconds = 1
        /// ChatTTS-style 5xx failures in the window.
        public var serverErrors = 0
        /// Requests started and not yet completed, now (seed 001's concurrency): started within
        /// the join timeout, so one that never ends drops out.
        public var inFlight = 0
    }

    /// End-to-end latency over the window, in milliseconds (nil when no request).
    public struct Latency: Sendable, Equatable {
        public var p50, p90, p95, p99, max: Int?
        /// Requests the percentiles cover.
        public var count = 0
        /// Largest relative overstatement of a percentile (values below 256 ms are exact; the
        /// maximum is always exact).
        public var errorBound = LogLinearBuckets.relativeErrorBound
    }

    /// How an error code's count compares with the previous window of the same length.
    public enum Trend: String, Sendable {
        /// More than 10 % above, or more than 10 % below, the previous window.
        case up, down
        /// Within ±10 % of the previous window.
        case flat
        /// Absent from the previous window.
        case new
    }

    /// Failed requests of one error code in the window.
    public struct ErrorRow: Sendable, Equatable {
        public var code: String
        public var count: Int
        /// Share of the window's failed requests.
        public var share: Double
        /// The count in the previous window.
        public var previous: Int
        public var trend: Trend
        public init(code: String, count: Int, share: Double, previous: Int, trend: Trend) {
            self.code = code; self.count = count; self.share = share; self.previous = previous; self.trend = trend
        }
    }

    /// One pipeline stage's p95 (and p50, where known) over the window.
    public struct StageRow: Sendable, Equatable {
        /// The stage's name as the log writes it (the seed's five, or any a format yields).
        public var stage: String
        public var p95: Int
        public var count: Int
        /// The median, beside the p95: a stage whose tail is far from its median stands out.
        public var p50: Int?
        public init(stage: String, p95: Int, count: Int, p50: Int? = nil) {
            self.stage = stage; self.p95 = p95; self.count = count; self.p50 = p50
        }
    }

    /// Requests and failures of one text-length bucket in the window.
    public struct BucketRow: Sendable, Equatable {
        public var bucket: TextLengthBucket
        public var requests: Int
        public var failed: Int
    }

    /// One GPU's share of the window (ChatTTS's `gpu_id`): one bad card stands out.
    public struct GPURow: Sendable, Equatable {
        public var gpuID: Int
        public var requests: Int
        public var failed: Int
        public var failedRatio: Double { requests > 0 ? Double(failed) / Double(requests) : 0 }
    }

    /// Cache fill: the latest reading at or before `time` and its trend over the window.
    public struct Cache: Sendable, Equatable {
        public var usedPercent: Double?
        public var threshold: Double?
        /// Time of the latest reading.
        public var readingTime: LogTimestamp?
        /// Least-squares slope over the window's readings, percentage points per minute (nil with
        /// fewer than two).
        public var slopePerMinute: Double?
        /// Seconds until 100 % at that slope (nil when the slope is not positive; 0 when full).
        public var fullInSeconds: Double?
        /// Readings in the window.
        public var readings = 0
    }

    /// The window's last second ("now"); nil before any record.
    public var time: LogTimestamp?
    /// The latest log time seen (equals `time` unless a different "now" was asked for).
    public var latest: LogTimestamp?
    public var window: LiveWindow
    public var requests = Requests()
    public var latency = Latency()
    /// Real-time factors over the window (log-linear buckets, like the latency); nil when no
    /// request carried one.
    public struct RTF: Sendable, Equatable { public var p50, p95, p99, max: Double }
    public var rtf: RTF?
    /// Seconds of audio the window's requests produced; nil when none said.
    public var audioSeconds: Double?
    /// The top error codes of the window by count, then code.
    public var errors: [ErrorRow] = []
    /// Stages with data in the window, in pipeline order.
    public var stages: [StageRow] = []
    public var cache = Cache()
    /// Failovers up to `time`, newest first (all that are kept, not only the window's).
    public var failovers: [FailoverEvent] = []
    /// Failovers within the window.
    public var failoversInWindow = 0
    /// Alert rules that are pending, firing or recently resolved (firing first).
    public var alerts: [AlertStatus] = []
    /// Early signals within the window, newest first.
    public var signals: [LiveSignal] = []
    /// Lines of every source since start.
    public var lines = LineCounts()
    /// Requests per second for each second of the window, oldest first (`window.seconds` values).
    public var qpsSeries: [Double] = []
    /// p95 latency of each 10 s of the window (aligned to its end), oldest first; nil for 10 s
    /// without requests (`window.seconds / 10` values).
    public var p95Series: [Int?] = []
    /// p50 and p99 of each 10 s, as `p95Series`.
    public var p50Series: [Int?] = [], p99Series: [Int?] = []
    /// Successful and failed requests completed in each second of the window, oldest first.
    public var okSeries: [Int] = [], failedSeries: [Int] = []
    /// Requests of each 10 s of the window by latency band (`LatencyBands.upperMs`), oldest
    /// first: the heatmap.
    public var latencyHeat: [[Int]] = []
    /// Requests and failures by text length (the unknown bucket only when it has requests).
    public var byTextLength: [BucketRow] = []
    /// Requests and failures per GPU, by GPU (only for logs that say which GPU served each).
    public var byGPU: [GPURow] = []
    /// Cache hits among requests whose start said, nil when none said.
    public var cacheHitRatio: Double?
    /// 5xx failures among the window's requests, nil without requests.
    public var serverErrorRatio: Double?

    public init(window: LiveWindow) { self.window = window }
}
