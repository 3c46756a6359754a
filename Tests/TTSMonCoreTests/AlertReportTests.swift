import Foundation
import Testing
@testable import TTSMonCore

/// Issue 8: `report` lists when each rule would have paged, checked against a plain re-computation
/// from the generator's truth (its own record of every request), and live metrics fed the same
/// lines fire at the same times.
@Suite struct AlertReportTests {
    static func generate(format: GeneratedFormat = .indexTTS) throws -> (TempDir, GeneratedTruth) {
        let dir = TempDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 12_000)
        options.rate = 5          // 40 minutes of log, a 6-minute incident in the middle
        options.incident = true
        options.seed = 11
        options.format = format
        return (dir, try LogGenerator.generate(options))
    }

    /// Firing intervals (start and end seconds, -1 while firing) of `rule`, computed the plain way:
    /// a sorted window of durations per second, and a streak counter for `for:`.
    static func oracle(_ truth: GeneratedTruth, rule: AlertRule) -> [[Int64]] {
        var bySecond: [Int64: [(failed: Bool, ms: Int)]] = [:]
        for r in truth.requests {
            bySecond[LogTimestamp(r.completeTime)!.second, default: []].append((r.status == "failed", r.durationMs))
        }
        let first = bySecond.keys.min()!, last = bySecond.keys.max()!
        let w = Int64(rule.windowSeconds)
        var sorted: [Int] = [], failed = 0
        var out: [[Int64]] = []
        var streak: Int64?, firing = false
        for s in first...last {
            for r in bySecond[s] ?? [] {
                sorted.insert(r.ms, at: sorted.firstIndex { $0 >= r.ms } ?? sorted.count)
                if r.failed { failed += 1 }
            }
            for r in bySecond[s - w] ?? [] {
                sorted.remove(at: sorted.firstIndex(of: r.ms)!)
                if r.failed { failed -= 1 }
            }
            var holds = false
            if !sorted.isEmpty {
                switch rule.signal {
                case .errorRatio: holds = Double(failed) / Double(sorted.count) > rule.threshold
                default:
                    let q = Double(rule.signal.latencyPerMille!) / 1000
                    let rank = Int((q * Double(sorted.count)).rounded(.up))
                    holds = Double(sorted[rank - 1]) > rule.threshold * 1000
                }
            }
            if holds {
                if streak == nil { streak = s }
                if !firing, s - streak! >= Int64(rule.forSeconds) { firing = true; out.append([streak! + Int64(rule.forSeconds), -1]) }
            } else {
                streak = nil
                if firing { firing = false; out[out.count - 1][1] = s }
            }
        }
        return out
    }

    static func spans(_ alerts: [AlertInterval], _ name: String) -> [[Int64]] {
        alerts.filter { $0.rule.name == name }.map { [$0.start.second, $0.end?.second ?? -1] }
    }

    @Test func reportNamesTheIncidentsAlertsAtTheRightTimes() throws {
        let (dir, truth) = try Self.generate()
        let path = dir.path + "/" + truth.files[0]
        // Two threads over small ranges: the per-second series of each range must merge exactly.
        let s = try report([path], threads: 2, split: 256 << 10)
        for name in ["HighErrorRate", "HighP95Latency", "HighP90Latency"] {
            let rule = AlertRule.builtIn.first { $0.name == name }!
            let expected = Self.oracle(truth, rule: rule)
            #expect(!expected.isEmpty, "the incident should trip \(name)")
            #expect(Self.spans(s.alerts, name) == expected, "\(name)")
        }
        // Failover: from the router's switch to standby until it switches back.
        let switches = truth.failovers.map { LogTimestamp($0.time)!.second }
        #expect(switches.count == 2)
        #expect(Self.spans(s.alerts, "Failover") == [switches])
        // Cache: the incident's climb over 90 %, then the cleanup.
        let cache = s.alerts.filter { $0.rule.name == "CacheNearlyFull" }
        #expect(cache.count == 1)
        #expect(cache.first.map { $0.peak > 90 && $0.end != nil } == true)
        // No rule for probes or the disk fires from a log.
        #expect(!s.alerts.contains { $0.rule.signal.clock == .probe })
        // The JSON carries the contract's keys, times as the log writes them.
        let json = s.json.serialized()
        #expect(json.contains("\"alerts\": [{\"name\": "))
        let first = s.alerts[0].json.serialized()
        for key in ["\"name\": ", "\"state\": \"resolved\"", "\"start\": \"20", "\"end\": \"20", "\"value\": ", "\"threshold\": ", "\"summary\": "] {
            #expect(first.contains(key), "\(key) in \(first)")
        }
    }

    @Test func liveMetricsFireWhereTheReportDoes() throws {
        let (dir, truth) = try Self.generate()
        let path = dir.path + "/" + truth.files[0]
        let s = try report([path])
        var metrics = LiveMetrics()
        metrics.setFormat(.indexTTS, source: 0)
        let parser = LineParser(format: .indexTTS)
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for line in bytes.split(separator: 10, omittingEmptySubsequences: false) {
            let kind = Array(line).withUnsafeBufferPointer { parser.parse($0, into: &record) }
            metrics.add(kind, record, source: 0, file: path, offset: 0)
        }
        let live = metrics.alerts.currentIntervals
        #expect(live.map(\.rule.name) == s.alerts.map(\.rule.name))
        #expect(live.map(\.start) == s.alerts.map(\.start))
        #expect(live.map(\.end) == s.alerts.map(\.end))
    }

    @Test func chatTTSServerErrorsCountOnlyThere() throws {
        let (dir, truth) = try Self.generate(format: .chatTTS)
        let s = try report([dir.path + "/" + truth.files[0]])
        #expect(s.alerts.contains { $0.rule.name == "HighServerErrorRate" })
        let (dir2, truth2) = try Self.generate()
        let s2 = try report([dir2.path + "/" + truth2.files[0]])
        #expect(!s2.alerts.contains { $0.rule.name == "HighServerErrorRate" })
    }
}

/// #19: a report over a long span of one file (or one rotated set) evaluates the rules as the
/// ranges are folded in time order, keeping per-second data for the longest window only; the
/// alert intervals equal those of evaluating the whole span at the end.
@Suite struct BoundedAlertSeriesTests {
    @Test func longSpansKeepOnlyTheWindowsSeconds() throws {
        let dir = TempDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 40_000)
        options.rate = 0.5          // 22 hours of log time
        options.incident = true
        options.seed = 5
        _ = try LogGenerator.generate(options)
        let path = dir.path + "/app.log"
        let other = dir.write("other.log", "")
        func run(_ paths: [String]) throws -> ReportOutcome {
            var o = ReportOptions(inputs: paths.map(LogInput.init(path:)))
            o.threads = 2
            o.splitThreshold = 256 << 10
            o.rangeSize = 256 << 10
            return try ReportRunner.run(o)
        }
        let streamed = try run([path])
        let whole = try run([path, other])   // two inputs of different names: evaluated at the end
        #expect(streamed.alertEngine != nil && whole.alertEngine == nil)
        let span = try #require(streamed.accumulator.last).second - (try #require(streamed.accumulator.first)).second
        #expect(span > 20 * 3600)
        #expect(streamed.accumulator.alertSeries.secondCount < 6000, "\(streamed.accumulator.alertSeries.secondCount) seconds kept")
        #expect(whole.accumulator.alertSeries.secondCount > 30_000)
        let a = ReportSummary(streamed).alerts, b = ReportSummary(whole).alerts
        #expect(!a.isEmpty)
        #expect(a.map(\.rule.name) == b.map(\.rule.name) && a.map(\.start) == b.map(\.start) && a.map(\.end) == b.map(\.end))
        #expect(a.map(\.peak) == b.map(\.peak))
        // A second of alert data stays small: a day of .gz is one segment holding 86,400 of them.
        #expect(MemoryLayout<AlertSecond>.stride <= 64)
    }
}
