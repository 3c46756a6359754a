import Testing
@testable import TTSMonCore

/// Issue 4: live metrics in log time, over real IndexTTS lines.
@Suite struct LiveMetricsTests {
    /// Feeds IndexTTS lines to a `LiveMetrics`, with byte offsets per source.
    struct Feed {
        let parser = LineParser(format: .indexTTS, captureText: true)
        var metrics: LiveMetrics
        var offsets: [Int: Int64] = [:]
        var scratch = LogRecord(time: LogTimestamp(milliseconds: 0))

        init(_ configuration: LiveMetrics.Configuration = .init()) { metrics = LiveMetrics(configuration: configuration) }

        /// Adds one line; returns its byte offset.
        @discardableResult
        mutating func add(_ line: String, source: Int = 0) -> Int64 {
            let offset = offsets[source, default: 0]
            offsets[source] = offset + Int64(line.utf8.count + 1)
            var copy = line
            let kind = copy.withUTF8 { parser.parse($0, into: &scratch) }
            metrics.add(kind, scratch, source: source, file: "app\(source).log", offset: offset)
            return offset
        }

        mutating func add(lines: [String], source: Int = 0) { for l in lines { add(l, source: source) } }
    }

    /// 2024-06-12 08:00:00,000 plus `seconds`.
    static let base = LogTimestamp("2024-06-12 08:00:00,000")!
    static func at(_ seconds: Double) -> LogTimestamp { base.adding(milliseconds: Int64((seconds * 1000).rounded())) }
    static func ts(_ seconds: Double) -> String { at(seconds).logText }

    static func start(_ id: String, _ t: Double, text: String = "今天天气真好", voice: String = "alloy", cacheHit: Bool = false) -> String {
        "\(ts(t)) - app.tts_engine - INFO - synthesis_start: id=\(id), text=\"\(text)\", lang=zh, voice=\(voice), duration_ms=0, cache_hit=\(cacheHit)"
    }
    static func complete(_ id: String, _ t: Double, ms: Int, code: String? = nil) -> String {
        if let code {
            return "\(ts(t)) - app.tts_engine - INFO - synthesis_complete: id=\(id), status=failed, duration_ms=\(ms), error_code=\(code)"
        }
        return "\(ts(t)) - app.tts_engine - INFO - synthesis_complete: id=\(id), status=success, duration_ms=\(ms), audio_size_kb=124, cache_saved=true, model_stage=llm_postproc"
    }
    static func failedBare(_ id: String, _ t: Double, ms: Int) -> String {
        "\(ts(t)) - app.tts_engine - INFO - synthesis_complete: id=\(id), status=failed, duration_ms=\(ms)"
    }
    static func failed(_ id: String, _ t: Double, code: String) -> String {
        "\(ts(t)) - app.tts_engine - ERROR - synthesis_failed: id=\(id), error_code=\(code), Invalid input to scipy.fft"
    }
    static func stage(_ id: String, _ t: Double, _ stage: String, ms: Int) -> String {
        "\(ts(t)) - app.tts_engine - INFO - stage_time: stage=\(stage), id=\(id), duration_ms=\(ms)"
    }
    static func cache(_ t: Double, percent: Double, level: String = "WARNING") -> String {
        "\(ts(t)) - app.cache - \(level) - cache_dir_usage: path=/app/cache, used_percent=\(percent), threshold=90.0, action=warn"
    }

    /// A small deterministic generator (64-bit LCG).
    struct LCG {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    // MARK: - Windows and QPS

    @Test func windowEvictionAndQPS() {
        var feed = Feed()
        // One request 61 s before now, then two per second for the last 60 s (120 requests).
        feed.add(Self.complete("ts_old", 0, ms: 500))
        var n = 0
        for s in 2...61 {
            for half in 0..<2 {
                n += 1
                feed.add(Self.complete("ts_\(n)", Double(s) + Double(half) * 0.5, ms: 100))
            }
        }
        let now = Self.at(61.5)
        #expect(feed.metrics.latest == now)
        let one = feed.metrics.snapshot(window: .oneMinute)
        #expect(one.time == now)
        #expect(one.requests.total == 121)
        #expect(one.requests.window == 120)           // 08:00:00 is 61 s before 08:01:01
        #expect(one.requests.coveredSeconds == 60)
        #expect(one.requests.qps == 2.0)
        #expect(one.latency.max == 100)
        #expect(one.qpsSeries.count == 60)
        #expect(one.qpsSeries.allSatisfy { $0 == 2 })
        #expect(one.p95Series.count == 6)
        let five = feed.metrics.snapshot(window: .fiveMinutes)
        #expect(five.requests.window == 121)
        #expect(five.latency.max == 500)
        // QPS divides by the seconds the log covers (62), not by 300.
        #expect(five.requests.coveredSeconds == 62)
        #expect(abs(five.requests.qps - 121.0 / 62.0) < 1e-9)
        #expect(five.qpsSeries.count == 300)
        #expect(five.qpsSeries.reduce(0, +) == 121)
        #expect(five.qpsSeries.last == 2)
        // A later "now" (no new lines) slides the window: nothing in the last minute.
        let later = feed.metrics.snapshot(window: .oneMinute, now: Self.at(200))
        #expect(later.requests.window == 0)
        #expect(later.requests.qps == 0)
        #expect(later.latency.p50 == nil)
        #expect(later.requests.total == 121)
    }

    @Test func youngLogQPSUsesCoveredSeconds() {
        var feed = Feed()
        for i in 0..<10 { feed.add(Self.complete("ts_\(i)", Double(i) * 0.5, ms: 50)) }  // 0 ... 4.5 s
        let snap = feed.metrics.snapshot(window: .fifteenMinutes)
        #expect(snap.requests.coveredSeconds == 5)
        #expect(snap.requests.qps == 2.0)
        // Before any record: nothing, and no crash.
        let empty = LiveMetrics().snapshot(window: .oneMinute)
        #expect(empty.time == nil)
        #expect(empty.requests.qps == 0)
        #expect(empty.qpsSeries.count == 60)
    }

    // MARK: - Latency

    @Test func percentilesMatchNearestRankWithinTheBound() {
        var feed = Feed()
        var rng = LCG(state: 42)
        var durations: [Int] = []
        for i in 0..<3000 {
            let ms = rng.next(4) == 0 ? rng.next(200) : 200 + rng.next(60_000)
            durations.append(ms)
            feed.add(Self.complete("ts_\(i)", Double(i) * 0.05, ms: ms))   // 150 s of log
        }
        let snap = feed.metrics.snapshot(window: .fiveMinutes)
        let sorted = durations.sorted()
        func nearestRank(_ q: Int) -> Int { sorted[max(1, (q * sorted.count + 999) / 1000) - 1] }
        let bound = snap.latency.errorBound
        #expect(bound == 1.0 / 128)
        for (q, value) in [(500, snap.latency.p50), (900, snap.latency.p90), (950, snap.latency.p95), (990, snap.latency.p99)] {
            let truth = nearestRank(q)
            let got = try! #require(value)
            #expect(got >= truth, "p\(q / 10): \(got) < \(truth)")
            #expect(Double(got) <= Double(truth) * (1 + bound), "p\(q / 10): \(got) vs \(truth)")
        }
        #expect(snap.latency.max == sorted.last)
        #expect(snap.latency.count == 3000)
        // Each 10 s p95 of the series, against the durations of those 10 s.
        let starts = snap.p95Series.count
        #expect(starts == 30)
        for (block, value) in snap.p95Series.enumerated() {
            let from = 149 - 299 + block * 10   // first second of the block, relative to the log start
            let inBlock = durations.enumerated().filter { i, _ in
                let s = Int(Double(i) * 0.05); return s >= from && s < from + 10 }.map(\.1).sorted()
            if inBlock.isEmpty { #expect(value == nil); continue }
            let truth = inBlock[max(1, (950 * inBlock.count + 999) / 1000) - 1]
            let got = try! #require(value)
            #expect(got >= truth && Double(got) <= Double(truth) * (1 + bound))
        }
    }

    @Test func percentilesAreExactBelow128ms() {
        var feed = Feed()
        var rng = LCG(state: 7)
        var durations: [Int] = []
        for i in 0..<997 {
            let ms = rng.next(128)
            durations.append(ms)
            feed.add(Self.complete("ts_\(i)", Double(i) * 0.02, ms: ms))
        }
        let snap = feed.metrics.snapshot(window: .oneMinute)
        let sorted = durations.sorted()
        func nearestRank(_ q: Int) -> Int { sorted[max(1, (q * sorted.count + 999) / 1000) - 1] }
        #expect(snap.latency.p50 == nearestRank(500))
        #expect(snap.latency.p90 == nearestRank(900))
        #expect(snap.latency.p95 == nearestRank(950))
        #expect(snap.latency.p99 == nearestRank(990))
        #expect(snap.latency.max == sorted.last)
    }

    @Test func bucketArithmetic() {
        #expect(LogLinearBuckets.count == 3200)
        for v in [0, 1, 127, 128, 255, 256, 257, 1000, 4095, 4096, 65_000, 1_000_000, Int(Int32.max)] {
            let i = LogLinearBuckets.index(of: v)
            #expect(LogLinearBuckets.lowerBound(of: i) <= v && v <= LogLinearBuckets.upperBound(of: i), "\(v)")
            #expect(Double(LogLinearBuckets.upperBound(of: i) - v) <= Double(v) * LogLinearBuckets.relativeErrorBound)
            if v < 256 { #expect(LogLinearBuckets.upperBound(of: i) == v) }
        }
        #expect(LogLinearBuckets.index(of: -5) == 0)
        #expect(LogLinearBuckets.index(of: Int.max) == LogLinearBuckets.count - 1)
    }

    @Test func stageP95InPipelineOrder() {
        var feed = Feed()
        for i in 0..<100 {
            let t = Double(i) * 0.1
            feed.add(Self.stage("ts_\(i)", t, "llm_inference", ms: 1000 + i))
            feed.add(Self.stage("ts_\(i)", t, "text_normalize", ms: i))
        }
        feed.add(Self.stage("ts_x", 10, "vocoder_extra", ms: 5))   // a stage outside the seed pipeline: listed after it
        let snap = feed.metrics.snapshot(window: .oneMinute)
        #expect(snap.stages.map(\.stage) == ["text_normalize", "llm_inference", "vocoder_extra"])
        #expect(snap.stages[0].p95 == 94)          // exact below 128 ms: the 95th of 0...99
        #expect(snap.stages[0].count == 100)
        let p95 = snap.stages[1].p95
        #expect(p95 >= 1094 && Double(p95) <= 1094 * (1 + LogLinearBuckets.relativeErrorBound))
        #expect(snap.latency.p50 == nil)           // no completions
    }

    // MARK: - Errors

    @Test func errorTrendsAgainstThePreviousWindow() {
        var feed = Feed()
        var n = 0
        func fail(_ code: String, count: Int, from: Double) {
            for i in 0..<count {
                n += 1
                feed.add(Self.complete("ts_\(n)", from + Double(i) * 0.5, ms: 300, code: code))
            }
        }
        // Previous minute (0...59 s): A 10, B 10, C 10. This minute (60...119 s): A 20, B 5, C 10, D 3.
        fail("A_CODE", count: 10, from: 1); fail("B_CODE", count: 10, from: 10); fail("C_CODE", count: 10, from: 20)
        fail("A_CODE", count: 20, from: 61); fail("B_CODE", count: 5, from: 80); fail("C_CODE", count: 10, from: 90)
        fail("D_CODE", count: 3, from: 100)
        for i in 0..<12 { n += 1; feed.add(Self.complete("ts_\(n)", 110 + Double(i) * 0.5, ms: 100)) }
        let snap = feed.metrics.snapshot(window: .oneMinute, now: Self.at(119.9))
        #expect(snap.requests.window == 50)
        #expect(snap.requests.failed == 38)
        #expect(snap.requests.success == 12)
        let rows = Dictionary(uniqueKeysWithValues: snap.errors.map { ($0.code, $0) })
        #expect(snap.errors.map(\.code) == ["A_CODE", "C_CODE", "B_CODE", "D_CODE"])
        #expect(rows["A_CODE"]?.trend == .up)
        #expect(rows["A_CODE"]?.previous == 10)
        #expect(rows["B_CODE"]?.trend == .down)
        #expect(rows["C_CODE"]?.trend == .flat)
        #expect(rows["D_CODE"]?.trend == .new)
        #expect(rows["A_CODE"]?.share == 20.0 / 38.0)
        #expect(LiveMetrics.trend(now: 11, before: 10) == .flat)
        #expect(LiveMetrics.trend(now: 9, before: 10) == .flat)
        #expect(LiveMetrics.trend(now: 12, before: 10) == .up)
        #expect(LiveMetrics.trend(now: 8, before: 10) == .down)
        var top = LiveMetrics.Configuration()
        top.topErrors = 2
        var small = Feed(top)
        for l in ["A", "B", "C"].enumerated().map({ Self.complete("ts_\($0.offset)", 1, ms: 5, code: $0.element) }) { small.add(l) }
        #expect(small.metrics.snapshot(window: .oneMinute).errors.count == 2)
    }

    @Test func manyCodesInOneSecondFoldIntoOther() {
        var configuration = LiveMetrics.Configuration()
        configuration.topErrors = 1000
        var feed = Feed(configuration)
        for i in 0..<100 { feed.add(Self.complete("ts_\(i)", 1 + Double(i) / 1000, ms: 5, code: "CODE_\(i)")) }
        let snap = feed.metrics.snapshot(window: .oneMinute)
        #expect(snap.errors.count == CountSlot.maxCodes)
        #expect(snap.errors.map(\.count).reduce(0, +) == 100)
        #expect(snap.errors.first { $0.code == CountSlot.overflowCode }?.count == 100 - (CountSlot.maxCodes - 1))
    }

    @Test func failedBeforeCompleteGivesItsCode() {
        var feed = Feed()
        feed.add(lines: [
            Self.start("ts_a1b2c3d4", 0, text: String(repeating: "长", count: 700)),
            Self.failed("ts_a1b2c3d4", 0.1, code: "SCIPY_FFT_INVALID"),
            Self.failedBare("ts_a1b2c3d4", 0.2, ms: 214),
            Self.failedBare("ts_nostart", 0.3, ms: 10),
        ])
        let snap = feed.metrics.snapshot(window: .oneMinute)
        #expect(snap.errors.map(\.code) == ["SCIPY_FFT_INVALID", "UNKNOWN"])
        let buckets = Dictionary(uniqueKeysWithValues: snap.byTextLength.map { ($0.bucket, $0) })
        #expect(buckets[.upTo1000]?.failed == 1)
        #expect(buckets[.unknown]?.requests == 1)
        #expect(feed.metrics.indexedRequest(id: "ts_a1b2c3d4")?.errorCode == "SCIPY_FFT_INVALID")
        #expect(feed.metrics.footprint.pending == 0)
    }

    // MARK: - Cache, failovers, signals

    @Test func cacheSlopeAndTimeToFull() {
        var feed = Feed()
        // 80 % rising 1 point per minute, one reading a minute for 10 minutes; a 15 m window sees all.
        for m in 0..<10 { feed.add(Self.cache(Double(m) * 60, percent: 80 + Double(m), level: "INFO")) }
        let snap = feed.metrics.snapshot(window: .fifteenMinutes)
        #expect(snap.cache.usedPercent == 89)
        #expect(snap.cache.threshold == 90)
        #expect(snap.cache.readings == 10)
        let slope = try! #require(snap.cache.slopePerMinute)
        #expect(abs(slope - 1.0) < 1e-9)
        let full = try! #require(snap.cache.fullInSeconds)
        #expect(abs(full - 660) < 1e-6)             // 11 points at 1 point a minute
        #expect(snap.signals.isEmpty)                // INFO readings under the threshold
        // A 1 m window holds one reading: no slope, no estimate, but the latest reading stays.
        let one = feed.metrics.snapshot(window: .oneMinute)
        #expect(one.cache.usedPercent == 89)
        #expect(one.cache.slopePerMinute == nil)
        #expect(one.cache.fullInSeconds == nil)
        // Falling fill: no time-to-full.
        var down = Feed()
        for m in 0..<5 { down.add(Self.cache(Double(m) * 10, percent: 95 - Double(m), level: "INFO")) }
        let d = down.metrics.snapshot(window: .oneMinute)
        #expect(d.cache.slopePerMinute! < 0)
        #expect(d.cache.fullInSeconds == nil)
        // Readings over the threshold are signals, whatever their level.
        #expect(d.signals.count == 5)
        #expect(d.signals.allSatisfy { $0.kind == .cacheOverThreshold })
    }

    @Test func failoversResolveTheirSource() {
        var feed = Feed()
        feed.add(lines: [
            "\(Self.ts(0)) - tts.router - INFO - manual failback requested, switching to main",
            "\(Self.ts(10)) - tts.router - WARNING - main instance failed, switching to standby",
            "\(Self.ts(100)) - tts.router - INFO - manual failback requested, switching to main",
        ])
        let snap = feed.metrics.snapshot(window: .oneMinute)
        #expect(snap.failovers.map(\.to) == ["main", "standby", "main"])     // newest first
        #expect(snap.failovers.map(\.from) == ["standby", "main", "standby"])
        #expect(snap.failovers[1].message == "main instance failed, switching to standby")
        #expect(snap.failoversInWindow == 1)
        var capped = LiveMetrics.Configuration()
        capped.failoverCapacity = 2
        var small = Feed(capped)
        for i in 0..<5 { small.add("\(Self.ts(Double(i))) - tts.router - WARNING - main instance failed, switching to standby") }
        #expect(small.metrics.footprint.failovers == 2)
    }

    @Test func earlySignalsNewestFirstAndBounded() {
        var feed = Feed()
        feed.add(lines: [
            "\(Self.ts(1)) - app.tts_engine - WARNING - synthesis_warning: id=ts_1, warning_code=TEXT_CONTROL_CHARS, fallback_used=true",
            "\(Self.ts(2)) - app.tts_engine - WARNING - synthesis_warning: id=ts_2, fallback_used=true",
            Self.cache(3, percent: 92.7),
            "\(Self.ts(4)) - app.tts_engine - INFO - synthesis_warning: id=ts_3, fallback_used=true",   // INFO: not a signal
            "\(Self.ts(5)) - app.tts_engine - WARNING - synthesis_warning: id=ts_4, warning_code=\u{1B}[31mRED",
        ])
        let snap = feed.metrics.snapshot(window: .oneMinute)
        #expect(snap.signals.map(\.kind) == [.warningCode, .cacheOverThreshold, .fallbackUsed, .warningCode])
        #expect(snap.signals.map(\.id) == ["ts_4", nil, "ts_2", "ts_1"])
        #expect(snap.signals[1].detail == "cache_dir_usage: path=/app/cache, used_percent=92.7, threshold=90.0, action=warn")
        #expect(!snap.signals[0].detail.unicodeScalars.contains("\u{1B}"))
        var capped = LiveMetrics.Configuration()
        capped.signalCapacity = 3
        var small = Feed(capped)
        for i in 0..<10 { small.add(Self.cache(Double(i), percent: 91 + Double(i) / 10)) }
        let s = small.metrics.snapshot(window: .oneMinute)
        #expect(s.signals.count == 3)
        #expect(s.signals.first?.time == Self.at(9))
    }

    // MARK: - Lines

    @Test func continuationIsPerSource() {
        var feed = Feed()
        feed.add(Self.failed("ts_1", 0, code: "MODEL_LOAD_TIMEOUT"), source: 0)
        feed.add("Traceback (most recent call last):", source: 0)
        feed.add(Self.complete("ts_2", 0.1, ms: 5), source: 1)       // source 1 interleaves
        feed.add("  File \"/app/app/tts_engine.py\", line 12, in load", source: 0)
        feed.add("stray output", source: 1)                            // no ERROR before it in source 1
        feed.add("TimeoutError", source: 0)
        feed.add("2024-06-12 99:00:00,000 - x - INFO - nonsense", source: 0)   // malformed
        feed.add("after malformed", source: 0)
        feed.metrics.addOverlongLine(source: 1)
        var lines = feed.metrics.lines
        #expect(lines.total == 9)
        #expect(lines.parsed == 2)
        #expect(lines.continuation == 3)
        #expect(lines.unparsed == 4)
        #expect(feed.metrics.lines(source: 0).continuation == 3)
        #expect(feed.metrics.lines(source: 1).unparsed == 2)
        let json = feed.metrics.snapshot(window: .oneMinute).json
        #expect(json["lines"] == .object([("total", .int(9)), ("parsed", .int(2)), ("continuation", .int(3)), ("unparsed", .int(4)), ("out_of_order", .int(0))]))
        // A rotated file starts without the old file's traceback context.
        feed.add(Self.failed("ts_3", 1, code: "MODEL_LOAD_FAILED"), source: 0)
        feed.metrics.resetContext(source: 0)
        feed.add("Traceback (most recent call last):", source: 0)
        lines = feed.metrics.lines(source: 0)
        #expect(lines.continuation == 3)
        #expect(lines.unparsed == 3)
    }

    // MARK: - Recent-request index
}
