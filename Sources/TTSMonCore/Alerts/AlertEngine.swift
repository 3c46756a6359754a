/// Evaluates alert rules: log rules once per second of log time over an `AlertSeries`, probe
/// rules at each probe round. The same engine serves `report` (one sweep over the whole log),
/// `watch`, `replay` and the dashboard (a sweep up to "now" at every tick), so a replayed log
/// fires at the times the report names.
public struct AlertEngine: Sendable {
    public let rules: [AlertRule]
    /// What the per-second sweep needs of each rule, as plain values (no rule is copied there).
    var plans: [RulePlan]
    var trackers: [AlertTracker]
    /// Running sums per distinct window length (mutated in place: no copies per second).
    var windowLengths: [Int] = []
    var windows: [WindowSums] = []
    /// The last evaluated second of log time.
    public private(set) var evaluatedThrough: Int64?
    var cachePercent: Double?
    var onStandby: Bool?
    /// Firing intervals, oldest first (at most `intervalCapacity`).
    public private(set) var intervals: [AlertInterval] = []
    var openInterval: [Int?]
    /// Transitions not yet drained.
    var transitions: [AlertTransition] = []

    public static let intervalCapacity = 1000
    static let transitionCapacity = 1000

    /// A rule reduced to what evaluating it reads.
    struct RulePlan {
        var signal: AlertSignal
        var comparison: AlertComparison
        var threshold: Double
        var forSeconds: Int
        var clock: AlertSignal.Clock
        /// Index into `windows` of the rule's window (windowed log signals).
        var window: Int?
        /// The latency limit the rule's comparison reduces to, and its index in the series'
        /// `latencyLimits` (set when a sweep first sees the series).
        var latencyLimit: Int?
        var limitIndex: Int?
        /// The same for an RTF rule, in ten-thousandths.
        var rtfLimit: Int?
        var rtfIndex: Int?
    }

    public init(rules: [AlertRule]) {
        self.rules = rules
        trackers = Array(repeating: AlertTracker(), count: rules.count)
        plans = []
        openInterval = Array(repeating: nil, count: rules.count)
        for rule in rules where rule.signal.isWindowed && rule.signal.clock == .log && !windowLengths.contains(rule.windowSeconds) {
            windowLengths.append(rule.windowSeconds)
            windows.append(WindowSums(limits: 0))
        }
        plans = rules.map { rule in
            RulePlan(signal: rule.signal, comparison: rule.comparison, threshold: rule.threshold, forSeconds: rule.forSeconds,
                     clock: rule.signal.clock,
                     window: rule.signal.isWindowed && rule.signal.clock == .log ? windowLengths.firstIndex(of: rule.windowSeconds) : nil,
                     latencyLimit: AlertSeries.latencyLimit(rule), limitIndex: nil,
                     rtfLimit: AlertSeries.rtfLimit(rule), rtfIndex: nil)
        }
    }

    /// The longest window any rule reads (what a live series must keep).
    public var longestWindow: Int { windowLengths.max() ?? 1 }

    /// Evaluates every log rule at each second after the last evaluated one through `second`.
    public mutating func evaluateLog(_ series: inout AlertSeries, through second: Int64) {
        if windows.contains(where: { $0.over.count != series.latencyLimits.count }) {
            windows = windows.map { _ in WindowSums(limits: series.latencyLimits.count) }
        }
        for i in plans.indices {
            plans[i].limitIndex = plans[i].latencyLimit.flatMap { series.latencyLimits.firstIndex(of: $0) }
            plans[i].rtfIndex = plans[i].rtfLimit.flatMap { series.rtfLimits.firstIndex(of: $0) }
        }
        let from: Int64
        if let done = evaluatedThrough { from = done + 1 } else {
            guard let first = series.firstSecondWithData(atMost: second) else { return }
            from = first
        }
        guard from <= second else { return }
        let dataSeconds = series.secondsWithData(in: (from - Int64(longestWindow))...second)
        var next = dataSeconds.firstIndex(where: { $0 >= from }) ?? dataSeconds.count
        var s = from
        while s <= second {
            step(&series, at: s)
            evaluatedThrough = s
            while next < dataSeconds.count, dataSeconds[next] <= s { next += 1 }
            // Nothing in any window and nothing until the next data second: jump across the gap,
            // stopping where a pending rule would fire.
            if windows.allSatisfy({ $0.isEmpty }) {
                let target = min(next < dataSeconds.count ? dataSeconds[next] : second + 1, second + 1)
                if target > s + 1 {
                    let last = target - 1
                    evaluateRules(&series, at: last, clock: .log)
                    evaluatedThrough = last
                    s = target
                    continue
                }
            }
            s += 1
        }
        series.prune(before: second - Int64(longestWindow))
    }

    /// One second: windows slide, instant signals update, rules are evaluated.
    mutating func step(_ series: inout AlertSeries, at s: Int64) {
        let entering = series.data(at: s)
        if let entering {
            if let p = entering.cachePercent { cachePercent = p }
            if let standby = entering.onStandby { onStandby = standby }
        }
        for i in windows.indices {
            if let entering { windows[i].add(entering) }
            if let leaving = series.data(at: s - Int64(windowLengths[i])) { windows[i].subtract(leaving) }
            windows[i].slideLatency(&series, at: s, window: windowLengths[i])
        }
        evaluateRules(&series, at: s, clock: .log)
    }

    mutating func evaluateRules(_ series: inout AlertSeries, at s: Int64, clock: AlertSignal.Clock) {
        let time = LogTimestamp(milliseconds: s * 1000)
        for i in plans.indices where plans[i].clock == clock {
            let (value, holds) = logValue(i, &series, at: s)
            advance(i, at: time, value: value, holds: holds)
        }
    }

    /// Moves rule `i`'s tracker and records the transition it makes, if any.
    mutating func advance(_ i: Int, at time: LogTimestamp, value: Double?, holds: Bool) {
        let plan = plans[i]
        guard let step = trackers[i].evaluate(forSeconds: plan.forSeconds, largerIsWorse: plan.comparison.largerIsWorse,
                                              at: time, value: value, holds: holds) else { return }
        record(i, AlertTransition(rule: rules[i], kind: step.kind, time: step.time, start: step.start, value: step.value))
    }

    /// A log rule's value at second `s` and whether its condition holds.
    func logValue(_ i: Int, _ series: inout AlertSeries, at s: Int64) -> (Double?, Bool) {
        let rule = plans[i]
        func compare(_ v: Double?) -> (Double?, Bool) { (v, v.map { rule.comparison.holds($0, rule.threshold) } ?? false) }
        func ratio(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
        switch rule.signal {
        case .cacheUsedPercent: return compare(cachePercent)
        case .trafficOnStandby: return compare(onStandby.map { $0 ? 1 : 0 })
        case .activeTargetUp, .diskFreePercent, .logStaleSeconds, .hostCPUPercent, .processRSSGrowthMBPerHour, .gpuUtilPercent:
            return (nil, false)
        default: break
        }
        guard let w = rule.window else { return (nil, false) }
        let sums = windows[w]
        switch rule.signal {
        case .errorRatio: return compare(ratio(sums.failed, sums.requests))
        case .serverErrorRatio: return compare(ratio(sums.serverErrors, sums.statusCodeRequests))
        case .gpuQueueSlowRatio: return compare(ratio(sums.queueSlow, sums.queueKnown))
        case .requestsPerSecond: return compare(Double(sums.requests) / Double(windowLengths[w]))
        case .rtfP95:
            // Exact from the counts: the quantile is above the limit when fewer than its rank
            // of the window's factors are at or below it (no value is kept to show).
            guard let k = rule.rtfIndex, sums.rtfKnown > 0 else { return (nil, false) }
            let rank = (950 * sums.rtfKnown + 999) / 1000
            let above = sums.rtfKnown - sums.rtfOver[k] < rank
            let holds: Bool
            switch rule.comparison {
            case .greater, .greaterOrEqual: holds = above
            default: holds = !above
            }
            return (nil, holds)
        default: break
        }
        guard let perMille = rule.signal.latencyPerMille, sums.requests > 0 else { return (nil, false) }
        let n = sums.requests
        let rank = (perMille * n + 999) / 1000
        let holds: Bool
        if let k = rule.limitIndex {
            let overLimit = (n - sums.over[k]) < rank   // the quantile is above `limit` ms
            switch rule.comparison {
            case .greater, .greaterOrEqual: holds = overLimit
            default: holds = !overLimit
            }
            // Values cost a merge of the window's histograms: only for rules that are not idle.
            if !holds && trackers[i].state == .inactive { return (nil, false) }
            return (windowQuantile(sums, &series, at: s, perMille: perMille), holds)
        }
        return compare(windowQuantile(sums, &series, at: s, perMille: perMille))
    }

    func windowQuantile(_ sums: WindowSums, _ series: inout AlertSeries, at s: Int64, perMille: Int) -> Double? {
        let partial = WindowSums.openBlock(at: s).flatMap { series.latency(block: $0) } ?? []
        return sums.quantile(perMille: perMille, partial: partial)
    }

    /// Evaluates the probe rules at `time`: whether the active target's last probe succeeded
    /// (nil without probes), the free share of the watched disk (nil without `--disk`) and the
    /// resource samples (nil figures where nothing is sampled).
    public mutating func evaluateProbe(at time: LogTimestamp, activeTargetUp: Bool?, diskFreePercent: Double?,
                                       logStaleSeconds: Double? = nil, resources: ResourceAlertInputs = ResourceAlertInputs()) {
        for i in plans.indices where plans[i].clock == .probe {
            let value: Double?
            switch plans[i].signal {
            case .activeTargetUp: value = activeTargetUp.map { $0 ? 1 : 0 }
            case .logStaleSeconds: value = logStaleSeconds
            case .hostCPUPercent: value = resources.hostCPUPercent
            case .processRSSGrowthMBPerHour: value = resources.rssGrowthMBPerHour
            case .gpuUtilPercent: value = resources.gpuUtilPercent
            default: value = diskFreePercent
            }
            let holds = value.map { plans[i].comparison.holds($0, plans[i].threshold) } ?? false
            advance(i, at: time, value: value, holds: holds)
        }
    }

    mutating func record(_ i: Int, _ transition: AlertTransition?) {
        guard let transition else { return }
        if transitions.count >= Self.transitionCapacity { transitions.removeFirst() }
        transitions.append(transition)
        switch transition.kind {
        case .firing:
            if intervals.count >= Self.intervalCapacity {
                intervals.removeFirst()
                openInterval = openInterval.map { $0.flatMap { $0 > 0 ? $0 - 1 : nil } }
            }
            intervals.append(AlertInterval(rule: rules[i], start: transition.time, end: nil, peak: transition.value ?? rules[i].threshold))
            openInterval[i] = intervals.count - 1
        case .resolved:
            if let k = openInterval[i] {
                intervals[k].end = transition.time
                intervals[k].peak = trackers[i].peak ?? intervals[k].peak
            }
            openInterval[i] = nil
        }
    }

    /// Intervals with the peaks of those still firing brought up to date.
    public var currentIntervals: [AlertInterval] {
        var out = intervals
        for (i, k) in openInterval.enumerated() {
            if let k, let peak = trackers[i].peak { out[k].peak = peak }
        }
        return out
    }

    /// Every rule that is not inactive: firing first, then pending, then resolved; newest first.
    public var statuses: [AlertStatus] {
        let order: [AlertState: Int] = [.firing: 0, .pending: 1, .resolved: 2]
        return rules.indices.compactMap { i -> AlertStatus? in
            let t = trackers[i]
            guard t.state != .inactive else { return nil }
            return AlertStatus(rule: rules[i], state: t.state, since: t.since, value: t.value)
        }.sorted { a, b in
            let oa = order[a.state]!, ob = order[b.state]!
            return oa != ob ? oa < ob : (a.since != b.since ? a.since > b.since : a.name < b.name)
        }
    }

    /// Rules firing now.
    public var firingCount: Int { trackers.filter { $0.state == .firing }.count }

    /// Transitions since the last call, oldest first.
    public mutating func drainTransitions() -> [AlertTransition] {
        defer { transitions.removeAll() }
        return transitions
    }
}

/// Sums of a window's seconds, slid one second at a time.
struct WindowSums: Sendable {
    var requests = 0, failed = 0, statusCodeRequests = 0, serverErrors = 0, queueKnown = 0, queueSlow = 0
    var over: [Int]
    var rtfKnown = 0
    var rtfOver = [0, 0]
    /// The window's latency histogram (`LogLinearBuckets`), dense, built from whole latency
    /// blocks: a block joins once its last second is evaluated (no later request can count in
    /// it then) and leaves with its last second, so shown values lag by at most a block.
    var latency = [Int32](repeating: 0, count: LogLinearBuckets.count)
    /// Counts per group of `groupSize` buckets, so a quantile skips empty stretches.
    var groups = [Int32](repeating: 0, count: (LogLinearBuckets.count + WindowSums.groupSize - 1) / WindowSums.groupSize)
    static let groupSize = 128
    var latencyBlocks: [(block: Int64, entries: [UInt64])] = []
    var latencyCount = 0
    var nextBlock: Int64?

    init(limits: Int) { over = [Int](repeating: 0, count: limits) }

    /// The window's nearest-rank quantile (per mille) in seconds, as its bucket's upper bound,
    /// counting also `partial`: the block still open at the evaluated second.
    func quantile(perMille: Int, partial: [UInt64]) -> Double? {
        let total = latencyCount + partial.reduce(0) { $0 + Int($1 & 0xFFFF_FFFF) }
        guard total > 0 else { return nil }
        let rank = (perMille * total + 999) / 1000
        var seen = 0
        var p = 0           // partial entries are sorted by bucket
        let size = WindowSums.groupSize
        for g in groups.indices {
            // The group's count with the open block's entries in it.
            var inGroup = Int(groups[g])
            var q = p
            while q < partial.count, Int(partial[q] >> 32) < (g + 1) * size { inGroup += Int(partial[q] & 0xFFFF_FFFF); q += 1 }
            if seen + inGroup < rank { seen += inGroup; p = q; continue }
            for bucket in (g * size)..<Swift.min((g + 1) * size, latency.count) {
                var n = Int(latency[bucket])
                if p < partial.count, Int(partial[p] >> 32) == bucket { n += Int(partial[p] & 0xFFFF_FFFF); p += 1 }
                guard n > 0 else { continue }
                seen += n
                if seen >= rank { return Double(LogLinearBuckets.upperBound(of: bucket)) / 1000 }
            }
        }
        return nil
    }

    /// The block still open at second `s` (not yet in the histogram), if any.
    static func openBlock(at s: Int64) -> Int64? {
        let block = AlertSeries.block(of: s)
        return s == block * AlertSeries.blockSeconds + AlertSeries.blockSeconds - 1 ? nil : block
    }

    var isEmpty: Bool { requests == 0 && queueKnown == 0 }

    /// Adds the latency blocks completed by second `s` and drops those that left the window.
    mutating func slideLatency(_ series: inout AlertSeries, at s: Int64, window: Int) {
        let size = AlertSeries.blockSeconds
        let complete = AlertSeries.block(of: s - (size - 1))       // the newest block whose last second is <= s
        let oldestUseful = AlertSeries.block(of: s - Int64(window) + 1)
        var b = Swift.max(nextBlock ?? oldestUseful, oldestUseful)
        while b <= complete {
            if let entries = series.latency(block: b) {
                for e in entries { count(e, sign: 1) }
                latencyBlocks.append((b, entries))
            }
            b += 1
        }
        nextBlock = complete + 1
        while let first = latencyBlocks.first, first.block * size + size - 1 <= s - Int64(window) {
            for e in first.entries { count(e, sign: -1) }
            latencyBlocks.removeFirst()
        }
    }

    /// Adds or removes one packed `bucket << 32 | count` entry.
    @inline(__always)
    private mutating func count(_ entry: UInt64, sign: Int32) {
        let bucket = Int(entry >> 32), n = Int32(truncatingIfNeeded: entry) * sign
        latency[bucket] += n
        groups[bucket / WindowSums.groupSize] += n
        latencyCount += Int(n)
    }

    mutating func add(_ s: AlertSecond) { apply(s, sign: 1) }
    mutating func subtract(_ s: AlertSecond) { apply(s, sign: -1) }

    private mutating func apply(_ s: AlertSecond, sign: Int) {
        requests += sign * Int(s.requests); failed += sign * Int(s.failed)
        statusCodeRequests += sign * Int(s.statusCodeRequests); serverErrors += sign * Int(s.serverErrors)
        queueKnown += sign * Int(s.queueKnown); queueSlow += sign * Int(s.queueSlow)
        for i in over.indices { over[i] += sign * Int(s.over(i)) }
        rtfKnown += sign * Int(s.rtfKnown); rtfOver[0] += sign * Int(s.rtfOver0); rtfOver[1] += sign * Int(s.rtfOver1)
    }
}
