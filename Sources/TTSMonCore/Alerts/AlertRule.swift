/// How a rule compares its signal with the threshold.
public enum AlertComparison: String, Sendable, CaseIterable {
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=", equal = "==", notEqual = "!="

    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .greater: return value > threshold
        case .greaterOrEqual: return value >= threshold
        case .less: return value < threshold
        case .lessOrEqual: return value <= threshold
        case .equal: return value == threshold
        case .notEqual: return value != threshold
        }
    }

    /// The comparison as shown on screen (`≥` rather than `>=`).
    public var symbol: String {
        switch self {
        case .greater: return ">"
        case .greaterOrEqual: return "≥"
        case .less: return "<"
        case .lessOrEqual: return "≤"
        case .equal: return "="
        case .notEqual: return "≠"
        }
    }

    /// Whether a larger value is worse (the peak of an interval is its largest value).
    var largerIsWorse: Bool { self != .less && self != .lessOrEqual }
}

/// One alert rule: `signal comparison threshold`, true for `forSeconds` before it fires.
public struct AlertRule: Sendable, Equatable {
    public var name: String
    public var signal: AlertSignal
    public var comparison: AlertComparison
    public var threshold: Double
    /// How long the condition must hold before the rule fires (0 fires at once).
    public var forSeconds: Int
    /// The window of a windowed signal, in seconds.
    public var windowSeconds: Int
    /// `critical`, `warning` or `info` (free text is kept as written).
    public var severity: String
    public var summary: String

    public init(name: String, signal: AlertSignal, comparison: AlertComparison = .greater, threshold: Double,
                forSeconds: Int, windowSeconds: Int = AlertRule.defaultWindowSeconds, severity: String, summary: String) {
        self.name = name; self.signal = signal; self.comparison = comparison; self.threshold = threshold
        self.forSeconds = forSeconds; self.windowSeconds = windowSeconds; self.severity = severity; self.summary = summary
    }

    /// Seconds without a new line after which a followed log is stale (`--stale-after`).
    public static let defaultStaleSeconds: Double = 60

    /// The built-in rules with LogStale's threshold at `seconds` (`--stale-after`).
    public static func builtIn(staleAfter seconds: Double) -> [AlertRule] {
        builtIn.map { rule in
            guard rule.signal == .logStaleSeconds else { return rule }
            var changed = rule
            changed.threshold = seconds
            changed.summary = "a followed log has written nothing for \(LiveFormat.trimmed(seconds))s: its figures are old"
            return changed
        }
    }

    /// The window of windowed signals unless a rule says otherwise (the seeds' `[5m]`).
    public static let defaultWindowSeconds = 300
    /// The longest window a rule may ask for.
    public static let maximumWindowSeconds = 3600

    /// `p95_latency_seconds > 5`.
    public var expression: String {
        "\(signal.rawValue) \(comparison.rawValue) \(LiveFormat.trimmed(threshold))"
    }

    /// The seeds' rules (001, 002), with their thresholds.
    public static let builtIn: [AlertRule] = [
        AlertRule(name: "ServiceDown", signal: .activeTargetUp, comparison: .less, threshold: 1, forSeconds: 60,
                  severity: "critical", summary: "no successful probe of the active target for 1m"),
        AlertRule(name: "HighP95Latency", signal: .p95LatencySeconds, threshold: 5, forSeconds: 120,
                  severity: "warning", summary: "p95 latency over 5s for 2m"),
        AlertRule(name: "HighP90Latency", signal: .p90LatencySeconds, threshold: 4, forSeconds: 120,
                  severity: "warning", summary: "p90 latency over 4s for 2m"),
        AlertRule(name: "HighErrorRate", signal: .errorRatio, threshold: 0.05, forSeconds: 180,
                  severity: "critical", summary: "more than 5% of requests failed over 5m, for 3m"),
        AlertRule(name: "HighServerErrorRate", signal: .serverErrorRatio, threshold: 0.01, forSeconds: 180,
                  severity: "critical", summary: "more than 1% 5xx over 5m (ChatTTS), for 3m"),
        AlertRule(name: "CacheNearlyFull", signal: .cacheUsedPercent, threshold: 90, forSeconds: 0,
                  severity: "warning", summary: "cache directory over 90% full"),
        AlertRule(name: "LogStale", signal: .logStaleSeconds, threshold: AlertRule.defaultStaleSeconds, forSeconds: 0,
                  severity: "warning", summary: "a followed log has written nothing for 60s: its figures are old"),
        AlertRule(name: "DiskLow", signal: .diskFreePercent, comparison: .less, threshold: 10, forSeconds: 0,
                  severity: "warning", summary: "less than 10% free on the watched disk"),
        AlertRule(name: "GPUQueueSlow", signal: .gpuQueueSlowRatio, threshold: 0.05, forSeconds: 120,
                  severity: "warning", summary: "GPU queue over 2s for more than 5% of requests"),
        AlertRule(name: "SlowerThanRealTime", signal: .rtfP95, comparison: .greaterOrEqual, threshold: 1, forSeconds: 300,
                  severity: "warning", summary: "p95 real-time factor at or over 1 for 5m: synthesis no longer keeps up with speech"),
        AlertRule(name: "HighCPULoad", signal: .hostCPUPercent, threshold: 80, forSeconds: 180,
                  severity: "warning", summary: "host CPU over 80% for 3m"),
        AlertRule(name: "MemoryGrowth", signal: .processRSSGrowthMBPerHour, threshold: 200, forSeconds: 600,
                  severity: "warning", summary: "a watched process's memory growing over 200 MB/h for 10m: a leak heading for OOM"),
        AlertRule(name: "GPUSaturated", signal: .gpuUtilPercent, comparison: .greaterOrEqual, threshold: 95, forSeconds: 300,
                  severity: "warning", summary: "a GPU at 95% or more for 5m"),
        AlertRule(name: "Failover", signal: .trafficOnStandby, threshold: 0, forSeconds: 0,
                  severity: "critical", summary: "traffic is not on main"),
    ]
}
