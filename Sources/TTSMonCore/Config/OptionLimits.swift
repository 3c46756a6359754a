/// The sane ranges of the numeric options that every command and the config file share, so
/// `--timeout inf` or `--probe-interval 0` is a usage error in one place, not a crash or a flood
/// of real synthesis requests.
public enum OptionLimit: Sendable, CaseIterable {
    /// How long one probe or HTTP request may take: 10 ms to 1 h.
    case timeout
    /// Seconds between probe rounds (each sends a real synthesis request): 0.2 s to 1 day.
    case probeInterval
    /// Seconds between printed snapshots: 0.1 s to 1 day.
    case snapshotInterval
    /// How long a command runs before it stops by itself: 0 to 1 year.
    case runDuration
    /// Requests per second of generated or demo traffic: 0.001 to 100,000.
    case requestRate
    /// Log seconds per wall second in a replay: 0.01 to 1,000,000.
    case replaySpeed

    /// The accepted values, inclusive.
    public var range: ClosedRange<Double> {
        switch self {
        case .timeout: 0.01...3600
        case .probeInterval: 0.2...86_400
        case .snapshotInterval: 0.1...86_400
        case .runDuration: 0...31_536_000
        case .requestRate: 0.001...100_000
        case .replaySpeed: 0.01...1_000_000
        }
    }

    /// What the value means, for messages.
    var unit: String {
        switch self {
        case .timeout, .probeInterval, .snapshotInterval, .runDuration: "seconds"
        case .requestRate: "requests per second"
        case .replaySpeed: "log seconds per second"
        }
    }

    /// Why `value` is refused for the option called `name` (nil when it is accepted).
    /// NaN and infinities are always refused.
    public func problem(_ value: Double, name: String) -> String? {
        guard value.isFinite, range.contains(value) else {
            return "\(name) \(LimitFormat.number(value)): expected \(LimitFormat.number(range.lowerBound)) to \(LimitFormat.number(range.upperBound)) \(unit)"
        }
        return nil
    }
}

/// Whole counts that must not be negative (`--top`, `--fail-after`).
public enum CountLimit {
    /// Why `value` is refused for `name` (nil when it lies in `range`).
    public static func problem(_ value: Int, name: String, range: ClosedRange<Int>) -> String? {
        range.contains(value) ? nil : "\(name) \(value): expected \(range.lowerBound) to \(range.upperBound)"
    }
}

enum LimitFormat {
    /// A plain number without a trailing `.0`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
