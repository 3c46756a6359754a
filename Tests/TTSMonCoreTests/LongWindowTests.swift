import Foundation
import Testing
@testable import TTSMonCore

/// Issue 18: windows of 1 h, 6 h and 24 h, figured minute by minute with latency histograms that
/// merge exactly, agree with `report` over the same span (the window's minutes).
@Suite struct LongWindowTests {
    /// 2 h 13 min of log at 2 requests a second, an incident in it.
    static func generate() throws -> (TempDir, String) { try generatedLog(requests: 16_000, rate: 2, seed: 9) }

    @Test func longWindowsEqualReportOverTheirMinutes() throws {
        let (dir, path) = try Self.generate()
        _ = dir
        let collector = LiveCollector(paths: [path])
        while collector.poll() {}
        for window in [LiveWindow.oneHour, .sixHours, .oneDay] {
            let snap = collector.metrics.snapshot(window: window)
            let end = try #require(snap.time)
            let endMinute = LiveMetrics.minute(of: end.second)
            let start = LogTimestamp(milliseconds: (endMinute - Int64(window.seconds / 60) + 1) * 60_000)
            // The window ends at the newest record: report to the end of the file.
            let summary = try report([path], from: String(start.logText.prefix(19)))
            #expect(snap.requests.window == summary.total && snap.requests.failed == summary.failed, "\(window): \(snap.requests.window) vs \(summary.total)")
            #expect(Dictionary(uniqueKeysWithValues: snap.errors.map { ($0.code, $0.count) })
                    == Dictionary(uniqueKeysWithValues: summary.errors.prefix(snap.errors.count).map { ($0.code, $0.count) }), "\(window)")
            // Log-linear buckets: within their bound of the exact nearest rank.
            for (live, exact) in [(snap.latency.p50, summary.latency.p50), (snap.latency.p95, summary.latency.p95), (snap.latency.p99, summary.latency.p99)] {
                let l = Double(try #require(live)), e = Double(try #require(exact))
                #expect(abs(l - e) <= max(1, e * LogLinearBuckets.relativeErrorBound), "\(window): \(l) vs \(e)")
            }
            #expect(snap.latency.max == summary.latency.max)
            #expect(snap.qpsSeries.count == window.seconds / 60 && snap.p95Series.count == window.seconds / 60)
        }
        // The hour's QPS: its requests over the seconds it covers.
        let hour = collector.metrics.snapshot(window: .oneHour)
        #expect(abs(hour.requests.qps - Double(hour.requests.window) / Double(hour.requests.coveredSeconds)) < 1e-9)
        #expect(hour.requests.coveredSeconds > 3540 && hour.requests.coveredSeconds <= 3600)
    }

    /// Started on the recent stretch, a collector reads the hours before it in the background
    /// when a long window asks, and then has the figures of one that read the whole file.
    @Test func olderHistoryReadInTheBackgroundCompletesTheLongWindows() throws {
        let (dir, path) = try Self.generate()
        _ = dir
        let whole = LiveCollector(paths: [path])
        while whole.poll() {}
        let recent = LiveCollector(paths: [path], history: 20 * 60)
        while recent.poll() {}
        #expect(recent.historySeconds == Double(20 * 60))
        #expect(recent.metrics.snapshot(window: .oneHour).requests.window < whole.metrics.snapshot(window: .oneHour).requests.window)
        recent.extendHistory(to: 3 * 3600)
        #expect(recent.historyPercent != nil)
        let deadline = Date().addingTimeInterval(60)
        while recent.historyPercent != nil, Date() < deadline { recent.poll(); Thread.sleep(forTimeInterval: 0.01) }
        #expect(recent.historyPercent == nil && recent.historySeconds == Double(3 * 3600))
        for window in LiveWindow.allCases {
            let a = recent.metrics.snapshot(window: window), b = whole.metrics.snapshot(window: window)
            #expect(a.requests == b.requests, "\(window)")
            #expect(a.latency == b.latency && a.errors.map(\.code) == b.errors.map(\.code) && a.errors.map(\.count) == b.errors.map(\.count), "\(window)")
            #expect(a.stages.map(\.p95) == b.stages.map(\.p95), "\(window)")
        }
    }

    /// `-R` (#18): a live file that holds only the last stretch has its rotated siblings (plain
    /// and gzip) read in the background for a long window, which then equals report over them all.
    @Test func rotatedSiblingsFeedTheLongWindows() throws {
        let dir = TempDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 16_000)
        options.rate = 2
        options.incident = true
        options.seed = 9
        options.rotate = 3
        _ = try LogGenerator.generate(options)
        let live = dir.path + "/app.log"
        let all = LogInput(path: live).rotatedSiblings().map(\.path) + [live]
        #expect(all.count == 4 && all.contains { $0.hasSuffix(".gz") }, "\(all)")
        let whole = try report(all)
        let collector = LiveCollector(paths: [live])
        collector.readsRotatedSiblings = true
        while collector.poll() {}
        let before = collector.metrics.snapshot(window: .oneDay).requests.window
        #expect(before < whole.total, "the live file alone holds part of the day")
        collector.extendHistory(to: 2 * 86_400)
        #expect(collector.historyPercent != nil)
        let deadline = Date().addingTimeInterval(60)
        while collector.historyPercent != nil, Date() < deadline { collector.poll(); Thread.sleep(forTimeInterval: 0.01) }
        let day = collector.metrics.snapshot(window: .oneDay)
        #expect(day.requests.window == whole.total && day.requests.failed == whole.failed, "\(day.requests.window) vs \(whole.total)")
        #expect(day.latency.max == whole.latency.max)
        #expect(Dictionary(uniqueKeysWithValues: day.errors.map { ($0.code, $0.count) })
                == Dictionary(uniqueKeysWithValues: whole.errors.prefix(day.errors.count).map { ($0.code, $0.count) }))
        // Asked again, nothing is read twice.
        collector.extendHistory(to: 2 * 86_400)
        #expect(collector.historyPercent == nil)
        #expect(collector.metrics.snapshot(window: .oneDay).requests.window == whole.total)
        // Without -R the siblings stay unread.
        let plain = LiveCollector(paths: [live])
        while plain.poll() {}
        plain.extendHistory(to: 2 * 86_400)
        #expect(plain.historyPercent == nil && plain.metrics.snapshot(window: .oneDay).requests.window == before)
    }

    /// The split view's per-source figures get the background history too (#18).
    @Test func perSourceFiguresGetTheOlderHistoryToo() throws {
        let (dirA, a) = try generatedLog(requests: 16_000, rate: 2, seed: 9)
        let (dirB, b) = try generatedLog(requests: 12_000, rate: 1.5, seed: 4)
        _ = (dirA, dirB)
        let recent = LiveCollector(paths: [a, b], history: 20 * 60)
        recent.trackPerSource = true
        while recent.poll() {}
        recent.extendHistory(to: 3 * 3600)
        let deadline = Date().addingTimeInterval(60)
        while recent.historyPercent != nil, Date() < deadline { recent.poll(); Thread.sleep(forTimeInterval: 0.01) }
        #expect(recent.historyPercent == nil)
        let split = recent.sourceSnapshots(window: .oneHour)
        for (i, path) in [a, b].enumerated() {
            let alone = LiveCollector(paths: [path])
            while alone.poll() {}
            // Each column's hour ends at its own newest record.
            let expected = alone.metrics.snapshot(window: .oneHour)
            #expect(split[i].snapshot.requests.window == expected.requests.window, "\(path): \(split[i].snapshot.requests.window) vs \(expected.requests.window)")
            #expect(split[i].snapshot.latency.max == expected.latency.max)
        }
    }
}
