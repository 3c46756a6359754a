import Testing
@testable import TTSMonCore

/// Issue 8: the alert state machine on a manual clock (seconds of log time).
@Suite struct AlertEngineTests {
    static func rule(_ signal: AlertSignal, _ threshold: Double, op comparison: AlertComparison = .greater,
                     for seconds: Int, window: Int = 10, name: String = "R") -> AlertRule {
        AlertRule(name: name, signal: signal, comparison: comparison, threshold: threshold, forSeconds: seconds,
                  windowSeconds: window, severity: "warning", summary: name)
    }

    /// Feeds one request per second over `seconds`, failed where `failed(s)`, then evaluates.
    static func run(_ rules: [AlertRule], seconds: ClosedRange<Int64>, failed: (Int64) -> Bool,
                    duration: (Int64) -> Int = { _ in 100 }) -> AlertEngine {
        var series = AlertSeries(rules: rules)
        for s in seconds {
            series.addRequest(second: s, failed: failed(s), statusCodes: false, serverError: false,
                              durationMs: duration(s), queueMs: nil)
        }
        var engine = AlertEngine(rules: rules)
        engine.evaluateLog(&series, through: seconds.upperBound)
        return engine
    }

    /// Start and end seconds of each interval (end -1 while firing).
    static func spans(_ intervals: [AlertInterval]) -> [[Int64]] { intervals.map { [$0.start.second, $0.end?.second ?? -1] } }

    @Test func firesOnlyAfterForAndResolves() {
        let r = Self.rule(.errorRatio, 0.5, for: 30)
        var engine = Self.run([r], seconds: 0...299, failed: { (100...199).contains($0) })
        // Ratio over 10 s > 0.5 from second 105 (6 of 10 failed) to 203; pending 105, firing 135.
        #expect(Self.spans(engine.intervals) == [[135, 204]])
        let t = engine.drainTransitions()
        let kinds: [AlertTransition.Kind] = t.map { $0.kind }
        let times: [Int64] = t.map { $0.time.second }
        #expect(kinds == [.firing, .resolved])
        #expect(times == [135, 204])
        #expect(engine.intervals[0].peak == 1.0)
        #expect(engine.drainTransitions().isEmpty)
    }

    @Test func flappingNeverFires() {
        let r = Self.rule(.errorRatio, 0.5, for: 30)
        // 20 s of failures, 20 s of successes, repeated: never true for 30 s in a row.
        let engine = Self.run([r], seconds: 0...599, failed: { ($0 / 20) % 2 == 1 })
        #expect(engine.intervals.isEmpty)
        // A single 20 s burst leaves it pending, then inactive.
        var e2 = Self.run([r], seconds: 0...112, failed: { (100...119).contains($0) })
        #expect(e2.statuses.first?.state == .pending)
        #expect(e2.statuses.first?.since.second == 105)
        var series = AlertSeries(rules: [r])
        for s in Int64(113)...200 { series.addRequest(second: s, failed: s <= 119, statusCodes: false, serverError: false, durationMs: 1, queueMs: nil) }
        e2.evaluateLog(&series, through: 200)
        #expect(e2.statuses.isEmpty)
        #expect(e2.intervals.isEmpty)
    }

    @Test func latencyQuantileComparisonIsExact() {
        // 100 requests in one second: k of them at 6000 ms, the rest at 100 ms. p95 (rank 95)
        // is over 5 s only when more than 5 are slow.
        for (slow, fires) in [(5, false), (6, true)] {
            let r = Self.rule(.p95LatencySeconds, 5, for: 0, window: 60)
            var series = AlertSeries(rules: [r])
            for i in 0..<100 {
                series.addRequest(second: 10, failed: false, statusCodes: false, serverError: false,
                                  durationMs: i < slow ? 6000 : 100, queueMs: nil)
            }
            var engine = AlertEngine(rules: [r])
            engine.evaluateLog(&series, through: 10)
            #expect((engine.firingCount == 1) == fires, "slow=\(slow)")
            if fires {
                // The shown value is the bucket's upper bound, a little above the true 6 s.
                let v = engine.statuses[0].value!
                #expect(v >= 6 && v <= 6 * (1 + 1.0 / 32))
            }
        }
        // Exactly at the threshold: 5000 ms is not > 5 s, but is >= 5 s.
        for (op, fires) in [(AlertComparison.greater, false), (.greaterOrEqual, true)] {
            let r = Self.rule(.p95LatencySeconds, 5, op: op, for: 0)
            let engine = Self.run([r], seconds: 0...5, failed: { _ in false }, duration: { _ in 5000 })
            #expect((engine.firingCount == 1) == fires, "\(op)")
        }
    }

    @Test func serverErrorRatioCountsOnlyStatusCodeSources() {
        let r = Self.rule(.serverErrorRatio, 0.01, for: 0)
        var series = AlertSeries(rules: [r])
        // IndexTTS-style requests alone: no value, never fires.
        for s in Int64(0)...9 { series.addRequest(second: s, failed: true, statusCodes: false, serverError: false, durationMs: 1, queueMs: nil) }
        var engine = AlertEngine(rules: [r])
        engine.evaluateLog(&series, through: 9)
        #expect(engine.statuses.isEmpty)
        for s in Int64(10)...19 { series.addRequest(second: s, failed: s == 15, statusCodes: true, serverError: s == 15, durationMs: 1, queueMs: nil) }
        engine.evaluateLog(&series, through: 19)
        #expect(engine.firingCount == 1)
        #expect(engine.intervals.first?.start.second == 15)
    }

    @Test func gpuQueueShare() {
        let r = Self.rule(.gpuQueueSlowRatio, 0.05, for: 0, window: 100)
        var series = AlertSeries(rules: [r])
        for i in 0..<100 {
            series.addRequest(second: 0, failed: false, statusCodes: true, serverError: false, durationMs: 1,
                              queueMs: i < 6 ? 2500 : (i < 10 ? 2000 : 10))
        }
        var engine = AlertEngine(rules: [r])
        engine.evaluateLog(&series, through: 0)
        #expect(engine.statuses.first?.value == 0.06)   // 2000 ms is not over 2 s
    }

    @Test func instantSignalsAcrossGaps() {
        let cache = Self.rule(.cacheUsedPercent, 90, for: 120, name: "Cache")
        let failover = Self.rule(.trafficOnStandby, 0, for: 0, name: "Failover")
        var series = AlertSeries(rules: [cache, failover])
        series.addCache(second: 1000, percent: 93)
        series.addFailover(second: 1010, toMain: false)
        series.addRequest(second: 5000, failed: false, statusCodes: false, serverError: false, durationMs: 1, queueMs: nil)
        series.addCache(second: 5000, percent: 70)
        series.addFailover(second: 5100, toMain: true)
        var engine = AlertEngine(rules: [cache, failover])
        engine.evaluateLog(&series, through: 100_000)
        let byName = Dictionary(grouping: engine.intervals, by: \.rule.name)
        // The pending cache rule fires exactly `for` after the reading, inside the gap.
        #expect(Self.spans(byName["Cache"]!) == [[1120, 5000]])
        #expect(Self.spans(byName["Failover"]!) == [[1010, 5100]])
        // Resolved alerts stay visible for 5 minutes, then leave.
        #expect(engine.statuses.isEmpty)
        var e2 = AlertEngine(rules: [cache, failover])
        var s2 = AlertSeries(rules: [cache, failover])
        s2.addFailover(second: 10, toMain: false)
        s2.addFailover(second: 20, toMain: true)
        e2.evaluateLog(&s2, through: 200)
        #expect(e2.statuses.map(\.state) == [.resolved])
        #expect(e2.statuses.first?.since.second == 20)
        e2.evaluateLog(&s2, through: 400)
        #expect(e2.statuses.isEmpty)
    }

    @Test func probeRulesUseTheProbeClock() {
        let down = AlertRule.builtIn.first { $0.name == "ServiceDown" }!
        let disk = AlertRule.builtIn.first { $0.name == "DiskLow" }!
        var engine = AlertEngine(rules: [down, disk])
        let t0 = LogTimestamp("2024-06-12 08:00:00,000")!
        func at(_ s: Int64) -> LogTimestamp { t0.adding(milliseconds: s * 1000) }
        for s in stride(from: Int64(0), through: 55, by: 5) { engine.evaluateProbe(at: at(s), activeTargetUp: false, diskFreePercent: 50) }
        #expect(engine.statuses.map(\.state) == [.pending])
        engine.evaluateProbe(at: at(60), activeTargetUp: false, diskFreePercent: 9.5)
        #expect(Set(engine.statuses.map(\.name)) == ["ServiceDown", "DiskLow"])
        #expect(engine.firingCount == 2)
        #expect(engine.intervals.first { $0.rule.name == "ServiceDown" }?.start == at(60))
        // One success resolves it; no probes configured (nil) never fires.
        engine.evaluateProbe(at: at(65), activeTargetUp: true, diskFreePercent: 50)
        #expect(engine.firingCount == 0)
        var idle = AlertEngine(rules: [down])
        for s in Int64(0)...200 { idle.evaluateProbe(at: at(s), activeTargetUp: nil, diskFreePercent: nil) }
        #expect(idle.statuses.isEmpty)
    }

    @Test func liveSeriesStaysBounded() {
        let rules = AlertRule.builtIn
        var series = AlertSeries(rules: rules)
        var engine = AlertEngine(rules: rules)
        for s in Int64(0)..<7200 {
            series.addRequest(second: s, failed: false, statusCodes: false, serverError: false, durationMs: 100, queueMs: nil)
            if s % 10 == 0 { engine.evaluateLog(&series, through: s - 2) }
        }
        #expect(series.secondCount <= AlertRule.defaultWindowSeconds + 20)
        #expect(engine.statuses.isEmpty)
    }

    @Test func risingP95IsAnEarlySignal() {
        let t = LogTimestamp("2024-06-12 08:00:00,000")!
        let rising = LiveSignal.p95Rising([nil, 900, 1400, 2300], at: t)
        #expect(rising?.kind == .p95Rising)
        #expect(rising?.detail == "p95 rising 900ms → 2.3s over 30s")
        // Not rising in every block, too small a rise, under a second, or a gap: no signal.
        for series: [Int?] in [[900, 1400, 1300], [1000, 1100, 1200], [300, 500, 800], [900, nil, 2300], [2000]] {
            #expect(LiveSignal.p95Rising(series, at: t) == nil, "\(series)")
        }
    }
}

/// The paged array behaves as an array: appends, inserts anywhere, dropping from the front,
/// across page boundaries.
@Suite struct PagedArrayTests {
    @Test func behavesAsAnArray() {
        var paged = PagedArray<Int>()
        var plain: [Int] = []
        var seed: UInt64 = 7
        func next(_ n: Int) -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(seed >> 33) % max(1, n) }
        for step in 0..<30_000 {
            switch next(10) {
            case 0 where !plain.isEmpty:
                let i = next(plain.count + 1)
                paged.insert(step, at: i); plain.insert(step, at: i)
            case 1 where !plain.isEmpty:
                let n = next(min(plain.count, 5000) + 1)
                paged.removeFirst(n); plain.removeFirst(n)
            case 2 where !plain.isEmpty:
                let i = next(plain.count)
                paged[i] = -step; plain[i] = -step
            default:
                paged.append(step); plain.append(step)
            }
            if step % 997 == 0 { #expect(Array(paged) == plain, "step \(step)") }
        }
        #expect(Array(paged) == plain && paged.count == plain.count)
        let cut = min(40, plain.count)
        #expect(paged.elements(min(3, cut)..<cut) == Array(plain[min(3, cut)..<cut]))
        #expect(paged.first == plain.first && paged.last == plain.last)
    }
}
