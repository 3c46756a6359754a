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
