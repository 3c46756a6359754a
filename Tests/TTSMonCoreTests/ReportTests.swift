import Foundation
import Testing
@testable import TTSMonCore

@Suite struct ReportTests {
    static let sample = """
    2024-06-12 14:00:00,000 - app.tts_engine - INFO - synthesis_start: id=ts_00000001, text="今天天气真好", lang=zh, voice=alloy, cache_hit=false
    2024-06-12 14:00:00,100 - app.tts_engine - INFO - stage_time: stage=text_normalize, id=ts_00000001, duration_ms=10
    2024-06-12 14:00:00,200 - app.tts_engine - INFO - synthesis_start: id=ts_00000002, text="hello", text_len=900, lang=en, voice=female, cache_hit=true
    2024-06-12 14:00:00,500 - app.tts_engine - ERROR - synthesis_failed: id=ts_00000002, error_code=MODEL_LOAD_TIMEOUT
    Traceback (most recent call last):
      File "/app/app/tts_engine.py", line 12, in load
    TimeoutError
    2024-06-12 14:00:00,600 - app.tts_engine - INFO - synthesis_complete: id=ts_00000002, status=failed, duration_ms=400
    2024-06-12 14:00:01,000 - app.tts_engine - INFO - synthesis_complete: id=ts_00000001, status=success, duration_ms=1000
    stray output
    2024-06-12 14:00:02,000 - app.tts_engine - INFO - synthesis_complete: id=ts_00000003, status=failed, duration_ms=30, error_code=TEXT_EMPTY
    2024-06-12 14:00:03,000 - app.cache - WARNING - cache_dir_usage: path=/app/cache, used_percent=95.5, threshold=90.0, action=warn
    2024-06-12 14:00:04,000 - app.cache - WARNING - cache_health: usage=91.0%
    2024-06-12 14:00:10,000 - app.tts_engine - INFO - synthesis_complete: id=ts_00000004, status=success, duration_ms=200

    """

    @Test func figuresFollowTheRules() throws {
        let dir = TempDir()
        let s = try report([dir.write("app.log", Self.sample)])
        #expect(s.total == 4)
        #expect(s.success == 2)
        #expect(s.failed == 2)
        // nearest rank over [30, 200, 400, 1000]
        #expect(s.latency.p50 == 200)
        #expect(s.latency.p90 == 1000)
        #expect(s.latency.max == 1000)
        #expect(s.qps == 0.4)
        #expect(s.errors.map(\.code) == ["MODEL_LOAD_TIMEOUT", "TEXT_EMPTY"])
        #expect(s.errors.map(\.share) == [0.5, 0.5])
        #expect(s.cacheHitRatio == 0.5)
        #expect(s.cache.last?.percent == 91.0)
        #expect(s.cache.maxPercent == 95.5)
        #expect(s.cache.threshold == 90.0)
        #expect(s.cache.samples == 2)
        #expect(s.lines.total == 14)
        #expect(s.lines.continuation == 3)
        #expect(s.lines.unparsed == 1)  // "stray output"
        #expect(s.lines.parsed == 10)
        let buckets = Dictionary(uniqueKeysWithValues: s.byTextLength.map { ($0.bucket, $0) })
        #expect(buckets["0-50"]?.requests == 1)
        #expect(buckets["601-1000"]?.failed == 1)
        #expect(buckets["unknown"]?.requests == 2)
        #expect(s.stages.first?.stage == "text_normalize")
        let json = s.json
        #expect(json["errors"] == .array([
            .object([("code", .string("MODEL_LOAD_TIMEOUT")), ("count", .int(1)), ("share", .double(0.5))]),
            .object([("code", .string("TEXT_EMPTY")), ("count", .int(1)), ("share", .double(0.5))]),
        ]))
    }

    @Test func parallelRangesEqualOnePass() throws {
        let dir = TempDir()
        var text = ""
        for i in 0..<3000 {
            let id = String(format: "ts_%08x", i)
            text += "2024-06-12 14:00:\(String(format: "%02d", i / 100 % 60)),000 - app - INFO - synthesis_start: id=\(id), text=\"\(String(repeating: "字", count: i % 700))\", cache_hit=\(i % 4 == 0)\n"
            if i % 17 == 0 {
                text += "2024-06-12 14:00:00,000 - app - ERROR - synthesis_failed: id=\(id), error_code=E\(i % 3)\nTraceback (most recent call last):\n  boom\n"
            }
            text += "2024-06-12 14:01:00,000 - app - INFO - stage_time: stage=llm_inference, id=\(id), duration_ms=\(i % 500)\n"
            text += "2024-06-12 14:01:00,000 - app - INFO - synthesis_complete: id=\(id), status=\(i % 17 == 0 ? "failed" : "success"), duration_ms=\(i * 7 % 40000)\n"
        }
        let path = dir.write("app.log", text)
        let one = try report([path], threads: 1)
        let many = try report([path], threads: 4, split: 10_000)
        #expect(one.json.serialized() == many.json.serialized())
        #expect(one.total == 3000)
        #expect(one.failed == 177)
        #expect(one.lines.continuation == 2 * 177)
    }

    @Test func joinsAcrossRotatedFilesGivenInAnyOrder() throws {
        let dir = TempDir()
        let old = "2024-06-12 14:00:00,000 - app - INFO - synthesis_start: id=ts_1, text=\"hi\", cache_hit=true\n"
            + "2024-06-12 14:00:00,100 - app - ERROR - synthesis_failed: id=ts_1, error_code=SCIPY_FFT_INVALID\n"
        let new = "2024-06-12 14:00:00,200 - app - INFO - synthesis_complete: id=ts_1, status=failed, duration_ms=200\n"
        dir.write("app.log.1.gz", bytes: Gzip.compress(Array(old.utf8)))
        dir.write("app.log", new)
        let s = try report([dir.path + "/app.log", dir.path + "/app.log.1.gz"])
        #expect(s.errors.first?.code == "SCIPY_FFT_INVALID")
        #expect(s.cacheHitRatio == 1)
        #expect(s.files.map(\.compressed) == [true, false])
    }

    @Test func timeWindows() throws {
        let dir = TempDir()
        let path = dir.write("app.log", Self.sample)
        #expect(try report([path], from: "2024-06-12 14:00:01", to: "2024-06-12 14:00:05").total == 2)
        #expect(try report([path], from: "14:00:02").total == 2)
        #expect(try report([path], from: "-9s").total == 3)
        #expect(try report([path], to: "14:00:01").total == 1)
    }

    @Test func chatTTSServerErrors() throws {
        let dir = TempDir()
        let path = dir.write("chat.log", """
        2024-06-12 14:22:38,415 | 9f8e7d6c5b4a | OK | 523ms | 86 | 0 | -
        2024-06-12 14:22:39,001 | 1a2b3c4d5e6f | 500 | 4300ms | 912 | 1 | Traceback: RuntimeError | pool exhausted
        2024-06-12 14:22:40,001 | 1a2b3c4d5e70 | 429 | 10ms | 12 | 1 | busy
        2024-06-12 14:22:41,001 | 1a2b3c4d5e71 | 0 | 800ms | 30 | 0 | -

        """)
        let s = try report([path])
        #expect(s.files.first?.format == "chattts")
        #expect(s.total == 4)
        #expect(s.failed == 2)
        #expect(s.serverErrors == 1)
        #expect(s.errors.map(\.code) == ["429", "500"])
        #expect(s.byTextLength.first { $0.bucket == "601-1000" }?.failed == 1)
    }
}
