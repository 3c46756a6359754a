import Foundation
import Testing
@testable import TTSMonCore

/// Issue 16, "Say so": a file ttsmon does not understand is named, with `ttsmon formats test`.
@Suite struct FormatDiagnosisTests {
    /// loguru's default format (what `logger.add(path)` writes), with the seed's own events.
    static let loguru = (0..<40).map { i in
        "2024-06-12 14:22:37.\(100 + i) | INFO     | app.tts:synthesize:120 - synthesis_complete: id=ts_\(String(format: "%08x", i)), status=success, duration_ms=523"
    }.joined(separator: "\n") + "\n"

    /// A Go service's klog lines (not read): no time ttsmon knows at the start.
    static let klog = (0..<40).map { i in
        "I0612 14:22:\(10 + i % 50).123456   12345 server.go:123] handled POST /tts in 523ms"
    }.joined(separator: "\n") + "\n"

    /// The seed's events in loguru's and basicConfig's layouts are read (tracebacks kept).
    @Test func theSeedsEventsInOtherPythonLayoutsAreRead() throws {
        let dir = TempDir()
        let loguru = dir.write("loguru.log", Self.loguru)
        let basic = dir.write("basic.log", """
            2025-01-10 14:22:37,892 INFO synthesis_start: id=ts_00000001, text="你好", lang=zh, voice=alloy
            2025-01-10 14:22:38,100 ERROR synthesis_failed: id=ts_00000001, error_code=SCIPY_FFT_INVALID
            Traceback (most recent call last):
            ValueError: Invalid input to scipy.fft
            2025-01-10 14:22:38,120 INFO synthesis_complete: id=ts_00000001, status=failed, duration_ms=228

            """)
        let named = dir.write("named.log", """
            2025-01-10 14:22:37,892 - INFO - app.tts_engine: synthesis_start: id=ts_00000002, text="你好", lang=zh, voice=alloy
            2025-01-10 14:22:38,100 - INFO - app.tts_engine: synthesis_complete: id=ts_00000002, status=success, duration_ms=208

            """)
        let c = try report([named])
        #expect(c.total == 1 && c.success == 1 && c.warnings.isEmpty)
        let a = try report([loguru])
        #expect(a.total == 40 && a.warnings.isEmpty)
        let b = try report([basic])
        #expect(b.total == 1 && b.failed == 1)
        #expect(b.errors.first?.code == "SCIPY_FFT_INVALID")
        #expect(b.lines.continuation == 2)
    }

    /// JSON loggers' keys and times: `msg`/`message` as the event, `ts`/`@timestamp`, ISO-8601
    /// with `T` and `Z` or an offset, micro- and nanoseconds, lower-case levels, and the seed's
    /// whole message as the event (structlog).
    @Test func jsonLoggersKeysAndTimes() throws {
        let dir = TempDir()
        let path = dir.write("json.log", """
            {"ts": "2024-06-12T14:22:37.892123Z", "level": "info", "msg": "synthesis_start", "id": "ts_00000001", "text": "你好"}
            {"@timestamp": "2024-06-12T14:22:38.100+08:00", "levelname": "INFO", "message": "synthesis_complete", "id": "ts_00000001", "status": "success", "duration_ms": 208, "audio_size_kb": null}
            {"timestamp": "2024-06-12T14:22:39.000000001Z", "level": "warning", "event": "synthesis_complete: id=ts_00000002, status=failed, duration_ms=12, error_code=TEXT_EMPTY"}

            """)
        let s = try report([path])
        #expect(s.total == 2 && s.success == 1 && s.failed == 1)
        #expect(s.errors.first?.code == "TEXT_EMPTY")
        #expect(s.lines.parsed == 3 && s.warnings.isEmpty)
        #expect(LogTimestamp("2024-06-12T14:22:37.892Z", zone: true) == LogTimestamp("2024-06-12 14:22:37,892")!.convertedToLocal(fromOffsetSeconds: 0))
        #expect(LogTimestamp("2024-06-12T14:22:37.892Zx", zone: true) == nil)
        #expect(LogTimestamp("2024-06-12T14:22:37.892Z") == nil, "zones only where asked for")
    }

    @Test func aLayoutNotReadIsNamedAsNotUnderstood() throws {
        let dir = TempDir()
        let path = dir.write("klog.log", Self.klog)
        let summary = try report([path])
        #expect(summary.warnings.contains { $0.contains("klog.log: only 0 of the first 40 lines were understood") && $0.contains("ttsmon formats test") })
        let text = try FormatsListing.test(LogInput(path: path), lines: 3)
        #expect(text.contains("not understood: it does not start with a timestamp this format knows"))
        #expect(text.contains("first 40 non-blank lines: 0 understood, 0 requests completed"))
        // Live too: the collector says so once, naming the file.
        let collector = LiveCollector(paths: [path])
        while collector.poll() {}
        collector.poll()
        let notes = collector.drainNotes()
        #expect(notes.filter { $0.contains("klog.log: only 0 of the first 40 lines") }.count == 1)
        #expect(collector.sourceStatus().first?.formatWarning != nil)
        collector.poll()
        #expect(collector.drainNotes().isEmpty, "said once")
    }

    @Test func aSeedLogReadsWellAndAFileOfNoRequestsIsNamed() throws {
        let dir = TempDir()
        let truth = try LogGenerator.generate(GeneratorOptions(outputDirectory: dir.path, requests: 400))
        let summary = try report(truth.files.map { dir.path + "/" + $0 })
        #expect(!summary.warnings.contains { $0.contains("understood") || $0.contains("no request") })
        // 1,000 well-formed lines of events ttsmon does not know: understood, yet no request.
        let other = (0..<1200).map { "2024-06-12 14:22:37,\(String(format: "%03d", $0 % 1000)) - app - INFO - model_loaded: name=gpt, ms=\($0)" }
        let path = dir.write("other.log", other.joined(separator: "\n") + "\n")
        let warned = try report([path])
        #expect(warned.warnings.contains { $0.contains("other.log: no request in the first 1000 lines") })
    }
}
