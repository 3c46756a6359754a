import Testing
@testable import TTSMonCore

/// Seed 000's own lines and the rules of issue 3 for each event.
@Suite struct LineParserTests {
    let parser = LineParser(format: .indexTTS, captureText: true)

    func record(_ line: String) throws -> LogRecord {
        guard case .record(let r) = parser.parse(line) else {
            Issue.record("not a record: \(line)")
            throw CancellationError()
        }
        return r
    }

    func isMalformed(_ line: String) -> Bool {
        if case .malformed = parser.parse(line) { return true }
        return false
    }

    @Test func statusWordConstantsMatchTheirText() {
        #expect(LineParser.successWord == ByteSpan.word(of: "success"))
        #expect(LineParser.okWord == ByteSpan.word(of: "ok"))
        #expect(LineParser.okUpperWord == ByteSpan.word(of: "OK"))
        #expect(LineParser.failedWord == ByteSpan.word(of: "failed"))
        #expect(LineParser.errorWord == ByteSpan.word(of: "error"))
        #expect(LineParser.failureWord == ByteSpan.word(of: "failure"))
    }

    /// Every built-in key, event and stage table hashes without collisions (one probe per
    /// lookup), and still finds what it holds and nothing else.
    @Test func builtInKeyTablesArePerfect() {
        for format in LogFormat.all {
            let keys = KeyTable(format.keys), events = KeyTable(format.events)
            #expect(keys.perfect && events.perfect, "\(format.name)")
            for (key, field) in format.keys {
                var k = key
                #expect(k.withUTF8 { keys.lookup($0) } == field)
            }
            var unknown = "spectral_centroid_x"
            #expect(unknown.withUTF8 { keys.lookup($0) } == nil)
        }
        let stages = KeyTable(Dictionary(uniqueKeysWithValues: PipelineStage.allCases.map { ($0.name, $0) }))
        #expect(stages.perfect)
    }

    @Test func synthesisStartFromSeed() throws {
        let r = try record(#"2024-06-12 14:22:37,892 - app.tts_engine - INFO - synthesis_start: id=ts_7f3a2b1c, text="今天天气真好", lang=zh, voice=alloy, duration_ms=0, cache_hit=false"#)
        #expect(r.time.logText == "2024-06-12 14:22:37,892")
        #expect(r.level == .info)
        #expect(r.event == .synthesisStart)
        #expect(r.id == "ts_7f3a2b1c")
        #expect(r.text == "今天天气真好")
        #expect(r.textLen == 6)
        #expect(r.lang == "zh")
        #expect(r.voice == "alloy")
        #expect(r.cacheHit == false)
    }

    @Test func quotedTextWithCommasEqualsEscapesAndEmoji() throws {
        let r = try record(#"2024-06-12 14:22:37,892 - app.tts_engine - INFO - synthesis_start: id=ts_1, text="He said \"hi, there\" = ok, 好🎉", voice=female, cache_hit=true"#)
        #expect(r.text == #"He said "hi, there" = ok, 好🎉"#)
        #expect(r.textLen == 28)
        #expect(r.voice == "female")
        #expect(r.cacheHit == true)
    }

    @Test func scalarCountMatchesTheStringAtEveryLengthAndAlignment() {
        let pieces = ["a", "好", "🎉", "é", " ", "Ω", "z9"]
        var text = ""
        for step in 0..<60 {
            text += pieces[step % pieces.count]
            var copy = text
            let counted = copy.withUTF8 { LineParser.scalarCount($0) }
            #expect(counted == text.unicodeScalars.count, "\(text)")
        }
    }

    @Test func explicitTextLenWins() throws {
        let r = try record(#"2024-06-12 14:22:37,892 - app.tts_engine - INFO - synthesis_start: id=ts_1, text_len=86, text="短""#)
        #expect(r.textLen == 86)
    }

    @Test func stageTimeAndComplete() throws {
        let s = try record("2024-06-12 14:22:38,010 - app.tts_engine - INFO - stage_time: stage=llm_inference, id=ts_7f3a2b1c, duration_ms=483")
        #expect(s.event == .stageTime)
        #expect(s.stage == .llmInference)
        #expect(s.durationMs == 483)
        let c = try record("2024-06-12 14:22:38,415 - app.tts_engine - INFO - synthesis_complete: id=ts_7f3a2b1c, status=success, duration_ms=523, audio_size_kb=124, cache_saved=true, model_stage=llm_postproc")
        #expect(c.event == .synthesisComplete)
        #expect(c.status == .success)
        #expect(c.durationMs == 523)
        #expect(c.audioSizeKB == 124)
        #expect(c.modelStage == "llm_postproc")
        let f = try record("2024-06-12 14:22:38,106 - app.tts_engine - INFO - synthesis_complete: id=ts_a1b2c3d4, status=failed, duration_ms=214, error_code=SCIPY_FFT_INVALID")
        #expect(f.status == .failed)
        #expect(f.errorCode == "SCIPY_FFT_INVALID")
    }

    @Test func synthesisFailedWithTrailingMessage() throws {
        let r = try record("2024-06-12 14:22:38,105 - app.tts_engine - ERROR - synthesis_failed: id=ts_a1b2c3d4, error_code=SCIPY_FFT_INVALID, Invalid input to scipy.fft")
        #expect(r.level == .error)
        #expect(r.event == .synthesisFailed)
        #expect(r.errorCode == "SCIPY_FFT_INVALID")
    }

    @Test func cacheReadings() throws {
        let u = try record("2024-06-12 10:05:11,203 - app.cache - WARNING - cache_dir_usage: path=/app/cache, used_percent=92.7, threshold=90.0, action=warn")
        #expect(u.event == .cacheUsage)
        #expect(u.usedPercent == 92.7)
        #expect(u.threshold == 90.0)
        #expect(u.isEarlySignal)
        let h = try record("2024-06-12 10:10:11,203 - app.cache - WARNING - cache_health: path=/app/cache, used=9300MB, total=10000MB, usage=93.0%")
        #expect(h.event == .cacheHealth)
        #expect(h.usedPercent == 93.0)
    }

    @Test func routerSwitches() throws {
        let down = try record("2024-06-12 14:30:00,001 - tts.router - WARNING - main instance failed, switching to standby")
        #expect(down.event == .failover)
        #expect(down.failoverFrom == "main")
        #expect(down.failoverTo == "standby")
        #expect(down.message == "main instance failed, switching to standby")
        let back = try record("2024-06-12 14:41:00,001 - tts.router - INFO - manual failback requested, switching to main")
        #expect(back.failoverTo == "main")
        #expect(back.failoverFrom == nil)
    }

    @Test func earlySignals() throws {
        let r = try record("2024-06-12 14:22:39,000 - app.tts_engine - WARNING - synthesis_warning: id=ts_1, warning_code=TEXT_CONTROL_CHARS, fallback_used=true")
        #expect(r.warningCode == "TEXT_CONTROL_CHARS")
        #expect(r.fallbackUsed)
        #expect(r.isEarlySignal)
    }

    @Test func otherIdForms() throws {
        for id in ["req-2024.06.12:0001", "A_b-9", "x"] {
            let r = try record("2024-06-12 14:22:38,415 - app - INFO - synthesis_complete: id=\(id), status=success, duration_ms=5")
            #expect(r.id == id)
        }
    }

    @Test func crlfIsAccepted() throws {
        let r = try record("2024-06-12 14:22:38,415 - app - INFO - synthesis_complete: id=ts_1, status=success, duration_ms=5\r")
        #expect(r.durationMs == 5)
        #expect(r.status == .success)
    }

    @Test func malformedLines() {
        #expect(isMalformed("2024-13-45 99:99:99,999 - app.tts_engine - INFO - synthesis_complete: id=ts_bad00001, status=success, duration_ms=5"))
        #expect(isMalformed("2024-06-12 14:22:38,106 - app - INFO - synthesis_complete: id=, status=success, duration_ms=5"))
        #expect(isMalformed("2024-06-12 14:22:38,106 - app - INFO - synthesis_complete: id=ts_1, status=success, duration_ms=abc"))
        #expect(isMalformed("2024-06-12 14:22:38,106 - app - INFO - stage_time: stage=, id=ts_1, duration_ms=4"))
        #expect(isMalformed("2024-06-12 14:22:38,106 - app - INFO - synthesis_complete: id=ts 1, status=success, duration_ms=5"))
        #expect(isMalformed("2024-06-12 14:22:38,106 - app - WARNING - cache_dir_usage: used_percent=lots"))
        var nul = Array("2024-06-12 14:22:38,106 - app - INFO - synthesis_complete: id=ts_1, status=success, duration_ms=5".utf8)
        nul[60] = 0
        #expect(nul.withUnsafeBufferPointer { if case .malformed = parser.parse($0) { return true } else { return false } })
        var invalid = Array("2024-06-12 14:22:38,106 - app - INFO - synthesis_start: id=ts_1, text=\"".utf8)
        invalid += [0xC3, 0x28, 0xFF, 34]
        #expect(invalid.withUnsafeBufferPointer { if case .malformed = parser.parse($0) { return true } else { return false } })
    }

    @Test func linesWithoutTimestamp() {
        for line in ["Traceback (most recent call last):", "", "  File \"x.py\", line 3", "\u{1B}]0;pwned\u{07}"] {
            if case .noTimestamp = parser.parse(line) {} else { Issue.record("expected noTimestamp: \(line)") }
        }
    }

    @Test func chatTTSLines() throws {
        let p = LineParser(format: .chatTTS, captureText: true)
        guard case .record(let ok) = p.parse("2024-06-12 14:22:38,415 | 9f8e7d6c5b4a | OK | 523ms | 86 | 0 | -") else {
            Issue.record("ok line"); return
        }
        #expect(ok.event == .synthesisComplete)
        #expect(ok.status == .success)
        #expect(ok.durationMs == 523)
        #expect(ok.textLen == 86)
        guard case .record(let bad) = p.parse("2024-06-12 14:22:39,001 | 1a2b | 500 | 4300ms | 912 | 1 | Traceback: RuntimeError | pool exhausted") else {
            Issue.record("500 line"); return
        }
        #expect(bad.status == .failed)
        #expect(bad.errorCode == "500")
        #expect(bad.isServerError)
        #expect(bad.message == "Traceback: RuntimeError | pool exhausted")
        guard case .record(let zero) = p.parse("2024-06-12 14:22:39,001 | 1a2c | 0 | 40ms | 9 | 1 | -") else { return }
        #expect(zero.status == .success)
        if case .malformed = p.parse("2024-06-12 14:22:39,001 | 1a2c | 0 | slow | 9 | 1 | -") {} else { Issue.record("bad cost") }
    }

    @Test func jsonLines() throws {
        let p = LineParser(format: .jsonLines, captureText: true)
        guard case .record(let r) = p.parse(#"{"time": "2024-06-12 14:22:37,892", "level": "INFO", "event": "synthesis_start", "id": "ts_7f3a2b1c", "text": "今天\"天气\"", "lang": "zh", "cache_hit": false, "extra": {"a": [1, 2]}}"#) else {
            Issue.record("json start"); return
        }
        #expect(r.event == .synthesisStart)
        #expect(r.text == "今天\"天气\"")
        #expect(r.textLen == 6)
        #expect(r.cacheHit == false)
        guard case .record(let c) = p.parse(#"{"time": "2024-06-12 14:22:38,415", "level": "INFO", "event": "synthesis_complete", "id": "ts_7f3a2b1c", "status": "failed", "duration_ms": 523, "error_code": "TEXT_EMPTY"}"#) else {
            Issue.record("json complete"); return
        }
        #expect(c.durationMs == 523)
        #expect(c.errorCode == "TEXT_EMPTY")
        if case .malformed = p.parse(#"{"time": "2024-06-12 14:22:38,415", "event": "synthesis_complete", "id": "", "status": "success", "duration_ms": 5}"#) {} else { Issue.record("empty id") }
        if case .malformed = p.parse(#"{"time": "2024-06-12 14:22:38,415", "event": "#) {} else { Issue.record("cut json") }
    }

    @Test func detectsFormats() {
        func lines(_ s: [String]) -> [[UInt8]] { s.map { Array($0.utf8) } }
        #expect(LogFormat.detect(firstLines: lines(["2024-06-12 14:22:38,415 | 9f8e | OK | 523ms | 86 | 0 | -"])).name == "chattts")
        #expect(LogFormat.detect(firstLines: lines([#"{"time": "2024-06-12 14:22:38,415", "event": "x"}"#])).name == "jsonl")
        #expect(LogFormat.detect(firstLines: lines(["2024-06-12 14:22:38,415 - app - INFO - started"])).name == "indextts")
        #expect(LogFormat.detect(firstLines: []).name == "indextts")
    }
}

/// Packed request keys equal a plain zero-padded copy of the id's bytes, for every length.
@Suite struct RequestKeyTests {
    @Test func packingMatchesAZeroPaddedCopy() {
        var rng = SystemRandomNumberGenerator()
        for n in 1...24 {
            for _ in 0..<50 {
                let bytes = (0..<n).map { _ in UInt8.random(in: 33...126, using: &rng) }
                let key = bytes.withUnsafeBufferPointer { RequestKey(bytes: $0) }
                var padded = bytes + [UInt8](repeating: 0, count: 24 - n)
                let words = padded.withUnsafeMutableBytes { raw in
                    (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                     raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                }
                #expect(key.a == words.0 && key.b == words.1 && key.c == words.2 && key.length == n, "length \(n)")
            }
        }
        // Ids that differ only in their last byte stay different.
        #expect(RequestKey("ts_0000000a") != RequestKey("ts_0000000b"))
        #expect(RequestKey(String(repeating: "x", count: 30) + "1") != RequestKey(String(repeating: "x", count: 30) + "2"))
    }
}

/// The report's in-flight map behaves like a Dictionary under random inserts, updates and removals.
@Suite struct RequestKeyMapTests {
    @Test func matchesDictionary() {
        var rng = SystemRandomNumberGenerator()
        var map = RequestKeyMap<Int>()
        var reference: [RequestKey: Int] = [:]
        let ids = (0..<3000).map { RequestKey("ts_\(String($0, radix: 16))\($0 % 7 == 0 ? String(repeating: "x", count: 20) : "")") }
        for step in 0..<60_000 {
            let key = ids[Int.random(in: 0..<ids.count, using: &rng)]
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: map[key] = step; reference[key] = step
            case 1: #expect(map.removeValue(forKey: key) == reference.removeValue(forKey: key))
            default: map.update(key, default: 0) { $0 += 1 }; reference[key, default: 0] += 1
            }
            if step % 5000 == 0 { #expect(map.count == reference.count) }
        }
        for key in ids { #expect(map[key] == reference[key]) }
        #expect(Dictionary(uniqueKeysWithValues: map.map { ($0.key, $0.value) }) == reference)
    }
}
