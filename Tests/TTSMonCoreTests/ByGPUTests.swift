import Foundation
import Testing
@testable import TTSMonCore

/// Issue 20 (seed 002): report's `by_gpu` — requests, failures and p95 per ChatTTS `gpu_id`, so
/// one bad card stands out; the same whether the file is read in one pass or in ranges.
struct ByGPUTests {
    @Test func requestsAndFailuresPerGPUAsTheLinesSay() throws {
        let dir = TempDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 4000)
        options.format = .chatTTS
        options.seed = 8
        _ = try LogGenerator.generate(options)
        let path = dir.path + "/app.log"
        // The plain count: every request line's record, one by one (the parser reads the sixth
        // column; report folds them, in one pass or in ranges).
        var expected: [Int: (requests: Int, failed: Int)] = [:]
        let parser = LineParser(format: .chatTTS)
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        for line in try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: 10) {
            guard case .record = Array(line).withUnsafeBufferPointer({ parser.parse($0, into: &record) }),
                  record.event == .synthesisComplete, let gpu = record.gpuID else { continue }
            expected[gpu, default: (0, 0)].requests += 1
            if record.status == .failed { expected[gpu]!.failed += 1 }
        }
        let one = try report([path])
        #expect(one.byGPU.map(\.gpuID) == expected.keys.sorted() && one.byGPU.count >= 2)
        for row in one.byGPU {
            #expect(row.requests == expected[row.gpuID]?.requests && row.failed == expected[row.gpuID]?.failed, "gpu \(row.gpuID): \(row.requests)/\(row.failed) vs \(String(describing: expected[row.gpuID]))")
            #expect(row.p95 != nil)
        }
        #expect(one.byGPU.reduce(0) { $0 + $1.requests } == one.total)
        let ranges = try report([path], threads: 3, split: 64 << 10)
        #expect(ranges.byGPU.map(\.requests) == one.byGPU.map(\.requests) && ranges.byGPU.map(\.p95) == one.byGPU.map(\.p95),
                "ranges: \(ranges.total) requests, \(ranges.lines) lines, \(ranges.warnings); one pass: \(one.total), \(one.lines)")
        #expect(one.json.serialized().contains(#""by_gpu": [{"gpu_id": "#))
        #expect(one.text.contains("By GPU"))
        // A log that names no GPU has an empty list.
        let indexTTS = dir.path + "/plain"
        _ = try LogGenerator.generate(GeneratorOptions(outputDirectory: indexTTS, requests: 200))
        #expect(try report([indexTTS + "/app.log"]).json.serialized().contains(#""by_gpu": []"#))

        // Live (watch, the dashboard's split view) counts the same through the same fold: the
        // 24 h window holds the whole log, and history read in the background merges exactly.
        let collector = LiveCollector(paths: [path])
        while collector.poll() {}
        let live = collector.metrics.snapshot(window: .oneDay).byGPU
        #expect(live.map(\.gpuID) == one.byGPU.map(\.gpuID))
        #expect(live.map(\.requests) == one.byGPU.map(\.requests) && live.map(\.failed) == one.byGPU.map(\.failed))
        #expect(collector.metrics.snapshot(window: .oneDay).json.serialized().contains(#""by_gpu": [{"gpu_id": "#))
        var older = LiveMetrics(), newer = LiveMetrics()
        let lines = try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: 10)
        for (i, line) in lines.enumerated() {
            let kind = Array(line).withUnsafeBufferPointer { parser.parse($0, into: &record) }
            if i < lines.count / 2 { older.add(kind, record, source: 0, file: "a", offset: 0) } else { newer.add(kind, record, source: 0, file: "a", offset: 0) }
        }
        newer.mergeOlderHistory(older)
        let merged = newer.snapshot(window: .oneDay).byGPU
        #expect(merged.map(\.requests).reduce(0, +) >= one.total - 5, "a request cut in two by the split may be lost, no more")
        #expect(merged.map(\.gpuID) == one.byGPU.map(\.gpuID))
    }
}
