import Foundation
import Testing
@testable import TTSMonCore

/// Issue 16: what real TTS services and their web stacks write — access logs, Python's other
/// layouts, container wrappers, IndexTTS2's prints — read with no flags, from samples that
/// follow each writer's format string (`../shared/formats.md` names the projects).
@Suite struct RealFormatsTests {
    /// Report and the live collector (watch, dashboard, export) give the same totals.
    func agree(_ path: String, total: Int, failed: Int, format: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let s = try report([path])
        #expect(s.total == total && s.failed == failed, "report", sourceLocation: sourceLocation)
        #expect(s.warnings.isEmpty, "\(s.warnings)", sourceLocation: sourceLocation)
        #expect(s.files.first?.format == format, sourceLocation: sourceLocation)
        let collector = LiveCollector(paths: [path])
        while collector.poll() {}
        collector.poll()
        #expect(collector.metrics.totalRequests == total && collector.metrics.totalFailed == failed, "live", sourceLocation: sourceLocation)
        #expect(collector.metrics.lines.unparsed == s.lines.unparsed, sourceLocation: sourceLocation)
    }

    /// gunicorn (combined + `%(D)s` µs), nginx (combined + `$request_time` s), werkzeug (with
    /// its colours), uvicorn (no time): HTTP_<status> codes, 5xx server errors, probes ignored.
    @Test func accessLogs() throws {
        let dir = TempDir()
        let gunicorn = dir.write("gunicorn.log", """
            127.0.0.1 - - [01/Dec/2026:07:45:45 +0000] "POST /tts HTTP/1.1" 200 1644 "-" "python-requests/2.32" 18805
            127.0.0.1 - - [01/Dec/2026:07:45:46 +0000] "GET /health HTTP/1.1" 200 2 "-" "curl/8.5" 120
            127.0.0.1 - - [01/Dec/2026:07:45:47 +0000] "POST /tts HTTP/1.1" 503 12 "-" "Mozilla/5.0 (X11; Linux x86_64)" 250000
            127.0.0.1 - - [01/Dec/2026:07:45:48 +0000] "POST /tts?voice=a HTTP/1.1" 422 40 "-" "curl/8.5" 1500

            """)
        try agree(gunicorn, total: 3, failed: 2, format: "access")
        let g = try report([gunicorn])
        #expect(g.latency.max == 250 && g.latency.p50 == 19)
        #expect(g.serverErrors == 1 && Set(g.errors.map(\.code)) == ["HTTP_503", "HTTP_422"])
        #expect(g.first == LogTimestamp("2026-12-01 07:45:45,000")!.convertedToLocal(fromOffsetSeconds: 0))

        let nginx = dir.write("nginx.log", """
            10.0.0.7 - - [12/Jun/2024:14:22:37 +0800] "POST /v1/audio/speech HTTP/1.1" 200 48213 "-" "curl/8.5" 2.317
            10.0.0.7 - - [12/Jun/2024:14:22:38 +0800] "GET /metrics HTTP/1.1" 200 4000 "-" "Prometheus/2.45" 0.002
            10.0.0.7 - - [12/Jun/2024:14:22:39 +0800] "POST /v1/audio/speech HTTP/1.1" 200 48213 "-" "curl/8.5" 0.917

            """)
        try agree(nginx, total: 2, failed: 0, format: "access")
        #expect(try report([nginx]).latency.max == 2317)

        let werkzeug = dir.write("werkzeug.log", "127.0.0.1 - - [01/Dec/2026 07:45:48] \"POST /tts HTTP/1.1\" 200 -\n"
            + "127.0.0.1 - - [01/Dec/2026 07:45:49] \"\u{1B}[31m\u{1B}[1mPOST /tts HTTP/1.1\u{1B}[0m\" 500 -\n")
        try agree(werkzeug, total: 2, failed: 1, format: "access")
        let w = try report([werkzeug])
        #expect(w.latency.p50 == nil, "werkzeug writes no request time")
        #expect(w.first == LogTimestamp("2026-12-01 07:45:48,000"), "no offset: kept as written")

        let uvicorn = dir.write("uvicorn.log", """
            INFO:     Started server process [1234]
            INFO:     Waiting for application startup.
            INFO:     127.0.0.1:53422 - "POST /tts HTTP/1.1" 200 OK
            INFO:     127.0.0.1:53423 - "POST /tts HTTP/1.1" 500 Internal Server Error
            INFO:     127.0.0.1:53424 - "GET /healthz HTTP/1.1" 200 OK

            """)
        try agree(uvicorn, total: 2, failed: 1, format: "access")
        let u = try report([uvicorn])
        #expect(u.first == nil && u.lines.parsed == 5, "no time: counted, no span")
    }

    /// Python's default `LEVEL:name:message`, the bracketed layout, loguru with an offset.
    @Test func morePythonLayouts() throws {
        let dir = TempDir()
        let path = dir.write("py.log", """
            INFO:app.tts_engine:synthesis_start: id=ts_1, text="今天天气真好", lang=zh
            INFO:app.tts_engine:synthesis_complete: id=ts_1, status=success, duration_ms=523
            [2024-06-12 14:22:37,892] [INFO] [app.tts_engine] synthesis_complete: id=ts_2, status=success, duration_ms=600
            2024-06-12 14:22:38.892+08:00 | ERROR    | app.tts_engine:synthesize:120 - synthesis_complete: id=ts_3, status=failed, duration_ms=700, error_code=E1
            Traceback (most recent call last):

            > File "app.py", line 3, in <module>
            ValueError: bad

            """)
        try agree(path, total: 3, failed: 1, format: "indextts")
        let s = try report([path])
        #expect(s.lines.continuation == 4)
        // The offset is applied: 14:22:38.892+08:00 is 06:22:38.892 UTC.
        #expect(s.first == LogTimestamp("2024-06-12 06:22:38,892")!.convertedToLocal(fromOffsetSeconds: 0))
        #expect(LogTimestamp.zoned("2024-06-12T14:22:37.892+08:00") == LogTimestamp.zoned("2024-06-12T06:22:37.892Z"))
        #expect(LogTimestamp.zoned("2024-06-12 14:22:37,892123456-0130") == LogTimestamp.zoned("2024-06-12T15:52:37.892Z"))
    }

    /// A JSON logger's `exception` field is the record's traceback: `trace` shows it.
    @Test func jsonExceptionIsTheTraceback() throws {
        let dir = TempDir()
        let path = dir.write("structlog.json", #"""
            {"event": "synthesis_start", "id": "ts_1", "text": "hi", "level": "info", "timestamp": "2024-06-12T14:22:37.000Z"}
            {"event": "synthesis_complete", "id": "ts_1", "status": "failed", "duration_ms": 12, "error_code": "OOM", "level": "error", "timestamp": "2024-06-12T14:22:37.012Z", "exception": "Traceback (most recent call last):\n  File \"app.py\", line 3, in synth\ntorch.OutOfMemoryError: CUDA out of memory"}

            """#)
        let trace = try RequestTracer.trace(id: "ts_1", inputs: [LogInput(path: path)]).trace
        #expect(trace?.status == .failed && trace?.errorCode == "OOM")
        #expect(trace?.rawLines.contains("torch.OutOfMemoryError: CUDA out of memory") == true, "\(trace?.rawLines ?? [])")
    }

    /// Without `model_stage`, a failed request failed in the stage after the furthest one that
    /// logged its time, even when the log leaves earlier ones out (stages run in order).
    @Test func theFailedStageFollowsTheFurthestLogged() throws {
        let dir = TempDir()
        func request(_ id: String, _ stages: [String], modelStage: String? = nil) -> String {
            "2024-06-12 14:22:37,000 - app - INFO - synthesis_start: id=\(id), text=\"hi\"\n"
                + stages.map { "2024-06-12 14:22:37,100 - app - INFO - stage_time: stage=\($0), id=\(id), duration_ms=100\n" }.joined()
                + "2024-06-12 14:22:38,000 - app - ERROR - synthesis_complete: id=\(id), status=failed, duration_ms=1000, error_code=X"
                + (modelStage.map { ", model_stage=\($0)" } ?? "") + "\n"
        }
        let path = dir.write("app.log", request("ts_1", ["llm_inference"]) + request("ts_2", []) + request("ts_3", ["text_normalize", "llm_prompt_gen"])
                              + request("ts_4", ["llm_inference"], modelStage: "llm_inference")
                              + request("ts_5", ["text_normalize", "llm_prompt_gen", "llm_inference", "llm_postproc", "audio_render"]))
        func failed(_ id: String) throws -> String? { try RequestTracer.trace(id: id, inputs: [LogInput(path: path)]).trace?.failedStage }
        #expect(try failed("ts_1") == "llm_postproc")
        #expect(try failed("ts_2") == "text_normalize")
        #expect(try failed("ts_3") == "llm_inference")
        #expect(try failed("ts_4") == "llm_inference")
        #expect(try failed("ts_5") == nil, "every stage logged: none to blame")
    }

    /// Docker's json-file (a long line split in parts), CRI (`P` parts), `--timestamps`.
    @Test func containerWrappers() throws {
        let dir = TempDir()
        func docker(_ log: String, _ i: Int) -> String {
            let escaped = log.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return #"{"log":"\#(escaped)","stream":"stdout","time":"2025-09-14T03:00:0\#(i).326168105Z"}"#
        }
        let complete = "2024-06-12 14:22:38,100 - tts - ERROR - synthesis_complete: id=ts_9, status=failed, duration_ms=208, error_code=OOM\n"
        let split = complete.index(complete.startIndex, offsetBy: 40)
        let dockerLog = dir.write("container-json.log", [
            docker("2024-06-12 14:22:37,892 - tts - INFO - synthesis_start: id=ts_9, text=\"hi\"\n", 0),
            docker(String(complete[..<split]), 1), docker(String(complete[split...]), 2),
            docker("Traceback (most recent call last):\n", 3), docker("ValueError: y\n", 4),
            docker("INFO:     127.0.0.1:1 - \"POST /tts HTTP/1.1\" 200 OK\n", 5),
        ].joined(separator: "\n") + "\n")
        let d = try report([dockerLog])
        #expect(d.total == 1 && d.failed == 1 && d.errors.first?.code == "OOM")
        #expect(d.lines.continuation == 4 && d.lines.unparsed == 0, "the part, the traceback, and a line without a time after it")
        #expect(d.files.first?.format == "indextts+docker")
        #expect(d.first == LogTimestamp("2024-06-12 14:22:37,892"), "the inner line's own time")

        let cri = dir.write("cri.log", """
            2025-09-14T03:00:01.326168105Z stdout F INFO:     127.0.0.1:53422 - "POST /tts HTTP/1.1" 200 OK
            2025-09-14T03:00:02.326168105Z stdout P INFO:     127.0.0.1:53423 - "POST /tts
            2025-09-14T03:00:02.326168106Z stdout F  HTTP/1.1" 500 Internal Server Error
            2025-09-14T03:00:03.000000000Z stderr F INFO:     127.0.0.1:53424 - "GET /health HTTP/1.1" 200 OK

            """)
        try agree(cri, total: 2, failed: 1, format: "access+cri")
        let c = try report([cri])
        #expect(c.first == LogTimestamp("2025-09-14 03:00:01,326")!.convertedToLocal(fromOffsetSeconds: 0), "the wrapper's time")
        #expect(c.lines.continuation == 1)

        let stamped = dir.write("stamped.log", """
            2025-09-14T03:00:01.326168105Z INFO:     127.0.0.1:53422 - "POST /tts HTTP/1.1" 200 OK
            2025-09-14T03:00:05.326168105+08:00 INFO:     127.0.0.1:53423 - "POST /tts HTTP/1.1" 200 OK

            """)
        try agree(stamped, total: 2, failed: 0, format: "access+timestamps")
        #expect(try report([stamped]).first == LogTimestamp("2025-09-13 19:00:05,326")!.convertedToLocal(fromOffsetSeconds: 0))
    }

    static let indexTTS2 = """
        >> starting inference...
        >> gpt_gen_time: 3.21 seconds
        >> gpt_forward_time: 0.45 seconds
        >> s2mel_time: 0.87 seconds
        >> bigvgan_time: 0.33 seconds
        >> Total inference time: 5.87 seconds
        >> Generated audio length: 7.12 seconds
        >> RTF: 0.8244
        >> wav file saved to: outputs/spk_1.wav
        >> starting inference...
        >> gpt_gen_time: 1.00 seconds
        Traceback (most recent call last):
          File "indextts/infer_v2.py", line 10, in infer
            raise RuntimeError("x")
        torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB
        >> starting inference...
        >> starting inference...
        >> Total inference time: 2.00 seconds
        >> Generated audio length: 4.00 seconds
        >> RTF: 0.5000

        """

    /// `trace` of an IndexTTS2 request: its lines from start to end, the traceback with them;
    /// the waterfall has its stages.
    @Test func indexTTS2RequestsAreTraced() throws {
        let dir = TempDir()
        let path = dir.write("indextts2.log", Self.indexTTS2)
        let ok = try RequestTracer.trace(id: "indextts2-1", inputs: [LogInput(path: path)]).trace
        #expect(ok?.stages.map(\.stage) == ["gpt_gen", "gpt_forward", "s2mel", "bigvgan"])
        #expect(ok?.status == .success && ok?.durationMs == 5870)
        let failed = try RequestTracer.trace(id: "indextts2-2", inputs: [LogInput(path: path)]).trace
        #expect(failed?.status == .failed && failed?.errorCode == "OutOfMemoryError")
        #expect(failed?.rawLines.contains { $0.contains("CUDA out of memory") } == true, "\(failed?.rawLines ?? [])")
        #expect(try RequestTracer.trace(id: "indextts2-9", inputs: [LogInput(path: path)]).trace == nil)
    }

    /// IndexTTS2's prints: joined by order, stages, RTF and audio length, a traceback's class
    /// as the code, an interrupted request.
    @Test func indexTTS2Prints() throws {
        let dir = TempDir()
        let path = dir.write("indextts2.log", Self.indexTTS2)
        try agree(path, total: 4, failed: 2, format: "indextts2")
        let s = try report([path])
        #expect(Set(s.errors.map(\.code)) == ["OutOfMemoryError", "INTERRUPTED"])
        #expect(s.latency.max == 5870 && s.latency.p50 == 2000, "failures have no measured duration")
        #expect(s.first == nil)
        // Stages are data: IndexTTS2's own, in report and live alike.
        #expect(s.stages.map(\.stage) == ["gpt_gen", "gpt_forward", "s2mel", "bigvgan"])
        #expect(s.stages.first?.count == 2 && s.stages.first?.p50 == 1000)
        let collector = LiveCollector(paths: [path])
        while collector.poll() {}
        #expect(collector.metrics.snapshot(window: .fifteenMinutes).stages.map(\.stage) == ["gpt_gen", "gpt_forward", "s2mel", "bigvgan"])
        let parser = LineParser(format: .indexTTS2, captureText: true)
        var records: [LogRecord] = []
        for line in Self.indexTTS2.split(separator: "\n") {
            if case .record(let r) = parser.parse(String(line)) { records.append(r) }
        }
        let first = records.filter { $0.id?.hasSuffix("-1") == true }
        #expect(first.compactMap(\.stageName) == ["gpt_gen", "gpt_forward", "s2mel", "bigvgan"])
        #expect(first.last?.audioMs == 7120 && first.last?.rtfTenThousandths == 8244)
        #expect(records.last?.rtfTenThousandths == 5000 && records.last?.durationMs == 2000)
        #expect(Set(records.compactMap(\.id)).count == 4 && records.allSatisfy { $0.id.map(isValidRequestID) ?? true })
    }
}

/// RTF and audio seconds (#16): printed by the log, or computed from the duration and the
/// audio length; in report, live snapshots and the SlowerThanRealTime rule.
@Suite struct RealTimeFactorTests {
    @Test func reportAndLiveCarryRTFAndAudio() throws {
        let dir = TempDir()
        let path = dir.write("indextts2.log", RealFormatsTests.indexTTS2)
        let s = try report([path])
        #expect(s.rtf?.p50 == 0.5 && s.rtf?.max == 0.8244)
        #expect(s.audioSeconds == 11.12)
        let json = s.json.serialized()
        #expect(json.contains(#""rtf": {"p50": 0.5, "p95": 0.8244, "p99": 0.8244, "max": 0.8244}"#))
        #expect(json.contains(#""audio_seconds": {"total": 11.12}"#))
        let collector = LiveCollector(paths: [path])
        while collector.poll() {}
        let snap = collector.metrics.snapshot(window: .oneMinute)
        #expect(snap.audioSeconds == 11.12)
        #expect((snap.rtf?.max ?? 0) == 0.8244 && (snap.rtf?.p50 ?? 0) >= 0.5 && (snap.rtf?.p50 ?? 9) <= 0.52)
        // No request carries one: null, not zero.
        let plain = dir.write("plain.log", "2024-06-12 14:22:37,892 - tts - INFO - synthesis_complete: id=ts_1, status=success, duration_ms=523\n")
        #expect(try report([plain]).json.serialized().contains(#""rtf": null, "audio_seconds": null"#))
    }

    /// Seven minutes at RTF 1.2 (duration ÷ audio, as a router writes them): the rule fires
    /// after its 5 minutes, in report and live alike; at 0.6 it never does.
    @Test(arguments: [(1200, true), (600, false)])
    func slowerThanRealTimeFires(durationMs: Int, fires: Bool) throws {
        let dir = TempDir()
        let start = LogTimestamp("2024-06-12 14:00:00,000")!
        let lines = (0..<420).map { i in
            "\(start.adding(milliseconds: Int64(i) * 1000).logText) - router - INFO - synthesis_complete: id=ts_\(i), status=success, duration_ms=\(durationMs), audio_ms=1000"
        }
        let path = dir.write("router.log", lines.joined(separator: "\n") + "\n")
        let s = try report([path])
        #expect(s.alerts.contains { $0.rule.name == "SlowerThanRealTime" } == fires)
        if fires { #expect(s.alerts.first { $0.rule.name == "SlowerThanRealTime" }?.start == start.adding(milliseconds: 300_000)) }
        let collector = LiveCollector(paths: [path])
        while collector.poll() {}
        let live = collector.metrics.snapshot(window: .fiveMinutes).alerts.first { $0.rule.name == "SlowerThanRealTime" }
        #expect((live?.state == .firing) == fires)
        #expect(PrometheusRules.expression(AlertRule.builtIn.first { $0.name == "SlowerThanRealTime" }!)
                == "histogram_quantile(0.95, sum by (instance, le) (rate(ttsmon_rtf_bucket[5m]))) >= 1")
    }
}
