/// A named figure that alert rules compare with a threshold.
///
/// Log signals are computed per second of log time from the requests, cache readings and
/// failover lines the logs hold; probe signals come from probe rounds, `--disk` and resource
/// samples (`/proc`, nvidia-smi) on the probes' clock, so they fire with an idle log. Windowed signals cover the `window` seconds ending at the evaluated second.
public enum AlertSignal: String, Sendable, CaseIterable {
    case p50LatencySeconds = "p50_latency_seconds"
    case p90LatencySeconds = "p90_latency_seconds"
    case p95LatencySeconds = "p95_latency_seconds"
    case p99LatencySeconds = "p99_latency_seconds"
    /// Failed requests over all requests (0...1).
    case errorRatio = "error_ratio"
    /// 5xx failures over the requests of sources whose codes are HTTP-like (ChatTTS); no value
    /// without such requests.
    case serverErrorRatio = "server_error_ratio"
    /// Requests whose GPU queue time exceeded 2 s over the requests that logged a queue time.
    case gpuQueueSlowRatio = "gpu_queue_slow_ratio"
    /// The 95th percentile of the real-time factor (processing time ÷ audio seconds) of the
    /// requests that carry one: 1 or more means the service can no longer keep up with speech.
    case rtfP95 = "rtf_p95"
    /// Completed requests per second.
    case requestsPerSecond = "requests_per_second"
    /// The latest cache-directory reading, in percent.
    case cacheUsedPercent = "cache_used_percent"
    /// 1 while the latest failover line sent traffic away from main, else 0.
    case trafficOnStandby = "traffic_on_standby"
    /// 1 when the last probe of the active target succeeded, else 0 (probe clock).
    case activeTargetUp = "active_target_up"
    /// Free space on the `--disk` path, in percent (probe clock).
    case diskFreePercent = "disk_free_percent"
    /// Seconds since the most stale followed log last delivered a line, on the wall clock
    /// (probe clock): a log that stopped shows figures that are no longer true.
    case logStaleSeconds = "log_stale_seconds"
    /// Busy share of the host's CPUs, in percent (sampling clock, from `/proc/stat`).
    case hostCPUPercent = "host_cpu_percent"
    /// The fastest resident-memory growth of the `--process` selections, in MB per hour
    /// (a least-squares slope over up to 10 minutes; sampling clock).
    case processRSSGrowthMBPerHour = "process_rss_growth_mb_per_hour"
    /// The busiest GPU's utilisation, in percent (nvidia-smi; sampling clock).
    case gpuUtilPercent = "gpu_util_percent"

    /// Which clock evaluates a rule over this signal.
    public enum Clock: String, Sendable { case log, probe }

    public var clock: Clock {
        switch self {
        case .activeTargetUp, .diskFreePercent, .logStaleSeconds, .hostCPUPercent, .processRSSGrowthMBPerHour, .gpuUtilPercent:
            return .probe
        default: return .log
        }
    }

    /// The quantile (per mille) of a latency signal.
    public var latencyPerMille: Int? {
        switch self {
        case .p50LatencySeconds: return 500
        case .p90LatencySeconds: return 900
        case .p95LatencySeconds: return 950
        case .p99LatencySeconds: return 990
        default: return nil
        }
    }

    /// Whether the signal is computed over a window of seconds.
    public var isWindowed: Bool {
        switch self {
        case .cacheUsedPercent, .trafficOnStandby, .activeTargetUp, .diskFreePercent, .logStaleSeconds,
             .hostCPUPercent, .processRSSGrowthMBPerHour, .gpuUtilPercent: return false
        default: return true
        }
    }

    /// How values are shown.
    public enum Unit: Sendable { case seconds, ratio, percent, perSecond, flag, factor, megabytesPerHour }

    public var unit: Unit {
        switch self {
        case .p50LatencySeconds, .p90LatencySeconds, .p95LatencySeconds, .p99LatencySeconds, .logStaleSeconds: return .seconds
        case .errorRatio, .serverErrorRatio, .gpuQueueSlowRatio: return .ratio
        case .cacheUsedPercent, .diskFreePercent, .hostCPUPercent, .gpuUtilPercent: return .percent
        case .processRSSGrowthMBPerHour: return .megabytesPerHour
        case .requestsPerSecond: return .perSecond
        case .trafficOnStandby, .activeTargetUp: return .flag
        case .rtfP95: return .factor
        }
    }

    /// The value as a person reads it: `5.3s`, `7.1%`, `92.7%`, `12.0/s`, `1`.
    public func format(_ value: Double) -> String { format(value, extraPlaces: 0) }

    /// `format` with `extraPlaces` more decimals (to tell a value from a threshold it is close to).
    public func format(_ value: Double, extraPlaces: Int) -> String {
        // Staleness runs to hours: `3.0h`, `12.5m`, not `10800.6s`.
        if self == .logStaleSeconds, value >= 60 {
            return value >= 3600 ? LiveFormat.decimal(value / 3600, places: 1 + extraPlaces) + "h"
                : LiveFormat.decimal(value / 60, places: 1 + extraPlaces) + "m"
        }
        switch unit {
        case .seconds: return LiveFormat.decimal(value, places: (value < 10 ? 2 : 1) + extraPlaces) + "s"
        case .ratio: return LiveFormat.decimal(value * 100, places: 1 + extraPlaces) + "%"
        case .percent: return LiveFormat.decimal(value, places: 1 + extraPlaces) + "%"
        case .perSecond: return LiveFormat.decimal(value, places: 1 + extraPlaces) + "/s"
        case .flag: return value >= 1 ? "1" : "0"
        case .factor: return LiveFormat.decimal(value, places: 3 + extraPlaces)
        case .megabytesPerHour: return LiveFormat.decimal(value, places: extraPlaces) + " MB/h"
        }
    }

    /// GPU queue time above which a request counts as slow, in milliseconds (seed 002).
    public static let slowQueueMilliseconds = 2000
}
