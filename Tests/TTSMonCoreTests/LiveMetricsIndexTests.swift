import Testing
@testable import TTSMonCore

/// The bounded request index, memory bounds, JSON and replay of LiveMetrics.
extension LiveMetricsTests {
    @Test func indexLookupByIdTextAndCode() {
        var feed = Feed()
        feed.add(Self.start("ts_7f3a2b1c", 0, text: "今天天气真好，我们去公园散步吧", voice: "alloy"))
        let offset = feed.add(Self.complete("ts_7f3a2b1c", 0.5, ms: 523))
        feed.add(Self.start("ts_a1b2c3d4", 1, text: "Hello World", voice: "female"))
        feed.add(Self.complete("ts_a1b2c3d4", 1.2, ms: 214, code: "SCIPY_FFT_INVALID"))
        feed.add(Self.start("ts_00000003", 2, text: String(repeating: "语音合成", count: 50)))
        feed.add(Self.complete("ts_00000003", 2.5, ms: 900))
        let hit = try! #require(feed.metrics.indexedRequest(id: "ts_7f3a2b1c"))
        #expect(hit == RecentRequest(id: "ts_7f3a2b1c", time: Self.at(0.5), status: .success, durationMs: 523, errorCode: nil,
                                     textSnippet: "今天天气真好，我们去公园散步吧", voice: "alloy", source: 0, file: "app0.log", offset: offset))
        #expect(feed.metrics.indexedRequest(id: "ts_missing") == nil)
        #expect(feed.metrics.indexedRequest(id: "") == nil)
        #expect(feed.metrics.recentRequests(matching: "公园", limit: 10).map(\.id) == ["ts_7f3a2b1c"])
        #expect(feed.metrics.recentRequests(matching: "hello world", limit: 10).map(\.id) == ["ts_a1b2c3d4"])
        #expect(feed.metrics.recentRequests(matching: "FEMALE", limit: 10).map(\.id) == ["ts_a1b2c3d4"])
        #expect(feed.metrics.recentRequests(matching: "fft", limit: 10).map(\.id) == ["ts_a1b2c3d4"])
        #expect(feed.metrics.recentRequests(matching: "ts_00000003", limit: 10).map(\.id) == ["ts_00000003"])
        #expect(feed.metrics.recentRequests(matching: nil, code: "SCIPY_FFT_INVALID", limit: 10).map(\.id) == ["ts_a1b2c3d4"])
        #expect(feed.metrics.recentRequests(matching: nil, limit: 10).map(\.id) == ["ts_00000003", "ts_a1b2c3d4", "ts_7f3a2b1c"])
        #expect(feed.metrics.recentRequests(matching: "", limit: 2).count == 2)
        let long = try! #require(feed.metrics.indexedRequest(id: "ts_00000003")?.textSnippet)
        #expect(long.unicodeScalars.count == RecentRequest.snippetLength)
        #expect(long == String(repeating: "语音合成", count: 20))
        // Terminal escapes in a user's text or voice never reach the index.
        feed.add(Self.start("ts_esc", 3, text: "red \u{1B}[31malert\u{1B}[0m\u{202E}!", voice: "v\u{1B}[2J"))
        feed.add(Self.complete("ts_esc", 3.5, ms: 10))
        let esc = try! #require(feed.metrics.indexedRequest(id: "ts_esc"))
        #expect(esc.textSnippet == "red alert!")
        #expect(esc.voice == "v")
        #expect(RecentRequest.snippet(of: "纯文本") == "纯文本")
    }

    @Test func indexIsBoundedAndEvictsTheOldest() {
        var configuration = LiveMetrics.Configuration()
        configuration.recentRequests = 100
        var feed = Feed(configuration)
        for i in 0..<250 {
            feed.add(Self.start("ts_\(i)", Double(i) * 0.1, text: "text number \(i)"))
            feed.add(Self.complete("ts_\(i)", Double(i) * 0.1 + 0.05, ms: 100))
        }
        // A repeated id points at its newest entry and survives the eviction of the old one.
        feed.add(Self.complete("ts_120", 30, ms: 777))
        let f = feed.metrics.footprint
        #expect(f.indexedRequests == 100)
        #expect(f.indexedIds == 100)
        #expect(feed.metrics.indexedRequest(id: "ts_149") == nil)
        #expect(feed.metrics.indexedRequest(id: "ts_151")?.textSnippet == "text number 151")
        #expect(feed.metrics.indexedRequest(id: "ts_249") != nil)
        #expect(feed.metrics.indexedRequest(id: "ts_120")?.durationMs == 777)
        #expect(feed.metrics.recentRequests(matching: "text number", limit: 1000).count == 99)
    }

    // MARK: - Bounded memory

    @Test func pendingStartsTimeOut() {
        var configuration = LiveMetrics.Configuration()
        configuration.pendingTimeoutSeconds = 60
        var feed = Feed(configuration)
        feed.add(Self.start("ts_lost", 0, text: "never completes"))
        feed.add(Self.start("ts_slow", 50, text: "completes late", voice: "female"))
        #expect(feed.metrics.footprint.pending == 2)
        // Log time moves on to 100 s: the start at 0 s is over 60 s old, the one at 50 s is not.
        for s in stride(from: 51.0, through: 100, by: 1) { feed.add(Self.cache(s, percent: 50, level: "INFO")) }
        #expect(feed.metrics.footprint.pending == 1)
        #expect(feed.metrics.footprint.pendingEvicted == 1)
        feed.add(Self.complete("ts_slow", 100.5, ms: 50_000))
        #expect(feed.metrics.indexedRequest(id: "ts_slow")?.voice == "female")
        // The lost request's completion, long after: counted, but without its start's text.
        feed.add(Self.complete("ts_lost", 131, ms: 131_000))
        #expect(feed.metrics.indexedRequest(id: "ts_lost")?.textSnippet == nil)
        #expect(feed.metrics.footprint.pending == 0)
    }

    @Test func ringSizeStaysFixedOverTwoHours() throws {
        var configuration = LiveMetrics.Configuration()
        configuration.recentRequests = 1000
        var metrics = LiveMetrics(configuration: configuration)
        let parser = LineParser(format: .indexTTS, captureText: true)
        func parsed(_ line: String) throws -> LogRecord {
            guard case .record(let r) = parser.parse(line) else { throw CancellationError() }
            return r
        }
        var start = try parsed(Self.start("ts_00000000", 0))
        var stage = try parsed(Self.stage("ts_00000000", 0, "llm_inference", ms: 400))
        let done = try parsed(Self.complete("ts_00000000", 0, ms: 500))
        let failed = try parsed(Self.complete("ts_00000000", 0, ms: 500, code: "MODEL_LOAD_TIMEOUT"))
        var rng = LCG(state: 1)
        var offset: Int64 = 0
        var footprints: [LiveMetrics.Footprint] = []
        let perSecond = 50
        for second in 0..<(2 * 3600) {
            for k in 0..<perSecond {
                let id = "r\(second)_\(k)"
                let key = RequestKey(id)
                let t = Self.at(Double(second) + Double(k) / Double(perSecond))
                start.time = t; start.id = id; start.idKey = key
                metrics.add(.record, start, source: 0, file: "app.log", offset: offset); offset += 120
                stage.time = t; stage.idKey = key; stage.durationMs = 100 + rng.next(3000)
                metrics.add(.record, stage, source: 0, file: "app.log", offset: offset); offset += 90
                var c = k % 20 == 0 ? failed : done
                c.time = t.adding(milliseconds: 10); c.id = id; c.idKey = key; c.durationMs = 150 + rng.next(5000)
                metrics.add(.record, c, source: 0, file: "app.log", offset: offset); offset += 110
            }
            if second % 1800 == 1799 { footprints.append(metrics.footprint) }
        }
        #expect(metrics.totalRequests == 2 * 3600 * perSecond)
        #expect(metrics.lines.parsed == 3 * 2 * 3600 * perSecond)
        let last = try #require(footprints.last)
        #expect(last.countSlots == LiveMetrics.countRingSeconds)
        #expect(last.latencySlots == LiveMetrics.latencyRingSeconds)
        #expect(last.indexedRequests == 1000)
        #expect(last.pending == 0)
        // After the first half hour the sizes stop growing: every later footprint matches the
        // fixed parts exactly and the sparse parts stay within the same bounds.
        for f in footprints.dropFirst() {
            #expect(f.countSlots == last.countSlots && f.latencySlots == last.latencySlots)
            #expect(f.errorTallies <= LiveMetrics.countRingSeconds * 3)
            #expect(f.histogramEntries <= LiveMetrics.latencyRingSeconds * perSecond * 2)
            #expect(f.indexedIds == 1000)
        }
        let snap = metrics.snapshot(window: .fifteenMinutes)
        #expect(snap.requests.window == 900 * perSecond)
        #expect(snap.requests.qps == Double(perSecond))
        #expect(snap.errors.first?.code == "MODEL_LOAD_TIMEOUT")
        #expect(snap.errors.first?.trend == .flat)
        #expect(snap.stages.map(\.stage) == ["llm_inference"])
    }

    // MARK: - Output

    @Test func jsonKeyOrderAndNulls() {
        let empty = LiveMetrics().snapshot(window: .fiveMinutes).json
        guard case .object(let top) = empty else { Issue.record("not an object"); return }
        #expect(top.map(\.0) == ["time", "window", "requests", "latency_ms", "rtf", "audio_seconds", "errors", "stages", "cache",
                                 "failovers", "alerts", "signals", "lines", "by_text_length", "by_gpu"])
        func keys(_ v: JSONValue?) -> [String] { if case .object(let m)? = v { return m.map(\.0) }; return [] }
        #expect(keys(empty["requests"]).prefix(5) == ["total", "window", "success", "failed", "qps"])
        #expect(keys(empty["latency_ms"]).prefix(6) == ["p50", "p90", "p95", "p99", "max", "error_bound"])
        #expect(keys(empty["cache"]).prefix(4) == ["used_percent", "threshold", "slope_per_min", "full_in_s"])
        #expect(empty["time"] == .null)
        #expect(empty["window"] == .string("5m"))
        #expect(empty["latency_ms"]?["p95"] == .null)
        #expect(empty["latency_ms"]?["error_bound"] == .double(0.0078125))
        #expect(empty["cache"]?["slope_per_min"] == .null)
        #expect(empty["cache"]?["full_in_s"] == .null)
        #expect(empty["requests"]?["qps"] == .double(0))

        var feed = Feed()
        feed.add(lines: [
            Self.start("ts_1", 0), Self.stage("ts_1", 0.2, "llm_inference", ms: 480),
            Self.complete("ts_1", 0.5, ms: 523),
            Self.complete("ts_2", 1, ms: 3767, code: "MODEL_LOAD_TIMEOUT"),
            Self.cache(1.5, percent: 92.7),
            "\(Self.ts(2)) - tts.router - WARNING - main instance failed, switching to standby",
        ])
        let snap = feed.metrics.snapshot(window: .fiveMinutes)
        #expect(snap.requests.coveredSeconds == 3)   // 2 requests over the 3 s the log covers: 0.7/s
        let json = snap.json
        #expect(json["time"] == .string("2024-06-12 08:00:02,000"))
        #expect(json["errors"] == .array([.object([("code", .string("MODEL_LOAD_TIMEOUT")), ("count", .int(1)), ("share", .double(1)),
                                                  ("trend", .string("new")), ("previous", .int(0))])]))
        #expect(keys(json["stages"].flatMap { if case .array(let a) = $0 { return a.first }; return nil }) == ["stage", "p95", "count"])
        #expect(json["cache"]?["used_percent"] == .double(92.7))
        #expect(json["cache"]?["threshold"] == .double(90))
        #expect(json["failovers"] == .array([.object([("time", .string("2024-06-12 08:00:02,000")), ("from", .string("main")),
                                                     ("to", .string("standby")), ("message", .string("main instance failed, switching to standby"))])]))
        guard case .array(let signals)? = json["signals"], let signal = signals.first else { Issue.record("no signals"); return }
        #expect(keys(signal) == ["time", "kind", "detail", "id"])
        #expect(signal["id"] == .null)
        // The follower's sources go before "lines".
        guard case .object(let withSources) = snap.json(sources: .array([])) else { return }
        #expect(withSources.map(\.0).suffix(4) == ["sources", "lines", "by_text_length", "by_gpu"])
        #expect(snap.text == "08:00:02 5m 2 req 0.7/s p50 523ms p95 3.8s p99 3.8s err 50.0% top MODEL_LOAD_TIMEOUT(100%) cache 92.7% failovers 1 signals 1")
    }

    @Test func replayGivesTheSameFigures() {
        var a = Feed(), b = Feed()
        var lines: [String] = []
        for i in 0..<200 {
            lines.append(Self.start("ts_\(i)", Double(i)))
            lines.append(i % 7 == 0 ? Self.complete("ts_\(i)", Double(i) + 0.4, ms: 100 + i * 13, code: "TEXT_EMPTY")
                                    : Self.complete("ts_\(i)", Double(i) + 0.4, ms: 100 + i * 13))
        }
        a.add(lines: lines)
        b.add(lines: lines)
        #expect(a.metrics.snapshot(window: .oneMinute).json == b.metrics.snapshot(window: .oneMinute).json)
        #expect(a.metrics.snapshot(window: .oneMinute).text == b.metrics.snapshot(window: .oneMinute).text)
    }
}
