import Foundation
import Testing
@testable import TTSMonCore

/// A replayed history gives, at any moment, the figures `report --from --to` gives for the
/// window ending there.
@Suite struct ReplayTests {
    @Test func figuresMatchReportForTheWindowEndingAtTheReplayedTime() throws {
        let dir = TempDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 2500)
        options.rotate = 2
        options.incident = true
        let truth = try LogGenerator.generate(options)
        let inputs = truth.files.map { LogInput(path: dir.path + "/" + $0) }
        let feeder = try ReplayFeeder(inputs: inputs.reversed(), speed: 1000)
        defer { feeder.stop() }
        // Move the clock to just before the end of a second, about two thirds in.
        let target = try #require(LogTimestamp(String(truth.requests[1600].completeTime.prefix(19)) + ",999"))
        var guardCount = 0
        while (feeder.now ?? LogTimestamp(milliseconds: 0)) < target, guardCount < 10_000 {
            let now = feeder.now
            let step = now.map { Double(target.milliseconds - $0.milliseconds) / 1000 / 1000 } ?? 0.001
            feeder.advance(wallSeconds: max(0.000_1, min(step, 0.5)))
            Thread.sleep(forTimeInterval: 0.002)
            guardCount += 1
        }
        // Let the reader catch up to the clock (a loaded machine may take seconds).
        let deadline = Date().addingTimeInterval(60)
        while !feeder.caughtUp, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(feeder.caughtUp)
        #expect(feeder.now == target)
        let snapshot = feeder.withMetrics { $0.snapshot(window: .oneMinute, now: target) }
        let windowStart = LogTimestamp(milliseconds: (target.milliseconds / 1000 - 59) * 1000)
        let windowEnd = LogTimestamp(milliseconds: (target.milliseconds / 1000 + 1) * 1000)
        var report = ReportOptions(inputs: inputs)
        report.from = .absolute(windowStart)
        report.to = .absolute(windowEnd)
        let expected = ReportSummary(try ReportRunner.run(report))
        #expect(snapshot.requests.window == expected.total)
        #expect(snapshot.requests.failed == expected.failed)
        let bound = snapshot.latency.errorBound
        if let p95 = snapshot.latency.p95, let exact = expected.latency.p95 {
            #expect(Double(abs(p95 - exact)) <= Double(exact) * bound + 1)
        }
        #expect(snapshot.latency.max == expected.latency.max)
    }

    /// At the end of the log the clock stops at the last record, even when its last step ran
    /// far past it: the last minutes' requests stay in the window however long the replay runs.
    @Test func theClockStopsAtTheEndOfTheLog() throws {
        let dir = TempDir()
        let truth = try LogGenerator.generate(GeneratorOptions(outputDirectory: dir.path, requests: 200))
        let feeder = try ReplayFeeder(inputs: truth.files.map { LogInput(path: dir.path + "/" + $0) }, speed: 10_000)
        defer { feeder.stop() }
        let deadline = Date().addingTimeInterval(60)
        while !feeder.finished, Date() < deadline {
            feeder.advance(wallSeconds: 0.1)
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(feeder.finished)
        let end = try #require(feeder.now)
        let last = try #require(LogTimestamp(String(truth.requests.map(\.completeTime).max()!)))
        for _ in 0..<5 { feeder.advance(wallSeconds: 10) }
        #expect(feeder.now == end, "the clock stopped")
        #expect(end >= last && end.milliseconds - last.milliseconds < 60_000, "stopped at the last record (\(end.logText))")
        let snapshot = feeder.withMetrics { $0.snapshot(window: .fiveMinutes, now: end) }
        #expect(snapshot.requests.window > 0, "the last window's requests are still counted")
    }
}
