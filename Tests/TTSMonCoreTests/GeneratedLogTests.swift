import Foundation
import Testing
@testable import TTSMonCore

/// Report and trace on generated rotated sets, checked against figures computed here from the
/// generator's own events (its truth), never against the engine's own output.
@Suite struct GeneratedLogTests {
    struct Generated {
        let dir: TempDir
        let truth: GeneratedTruth
        var paths: [String] { truth.files.map { dir.path + "/" + $0 } }
    }

    static func generate(_ requests: Int, rotate: Int, format: GeneratedFormat = .indexTTS, seed: UInt64 = 7) throws -> Generated {
        let dir = TempDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: requests)
        options.rotate = rotate
        options.incident = true
        options.seed = seed
        options.format = format
        return Generated(dir: dir, truth: try LogGenerator.generate(options))
    }

    /// Nearest rank: the ⌈q·n⌉-th smallest, computed the plain way.
    static func nearestRank(_ values: [Int], _ q: Double) -> Int? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[max(1, rank) - 1]
    }

    @Test func reportMatchesTheGeneratorsTruth() throws {
        let g = try Self.generate(3000, rotate: 3)
        let truth = g.truth
        // Given in a scrambled order: the engine must sort the rotated set itself.
        let s = try report(g.paths.reversed().shuffled(), threads: 2, split: 50_000)
        let requests = truth.requests
        #expect(s.total == requests.count)
        #expect(s.success == requests.filter { $0.status == "success" }.count)
        #expect(s.failed == requests.filter { $0.status == "failed" }.count)
        let durations = requests.map(\.durationMs)
        #expect(s.latency.p50 == Self.nearestRank(durations, 0.50))
        #expect(s.latency.p90 == Self.nearestRank(durations, 0.90))
        #expect(s.latency.p95 == Self.nearestRank(durations, 0.95))
        #expect(s.latency.p99 == Self.nearestRank(durations, 0.99))
        #expect(s.latency.max == durations.max())
        var codes: [String: Int] = [:]
        for r in requests where r.status == "failed" { codes[r.errorCode ?? "?", default: 0] += 1 }
        #expect(Dictionary(uniqueKeysWithValues: s.errors.map { ($0.code, $0.count) }) == codes)
        for stage in PipelineStage.allCases {
            let values = requests.flatMap { $0.stages.filter { $0.stage == stage.name }.map(\.durationMs) }
            let row = s.stages.first { $0.stage == stage.name }
            #expect(row?.count == values.count, "\(stage.name)")
            #expect(row?.p95 == Self.nearestRank(values, 0.95), "\(stage.name)")
        }
        let hits = requests.filter { $0.cacheHit == true }.count
        #expect(s.cacheHitRatio == Double(hits) / Double(requests.count))
        for bucket in TextLengthBucket.allCases where bucket != .unknown {
            let inBucket = requests.filter { TextLengthBucket(length: $0.textLen) == bucket }
            let row = s.byTextLength.first { $0.bucket == bucket.label }
            #expect(row?.requests == inBucket.count, "\(bucket.label)")
            #expect(row?.failed == inBucket.filter { $0.status == "failed" }.count, "\(bucket.label)")
            #expect(row?.p95 == Self.nearestRank(inBucket.map(\.durationMs), 0.95), "\(bucket.label)")
        }
        #expect(s.lines.total == truth.totalLines)
        #expect(s.lines.continuation == truth.continuationLines)
        #expect(s.lines.unparsed == truth.unparsedLines)
        #expect(s.lines.parsed == truth.totalLines - truth.continuationLines - truth.unparsedLines)
        #expect(s.first?.logText == truth.firstTime)
        #expect(s.last?.logText == truth.lastTime)
        #expect(s.cache.samples == truth.cacheReadings.count)
        #expect(s.cache.last?.percent == truth.cacheReadings.last)
        #expect(s.cache.maxPercent == truth.cacheReadings.max())
        #expect(s.failovers.map { "\($0.time.logText) \($0.from ?? "?")→\($0.to)" }
                == truth.failovers.map { "\($0.time) \($0.from)→\($0.to)" })
    }

    @Test func timeWindowKeepsCompletionsInside() throws {
        let g = try Self.generate(1500, rotate: 2)
        let mid = g.truth.requests[700].completeTime
        let end = g.truth.requests[1100].completeTime
        let s = try report(g.paths, from: String(mid.prefix(19)), to: String(end.prefix(19)))
        let from = LogTimestamp(String(mid.prefix(19)))!, to = LogTimestamp(String(end.prefix(19)))!
        let expected = g.truth.requests.filter { let t = LogTimestamp($0.completeTime)!; return t >= from && t < to }
        #expect(s.total == expected.count)
        #expect(s.latency.p95 == Self.nearestRank(expected.map(\.durationMs), 0.95))
    }

    @Test func otherFormatsMatchToo() throws {
        for format in [GeneratedFormat.chatTTS, .jsonLines] {
            let g = try Self.generate(800, rotate: 1, format: format)
            let s = try report(g.paths)
            #expect(s.total == g.truth.requests.count, "\(format)")
            #expect(s.failed == g.truth.requests.filter { $0.status == "failed" }.count, "\(format)")
            #expect(s.latency.p99 == Self.nearestRank(g.truth.requests.map(\.durationMs), 0.99), "\(format)")
            #expect(s.lines.unparsed == g.truth.unparsedLines, "\(format)")
            #expect(s.files.first?.format == (format == .chatTTS ? "chattts" : "jsonl"))
        }
    }

    @Test func traceFindsRequestsInEveryRotatedFile() throws {
        let g = try Self.generate(2000, rotate: 3)
        let inputs = g.paths.map(LogInput.init(path:))
        let oldest = g.truth.files.last!
        let samples = g.truth.requests.filter { $0.file == oldest }.prefix(5)
            + g.truth.requests.filter { $0.status == "failed" }.prefix(5)
            + g.truth.requests.filter { $0.file == g.truth.files.first! }.suffix(3)
        #expect(samples.count >= 10)
        for expected in samples {
            let (trace, warnings) = try RequestTracer.trace(id: expected.id, inputs: inputs)
            #expect(warnings.isEmpty)
            let t = try #require(trace, "\(expected.id)")
            #expect(t.status.rawValue == expected.status, "\(expected.id)")
            #expect(t.durationMs == expected.durationMs)
            #expect(t.errorCode == expected.errorCode)
            #expect(t.stages.map(\.stage) == expected.stages.map(\.stage))
            #expect(t.stages.map(\.durationMs) == expected.stages.map(\.durationMs))
            #expect(t.end?.logText == expected.completeTime)
            #expect(t.text == expected.text)
            #expect(t.textLen == expected.textLen)
            #expect(t.voice == expected.voice)
            #expect(t.cacheHit == expected.cacheHit)
            #expect(URL(fileURLWithPath: t.file ?? "").lastPathComponent == expected.file)
            var offset = 0
            for stage in t.stages { #expect(stage.offsetMs == offset); offset += stage.durationMs }
            if let longest = expected.stages.map(\.durationMs).max() {
                #expect(t.stages.first { $0.stage == t.criticalStage }?.durationMs == longest)
            }
            if expected.status == "failed" { #expect(t.failedStage != nil) }
        }
        let missing = try RequestTracer.trace(id: "ts_nothere0", inputs: inputs)
        #expect(missing.trace == nil)
    }
}
