/// What one second of log time held, as alert rules need it.
struct AlertSecond: Sendable {
    // 64 bytes a second (a day of log time is 86,400 of them): no optionals, the array and the
    // double first, then the counts.
    /// Counts over the latency limits beyond the first two (rules of a `--rules` file; empty
    /// arrays allocate nothing).
    var overRest: [Int32] = []
    /// The highest cache reading of the second; NaN when none.
    private var cacheReading = Double.nan
    var requests: Int32 = 0, failed: Int32 = 0
    /// Requests of sources with HTTP-like codes, and their 5xx failures.
    var statusCodeRequests: Int32 = 0, serverErrors: Int32 = 0
    /// Requests that logged a GPU queue time, and those over `AlertSignal.slowQueueMilliseconds`.
    var queueKnown: Int32 = 0, queueSlow: Int32 = 0
    /// Requests slower than each of the series' latency limits: the first two inline (the
    /// built-in rules need two), any further ones in `overRest`.
    var over0: Int32 = 0, over1: Int32 = 0
    /// Requests that carried a real-time factor, and those above each of the first two RTF limits.
    var rtfKnown: Int32 = 0, rtfOver0: Int32 = 0, rtfOver1: Int32 = 0
    /// -1 before any failover line in the second, else 1 for away from main, 0 for main.
    private var standby: Int8 = -1

    /// The highest cache reading of the second.
    var cachePercent: Double? {
        get { cacheReading.isNaN ? nil : cacheReading }
        set { cacheReading = newValue ?? .nan }
    }
    /// Where the second's last failover line sent traffic: true for away from main.
    var onStandby: Bool? {
        get { standby < 0 ? nil : standby == 1 }
        set { standby = newValue.map { $0 ? 1 : 0 } ?? -1 }
    }

    init(limits: Int) { if limits > 2 { overRest = [Int32](repeating: 0, count: limits - 2) } }

    @inline(__always)
    func over(_ i: Int) -> Int32 { i == 0 ? over0 : i == 1 ? over1 : overRest[i - 2] }

    @inline(__always)
    mutating func countOver(_ i: Int) {
        if i == 0 { over0 += 1 } else if i == 1 { over1 += 1 } else { overRest[i - 2] += 1 }
    }

    mutating func merge(_ other: AlertSecond) {
        requests += other.requests; failed += other.failed
        statusCodeRequests += other.statusCodeRequests; serverErrors += other.serverErrors
        queueKnown += other.queueKnown; queueSlow += other.queueSlow
        over0 += other.over0; over1 += other.over1
        rtfKnown += other.rtfKnown; rtfOver0 += other.rtfOver0; rtfOver1 += other.rtfOver1
        for i in overRest.indices { overRest[i] += other.overRest[i] }
        if let p = other.cachePercent { cachePercent = max(cachePercent ?? p, p) }
        if let s = other.onStandby { onStandby = s }
    }
}

/// Sorted lists of `bucket << 32 | count` (buckets of `LogLinearBuckets`), as latency blocks
/// store them.
enum PackedHistogram {
    /// Two lists merged, counts of equal buckets added.
    static func merge(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var out: [UInt64] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            let ka = i < a.count ? a[i] >> 32 : .max, kb = j < b.count ? b[j] >> 32 : .max
            if ka == kb { out.append(a[i] + (b[j] & 0xFFFF_FFFF)); i += 1; j += 1 }
            else if ka < kb { out.append(a[i]); i += 1 }
            else { out.append(b[j]); j += 1 }
        }
        return out
    }
}

/// Per-second aggregates of log time for alert rules, and latency histograms per block of
/// `blockSeconds` (they only give the value shown while a latency rule is pending or firing;
/// the comparison itself uses the exact per-second counts). Mergeable (a report's parallel
/// ranges each fill one) and prunable (live keeps only the longest window). A second costs a
/// few dozen bytes, so a week of log time stays in tens of megabytes.
public struct AlertSeries: Sendable {
    /// Seconds per latency block.
    static let blockSeconds: Int64 = 10
    /// Latency limits, in milliseconds, that rules compare quantiles with.
    public let latencyLimits: [Int]
    /// Real-time-factor limits, in ten-thousandths (the first two are counted).
    public var rtfLimits: [Int] = []
    private(set) var seconds = SortedTimeMap<AlertSecond>()
    /// Latency histograms per block (`second / blockSeconds`, floored): `bucket << 32 | count`,
    /// sorted by bucket (`LogLinearBuckets`).
    private(set) var blocks = SortedTimeMap<[UInt64]>()
    // The second and the block being filled, kept out of the dictionaries while records stay in them.
    private var currentSecond: Int64?
    private var current: AlertSecond
    /// Whether `seconds` also holds an older copy of `current` (a second reopened out of order).
    private var currentIsStored = false
    private var currentBlock: Int64?
    private var scratch: [UInt32]
    private var touched: [Int] = []

    /// The latency block of a second.
    @inline(__always)
    static func block(of second: Int64) -> Int64 {
        second >= 0 ? second / blockSeconds : (second - blockSeconds + 1) / blockSeconds
    }

    public init(latencyLimits: [Int]) {
        self.latencyLimits = latencyLimits
        current = AlertSecond(limits: latencyLimits.count)
        scratch = [UInt32](repeating: 0, count: LogLinearBuckets.count)
    }

    /// The series for a set of rules: the latency limits their comparisons need.
    public init(rules: [AlertRule]) {
        self.init(latencyLimits: Array(Set(rules.compactMap(AlertSeries.latencyLimit))).sorted())
        rtfLimits = Array(Array(Set(rules.compactMap(AlertSeries.rtfLimit))).sorted().prefix(2))
    }

    /// The ten-thousandths limit L such that an RTF rule's comparison reduces to "quantile > L".
    static func rtfLimit(_ rule: AlertRule) -> Int? {
        guard rule.signal == .rtfP95 else { return nil }
        return limit(rule.threshold * 10_000, rule.comparison)
    }

    static func limit(_ scaled: Double, _ comparison: AlertComparison) -> Int? {
        switch comparison {
        case .greater, .lessOrEqual: return Int(scaled.rounded(.down))
        case .greaterOrEqual, .less: return Int(scaled.rounded(.up)) - 1
        case .equal, .notEqual: return nil
        }
    }

    /// The millisecond limit L such that the rule's comparison reduces to "quantile > L".
    static func latencyLimit(_ rule: AlertRule) -> Int? {
        guard rule.signal.latencyPerMille != nil else { return nil }
        return limit(rule.threshold * 1000, rule.comparison)
    }

    @inline(__always)
    private mutating func select(_ second: Int64) {
        if currentSecond == second { return }
        flushSecond()
        currentSecond = second
        if let stored = seconds.value(at: second) { current = stored; currentIsStored = true } else { currentIsStored = false }
    }

    @inline(__always)
    private mutating func selectBlock(_ block: Int64) {
        if currentBlock == block { return }
        flushBlock()
        currentBlock = block
        if let stored = blocks.value(at: block) {
            for entry in stored {
                let b = Int(entry >> 32)
                scratch[b] = UInt32(truncatingIfNeeded: entry)
                touched.append(b)
            }
        }
    }

    private mutating func flushSecond() {
        guard let second = currentSecond else { return }
        seconds.set(current, at: second)
        current = AlertSecond(limits: latencyLimits.count)
        currentSecond = nil
    }

    private mutating func flushBlock() {
        guard let block = currentBlock else { return }
        touched.sort()
        blocks.set(touched.map { UInt64($0) << 32 | UInt64(scratch[$0]) }, at: block)
        for b in touched { scratch[b] = 0 }
        touched.removeAll(keepingCapacity: true)
        currentBlock = nil
    }

    /// Moves what is being filled into the dictionaries.
    mutating func flush() {
        flushSecond()
        flushBlock()
    }

    /// One completed request.
    @inline(__always)
    public mutating func addRequest(second: Int64, failed: Bool, statusCodes: Bool, serverError: Bool,
                                    durationMs: Int?, queueMs: Int?, rtf: Int? = nil) {
        select(second)
        current.requests += 1
        if failed { current.failed += 1 }
        if statusCodes {
            current.statusCodeRequests += 1
            if serverError { current.serverErrors += 1 }
        }
        if let queueMs {
            current.queueKnown += 1
            if queueMs > AlertSignal.slowQueueMilliseconds { current.queueSlow += 1 }
        }
        if let rtf {
            current.rtfKnown += 1
            if rtfLimits.count > 0, rtf > rtfLimits[0] { current.rtfOver0 += 1 }
            if rtfLimits.count > 1, rtf > rtfLimits[1] { current.rtfOver1 += 1 }
        }
        // A request without a measured duration (an access log without request times) counts,
        // but not toward latency.
        guard let durationMs else { return }
        for i in latencyLimits.indices where durationMs > latencyLimits[i] { current.countOver(i) }
        selectBlock(AlertSeries.block(of: second))
        let b = LogLinearBuckets.index(of: durationMs)
        if scratch[b] == 0 { touched.append(b) }
        scratch[b] &+= 1
    }

    /// One cache reading.
    public mutating func addCache(second: Int64, percent: Double) {
        select(second)
        current.cachePercent = max(current.cachePercent ?? percent, percent)
    }

    /// One failover line: traffic now on `main` or away from it.
    public mutating func addFailover(second: Int64, toMain: Bool) {
        select(second)
        current.onStandby = !toMain
    }

    /// Adds another series of the same rules (a later or parallel stretch of log).
    public mutating func merge(_ other: AlertSeries) {
        var other = other
        other.flush()
        flush()
        seconds.merge(other.seconds) { var mine = $0; mine.merge($1); return mine }
        blocks.merge(other.blocks, PackedHistogram.merge)
    }

    /// The seconds with data in `range`, ascending.
    mutating func secondsWithData(in range: ClosedRange<Int64>) -> [Int64] {
        flush()
        return seconds.keys(in: range)
    }

    /// The first second with data, when it is at most `bound`.
    mutating func firstSecondWithData(atMost bound: Int64) -> Int64? {
        flush()
        return seconds.firstKey(atMost: bound)
    }

    mutating func data(at second: Int64) -> AlertSecond? {
        if currentSecond == second { flushSecond() }
        return seconds.value(at: second)
    }

    /// The latency histogram of a block (nil without requests).
    mutating func latency(block: Int64) -> [UInt64]? {
        if currentBlock == block { flushBlock() }
        return blocks.value(at: block)
    }

    /// Forgets seconds before `second`.
    mutating func prune(before second: Int64) {
        flush()
        seconds.removeAll(before: second)
        blocks.removeAll(before: AlertSeries.block(of: second))
    }

    /// Seconds held (for footprints).
    public var secondCount: Int { seconds.count + (currentSecond == nil || currentIsStored ? 0 : 1) }
}
