import Foundation
import Testing
@testable import TTSMonCore

/// Issue 14: what an adversarial pass broke, each reproduced first.
@Suite struct HardeningTests {
    typealias Feed = LiveMetricsTests.Feed
    static func start(_ id: String, _ t: Double) -> String { LiveMetricsTests.start(id, t) }
    static func complete(_ id: String, _ t: Double) -> String { LiveMetricsTests.complete(id, t, ms: 500) }

    /// 100 requests a second apart, starting at the base time.
    static func steadyLines(count: Int = 100, from: Double = 0) -> [String] {
        (0..<count).flatMap { i -> [String] in
            let t = from + Double(i)
            return [start("ts_\(String(format: "%08x", i + Int(from) * 7))", t), complete("ts_\(String(format: "%08x", i + Int(from) * 7))", t + 0.5)]
        }
    }

    /// Item 1: one record dated 2099 in the middle of a log neither blanks the window nor moves
    /// the clock; it is counted as out of order.
    @Test func aFutureRecordDoesNotMoveTheClock() {
        var lines = HardeningTests.steadyLines()
        lines.insert(lines[100].replacingOccurrences(of: "2024-06-12", with: "2099-06-12"), at: 100)
        var feed = Feed()
        feed.add(lines: lines)
        let snapshot = feed.metrics.snapshot(window: .fiveMinutes)
        #expect(snapshot.requests.total == 100)
        #expect(snapshot.requests.window == 100)
        #expect(feed.metrics.latest == LiveMetricsTests.at(99.5))
        #expect(feed.metrics.lines.outOfOrder == 1)
        #expect(feed.metrics.lines(source: 0).outOfOrder == 1)
        #expect(snapshot.lines.outOfOrder == 1)
    }

    /// A real jump (a log resumed after a quiet night) is confirmed by the records that follow
    /// it, and none of them is lost.
    @Test func aResumedLogMovesTheClockWithNothingLost() {
        var feed = Feed()
        feed.add(lines: HardeningTests.steadyLines(count: 20))
        feed.add(lines: HardeningTests.steadyLines(count: 20, from: 8 * 3600))
        let snapshot = feed.metrics.snapshot(window: .fiveMinutes)
        #expect(snapshot.requests.total == 40)
        #expect(snapshot.requests.window == 20)
        #expect(feed.metrics.latest == LiveMetricsTests.at(8 * 3600 + 19.5))
        #expect(feed.metrics.lines.outOfOrder == 0)
    }

    /// Following live, a record far ahead of the wall clock is held even as a source's first;
    /// records near the wall clock are folded at once.
    @Test func followingLiveTheWallClockJudgesTheFirstRecord() {
        var feed = Feed()
        feed.metrics.wallClock = LiveMetricsTests.at(60)
        feed.add(HardeningTests.start("ts_deadbeef", 0).replacingOccurrences(of: "2024-06-12", with: "2099-06-12"))
        #expect(feed.metrics.latest == nil)
        feed.add(lines: HardeningTests.steadyLines(count: 3))
        #expect(feed.metrics.latest == LiveMetricsTests.at(2.5))
        #expect(feed.metrics.lines.outOfOrder == 1)
        #expect(feed.metrics.snapshot(window: .oneMinute).requests.window == 3)
    }

    /// Item 3: `report` finds the failovers of a JSON-lines log, as `watch` does.
    @Test func reportFindsFailoversInJSONLines() throws {
        let dir = TempDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 2000)
        options.format = .jsonLines
        options.incident = true
        let truth = try LogGenerator.generate(options)
        #expect(truth.failovers.count == 2)
        let summary = try report(truth.files.map { dir.path + "/" + $0 })
        #expect(summary.failovers.map(\.to) == truth.failovers.map(\.to))
        #expect(summary.failovers.map(\.time.logText) == truth.failovers.map(\.time))
    }

    /// Item 6: absurd durations and intervals are refused in one place.
    @Test func absurdOptionValuesAreRefused() {
        for bad in [Double.infinity, -.infinity, .nan, 0, 1e-9, 1e10, -1] {
            #expect(OptionLimit.timeout.problem(bad, name: "--timeout") != nil, "timeout \(bad)")
            #expect(OptionLimit.probeInterval.problem(bad, name: "--probe-interval") != nil, "interval \(bad)")
        }
        #expect(OptionLimit.timeout.problem(3, name: "--timeout") == nil)
        #expect(OptionLimit.timeout.problem(0.01, name: "--timeout") == nil)
        #expect(OptionLimit.probeInterval.problem(0.2, name: "--probe-interval") == nil)
        #expect(OptionLimit.probeInterval.problem(0.19, name: "--probe-interval") != nil)
        #expect(OptionLimit.timeout.problem(.infinity, name: "--timeout") == "--timeout inf: expected 0.01 to 3600 seconds")
        #expect(OptionLimit.runDuration.problem(0, name: "--duration") == nil)
        #expect(CountLimit.problem(-1, name: "--top", range: 0...10) != nil)
    }

    /// Item 11: the generator refuses rates and starts that would write broken timestamps.
    @Test func generatorRefusesBrokenTimestamps() {
        var options = GeneratorOptions(outputDirectory: "/nonexistent", requests: 10)
        #expect(options.problem == nil)
        options.rate = 1e-300
        #expect(options.problem != nil)
        options.rate = 20
        options.start = "9999-12-31 23:59:59,999"
        #expect(options.problem != nil)
        options.start = "2024-06-12 08:00:00,000"
        options.requests = -1
        #expect(options.problem != nil)
        #expect(throws: GenError.self) { try LogGenerator.generate(options) }
    }
}

/// Item 7: memory is bounded by bytes, not only by entries.
@Suite struct HostileSizeTests {
    typealias Feed = LiveMetricsTests.Feed

    /// 50 requests with 500 KB ids: malformed (counted, not joined), nothing of them kept.
    @Test func hugeIdsAreMalformedAndNotKept() {
        var feed = Feed()
        for i in 0..<50 {
            let id = "ts_" + String(repeating: String(i % 10), count: 500_000)
            feed.add(LiveMetricsTests.start(id, Double(i)))
            feed.add(LiveMetricsTests.complete(id, Double(i) + 0.5, ms: 500))
        }
        let footprint = feed.metrics.footprint
        #expect(footprint.pending == 0)
        #expect(footprint.indexedIds == 0)
        #expect(feed.metrics.lines.unparsed == 100)
        #expect(feed.metrics.snapshot(window: .fiveMinutes).requests.total == 0)
        #expect(isValidRequestID("ts_" + String(repeating: "a", count: 253)))
        #expect(!isValidRequestID("ts_" + String(repeating: "a", count: 254)))
    }

    /// Long texts, voices, codes and warning messages are kept only up to their caps.
    @Test func longFieldsAreCappedInBytes() {
        var feed = Feed()
        let long = String(repeating: "长", count: 200_000)
        for i in 0..<20 {
            let id = "ts_\(String(format: "%08x", i))"
            let t = LiveMetricsTests.ts(Double(i))
            feed.add("\(t) - app.tts_engine - INFO - synthesis_start: id=\(id), text=\"\(long)\", lang=zh, voice=\(String(repeating: "v", count: 300_000)), duration_ms=0, cache_hit=false")
            feed.add("\(t) - app.tts_engine - INFO - synthesis_complete: id=\(id), status=failed, duration_ms=10, error_code=\(String(repeating: "E", count: 300_000))")
            feed.add("\(t) - app.tts_engine - WARNING - something: id=\(id), warning_code=\(String(repeating: "W", count: 300_000)), note=\"\(long)\"")
        }
        let requests = feed.metrics.recentRequests(matching: nil, limit: 100)
        #expect(requests.count == 20)
        for r in requests {
            #expect((r.textSnippet?.utf8.count ?? 0) <= 4 * RecentRequest.snippetLength)
            #expect((r.voice?.utf8.count ?? 0) <= 4 * RecentRequest.voiceLength)
            #expect((r.errorCode?.utf8.count ?? 0) <= keptNameBytes)
        }
        let snapshot = feed.metrics.snapshot(window: .fiveMinutes)
        for e in snapshot.errors { #expect(e.code.utf8.count <= keptNameBytes) }
        for s in snapshot.signals { #expect(s.detail.unicodeScalars.count <= LiveSignal.detailLength) }
    }
}

/// Items 8, 10 and 13: what live followers and the parser get wrong on real files.
@Suite struct HardeningFollowTests {
    /// Item 8: a glob over rotated `.gz` files reads them inflated, as `report` does: the same
    /// counts, no unparsed lines from compressed bytes.
    @Test func liveCollectorReadsRotatedGzipLikeReport() throws {
        let dir = TempDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 600)
        options.rotate = 2
        let truth = try LogGenerator.generate(options)
        let paths = LiveCollector.expand([dir.path + "/app.log*"])
        #expect(paths.count == 3)
        let collector = LiveCollector(paths: paths)
        while collector.poll() {}
        let expected = try report(truth.files.map { dir.path + "/" + $0 })
        #expect(collector.metrics.totalRequests == truth.requestCount)
        #expect(collector.metrics.lines.total == expected.lines.total)
        #expect(collector.metrics.lines.unparsed == expected.lines.unparsed)
        #expect(collector.sourceStatus().allSatisfy { $0.error == nil })
    }

    /// Item 10: bzip2, xz and zstd are named, not read as text and reported as "0 total".
    @Test func otherCompressionsAreNamed() throws {
        let dir = TempDir()
        let magics: [(String, [UInt8])] = [("bzip2", Array("BZh91AY&SY".utf8)), ("xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0, 4]),
                                           ("zstd", [0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x00])]
        for (name, bytes) in magics {
            let path = dir.write("app.log.\(name)", bytes: bytes + [UInt8](repeating: 0x41, count: 100))
            #expect {
                _ = try LogOpener.open(LogInput(path: path))
            } throws: { error in
                "\(error)".contains("\(name)-compressed") && "\(error)".contains("does not read")
            }
            let collector = LiveCollector(paths: [path])
            collector.poll()
            #expect(collector.sourceStatus().first?.error?.contains("\(name)-compressed") == true)
            #expect(collector.metrics.lines.total == 0)
        }
    }

    /// Item 13: `\r\r\n` keeps its stage timing; zero-width characters never reach the screen.
    @Test func doubledCarriageReturnsAndInvisibleCharacters() {
        let parser = LineParser(format: .indexTTS, captureText: true)
        var line = "2024-06-12 14:22:38,010 - app.tts_engine - INFO - stage_time: stage=llm_inference, id=ts_7f3a2b1c, duration_ms=483\r\r"
        guard case .record(let record) = line.withUTF8({ parser.parse($0) }) else { Issue.record("not a record"); return }
        #expect(record.durationMs == 483)
        #expect(record.stage == .llmInference)
        #expect(Sanitizer.clean("a\u{200B}b\u{FEFF}c\u{2060}d") == "abcd")
    }

    /// Item 13: a last line without its newline, in a file no longer written, is a line for
    /// the follower too (report counts it).
    @Test func anUnterminatedLastLineCountsOnceTheFileRests() throws {
        let dir = TempDir()
        let path = dir.write("app.log", "one\ntwo")
        let follower = FileFollower(path: path, partialLineGrace: .milliseconds(200))
        var got: [String] = []
        let take: (LineReader.Line) -> Void = { if case .text(let b, _, _) = $0 { got.append(String(decoding: b, as: UTF8.self)) } }
        follower.poll(take)
        #expect(got == ["one"])
        Thread.sleep(forTimeInterval: 0.3)
        follower.poll(take)
        #expect(got == ["one", "two"])
    }
}

/// Issue 15: a log that stopped is said to be stale, and LogStale fires.
@Suite struct StaleLogTests {
    /// A log of steady lines whose file was last written two hours ago.
    static func writtenHoursAgo(_ dir: TempDir, _ name: String, lines: Int) throws -> String {
        let path = dir.write(name, HardeningTests.steadyLines(count: lines).joined(separator: "\n") + "\n")
        var times = [timespec(tv_sec: time(nil) - 7200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)]
        try #require(utimensat(AT_FDCWD, path, &times, 0) == 0)
        return path
    }

    @Test func aLogLastWrittenHoursAgoIsStaleAtOnceAndLogStaleFires() throws {
        let dir = TempDir()
        let path = try Self.writtenHoursAgo(dir, "app.log", lines: 20)
        let collector = LiveCollector(paths: [path], configuration: LiveMetrics.Configuration())
        while collector.poll() {}
        let stale = try #require(collector.staleSeconds(wallNow: Date()))
        #expect(stale > 7000)
        collector.evaluateProbeAlerts(at: LogTimestamp(localTime: Date()), activeTargetUp: nil, diskFreePercent: nil)
        let alert = collector.metrics.snapshot(window: .fiveMinutes).alerts.first { $0.name == "LogStale" }
        #expect(alert?.state == .firing)
        #expect(alert?.comparisonText?.contains(">") == true)
    }

    /// A log quiet by design (the demo's router logs only its switches) is never stale.
    @Test func aQuietLogIsNeverStale() throws {
        let dir = TempDir()
        let path = try Self.writtenHoursAgo(dir, "router.log", lines: 5)
        let collector = LiveCollector(paths: [path], configuration: LiveMetrics.Configuration())
        collector.quietPaths = [path]
        while collector.poll() {}
        #expect(collector.staleSeconds(wallNow: Date()) == nil && collector.sourceStatus().first?.lagSeconds == nil)
        collector.evaluateProbeAlerts(at: LogTimestamp(localTime: Date()), activeTargetUp: nil, diskFreePercent: nil)
        #expect(collector.metrics.snapshot(window: .fiveMinutes).alerts.first { $0.name == "LogStale" } == nil)
    }

    @Test func staleAfterSetsTheThresholdAndTheRuleIsListed() {
        #expect(AlertRule.builtIn.contains { $0.name == "LogStale" && $0.threshold == 60 && $0.forSeconds == 0 })
        #expect(AlertRule.builtIn(staleAfter: 300).first { $0.name == "LogStale" }?.threshold == 300)
        #expect(PrometheusRules.file(AlertRule.builtIn).contains("LogStale"))
    }

    /// Alert text never states a false inequality.
    @Test func comparisonsAreNeverFalse() {
        let rule = AlertRule.builtIn.first { $0.name == "HighErrorRate" }!
        let firing = AlertStatus(rule: rule, state: .firing, since: LogTimestamp(milliseconds: 0), value: 0.0504)
        #expect(firing.comparisonText == "5.04% > 5.0%")
        var equal = rule
        equal.comparison = .greaterOrEqual
        #expect(AlertStatus(rule: equal, state: .firing, since: LogTimestamp(milliseconds: 0), value: 0.05).comparisonText == "5.0% ≥ 5.0%")
        let resolved = AlertStatus(rule: rule, state: .resolved, since: LogTimestamp(milliseconds: 0), value: 0.747)
        #expect(resolved.comparisonText == nil)
        #expect(!resolved.line.contains(">"))
    }
}

/// Issue 15: the dashboard's history search, as a library function.
@Suite struct HistoryLookupTests {
    @Test func findsARequestInTheOldestRotatedFileAfterTheLiveOne() throws {
        let dir = TempDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 1200)
        options.rotate = 3
        let truth = try LogGenerator.generate(options)
        let live = dir.path + "/app.log"
        #expect(HistoryLookup.batches(live: [live]).map(\.count) == [1, 3])
        let oldest = try #require(truth.requests.first { $0.file == truth.files.last })
        var steps: [(Int, Int)] = []
        let trace = HistoryLookup.run(id: oldest.id, live: [live], cancelled: { false }) { steps.append(($0, $1)) }
        #expect(trace?.id == oldest.id)
        #expect(steps.count == 1 && steps[0] == (1, 4))
        #expect(HistoryLookup.run(id: "ts_00000000", live: [live], cancelled: { false }) { _, _ in } == nil)
        #expect(HistoryLookup.run(id: oldest.id, live: [live], cancelled: { true }) { _, _ in } == nil)
    }
}
