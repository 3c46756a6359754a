import Foundation
import Testing
@testable import TTSMonCore
@testable import TTSMonUI

/// Every screen rendered to text (and a role map for colours) at 80×24 and 150×45, compared
/// with files under __Snapshots__; `RECORD_SNAPSHOTS=1 swift test` writes them anew.
@Suite struct DashboardSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")

    /// A fixed state built from a generated log with CJK texts, an incident and a failover.
    /// `stopWhenFiring`: stop feeding once that many alerts fire (mid-incident).
    static func state(stopWhenFiring: Int? = nil) throws -> (DashboardState, LiveMetrics) {
        let dir = NSTemporaryDirectory() + "ttsmon-ui-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = GeneratorOptions(outputDirectory: dir, requests: 2500)
        options.incident = true
        options.seed = 3
        _ = try LogGenerator.generate(options)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/app.log"))
        var metrics = LiveMetrics()
        let parser = LineParser(format: .indexTTS, captureText: true)
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        var offset: Int64 = 0
        for line in data.split(separator: 10, omittingEmptySubsequences: false) {
            let kind = Array(line).withUnsafeBufferPointer { parser.parse($0, into: &record) }
            metrics.add(kind, record, source: 0, file: "app.log", offset: offset)
            offset += Int64(line.count + 1)
            if let stopWhenFiring, metrics.alerts.firingCount >= stopWhenFiring { break }
        }
        var state = DashboardState(snapshot: metrics.snapshot(window: .fiveMinutes))
        state.clock = "12:00:00"
        state.sources = [SourceLine(name: "/var/log/tts/app.log", ageSeconds: 2, error: nil),
                         SourceLine(name: "/var/log/tts/standby.log", ageSeconds: 45, error: nil)]
        state.targets = [TargetLine(name: "main", active: false, up: false, latencyMs: nil, lastError: "synthesis: connection refused", ageSeconds: 3),
                         TargetLine(name: "standby", active: true, up: true, latencyMs: 412, lastError: nil, ageSeconds: 3)]
        state.latest = metrics.recentRequests(matching: nil, limit: 60)
        state.recentFailures = Array(metrics.recentRequests(matching: nil, limit: 500).filter { $0.status == .failed }.prefix(20))
        state.failoverTimeline = [FailoverSwitch(time: LogTimestamp("2024-06-12 08:03:10,000")!, from: "main", to: "standby",
                                                 reason: "main failed: synthesis: connection refused", origin: .probe)]
        return (state, metrics)
    }

    func check(_ grid: Grid, _ name: String) throws {
        let text = grid.text + "\n\n" + grid.roleMap + "\n"
        let file = Self.directory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        // A missing snapshot is a failure, not a silent first recording.
        guard FileManager.default.fileExists(atPath: file.path) else {
            Issue.record("snapshot \(name) is missing; RECORD_SNAPSHOTS=1 swift test records it")
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "snapshot \(name) differs; RECORD_SNAPSHOTS=1 to accept")
    }

    @Test func overviewAtBothSizes() throws {
        let (state, _) = try Self.state()
        for (w, h) in [(80, 24), (150, 45)] {
            let grid = DashboardView.render(state, width: w, height: h)
            try check(grid, "overview-\(w)x\(h)")
            #expect(grid.text.contains("p95"))
            #expect(grid.text.contains("MODEL_LOAD_TIMEOUT") || grid.text.contains("SCIPY_FFT_INVALID"))
            #expect(grid.text.split(separator: "\n").contains { $0.contains("● standby") && $0.contains("active") })
        }
    }

    /// The Resources panel (#20): the host, a busy process with its charts, one that is gone, a
    /// saturated GPU; its alert marks the panel.
    @Test func overviewWithResources() throws {
        var (state, _) = try Self.state()
        var busy = ResourceFigures.Process(name: "uvicorn", pid: 4242, cpuPercent: 97.5, rssMB: 2150, rssGrowthMBPerHour: 312,
                                           threads: 24, fds: 61)
        busy.recentCPU = (0..<60).map { 60 + Double($0 % 7) * 6 }
        busy.recentRSS = (0..<60).map { 2000 + Double($0) * 2.5 }
        state.resources = ResourceFigures(
            host: .init(cpuPercent: 83.4, load1: 3.12, memoryUsedPercent: 71.9),
            processes: [busy, ResourceFigures.Process(name: ":8001")],
            gpus: [ResourceFigures.GPU(index: 0, utilPercent: 98, memoryUsedMB: 15235, memoryTotalMB: 16384),
                   ResourceFigures.GPU(index: 1, utilPercent: 12, memoryUsedMB: 401, memoryTotalMB: 16384)])
        for (w, h) in [(80, 24), (150, 45)] {
            let grid = DashboardView.render(state, width: w, height: h)
            try check(grid, "overview-resources-\(w)x\(h)")
            #expect(grid.text.contains("host cpu 83.4%") && grid.text.contains("uvicorn  cpu 97.5%  rss 2150 MB"))
            // 80×24 has rows for the host and the first process; 150×45 for all of it.
            if w == 150 {
                #expect(grid.text.contains("rss 2150 MB  +312 MB/h") && grid.text.contains(":8001  gone"))
                #expect(grid.text.contains("98.0%  mem ") && grid.text.contains(" 14.9/16.0G") && grid.text.contains("GPU1"))
            }
        }
        // Zoomed, a process line has room for everything.
        var zoomed = state
        zoomed.focus = .resources
        _ = DashboardController.handle("z", state: &zoomed)
        #expect(DashboardView.render(zoomed, width: 150, height: 45).text.contains("+312 MB/h  thr 24  fd 61  pid 4242"))
        // Tab reaches the panel only when it is there.
        var s = state
        var seen = Set<Panel>()
        for _ in 0..<12 { _ = DashboardController.handle("tab", state: &s); seen.insert(s.focus) }
        #expect(seen.contains(.resources))
        s.resources = nil
        seen = []
        for _ in 0..<12 { _ = DashboardController.handle("tab", state: &s); seen.insert(s.focus) }
        #expect(!seen.contains(.resources))
    }

    /// With few events, the newest requests fill the rows under them (150×45 only): time, id,
    /// duration and its bar, outcome, the text's start.
    @Test func latestRequestsUnderFewEvents() throws {
        var (state, metrics) = try Self.state()
        state.snapshot.signals = []
        state.snapshot.failovers = []
        state.snapshot.errors = []
        state.latest = metrics.recentRequests(matching: nil, limit: 60)
        let events = EventRows.of(state)
        let grid = DashboardView.render(state, width: 150, height: 45)
        try check(grid, "overview-latest-150x45")
        let text = grid.text
        try #require(events.count < 20, "few events: \(events.count)")
        #expect(text.contains("Latest requests"))
        let newest = try #require(state.latest.first)
        #expect(text.contains(String(newest.id.prefix(12))))
        #expect(text.contains(" ok ") || text.contains(newest.errorCode ?? "-"))
        #expect(!DashboardView.render(state, width: 80, height: 24).text.contains("Latest requests"))
        var none = state
        none.latest = []
        #expect(!DashboardView.render(none, width: 150, height: 45).text.contains("Latest requests"))
    }

    /// Under the error codes, the newest failed requests (time, id, code, duration), above the
    /// error-rate chart; none when nothing failed.
    @Test func latestFailuresUnderTheErrorCodes() throws {
        var (state, _) = try Self.state()
        state.snapshot.errors = Array(state.snapshot.errors.prefix(2))
        let failure = try #require(state.recentFailures.first)
        let grid = DashboardView.render(state, width: 150, height: 45)
        try check(grid, "overview-failures-150x45")
        let text = grid.text
        #expect(text.contains("latest failures") && text.contains(String(failure.id.prefix(12))) && text.contains("error rate"))
        var none = state
        none.recentFailures = []
        #expect(!DashboardView.render(none, width: 150, height: 45).text.contains("latest failures"))
    }

    /// IndexTTS2's prints under CRI (their times from the wrapper): its own stages in the
    /// Stages panel and an RTF line in the Latency panel.
    @Test func overviewOfIndexTTS2Prints() throws {
        let prints = [">> starting inference...", ">> gpt_gen_time: 3.21 seconds", ">> gpt_forward_time: 0.45 seconds",
                      ">> s2mel_time: 0.87 seconds", ">> bigvgan_time: 0.33 seconds", ">> Total inference time: 5.87 seconds",
                      ">> Generated audio length: 7.12 seconds", ">> RTF: 0.8244"]
        let format = LogFormat.indexTTS2.wrapped(in: .cri)
        let parser = LineParser(format: format, captureText: true)
        var metrics = LiveMetrics()
        metrics.setFormat(format, source: 0)
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        for request in 0..<30 {
            for (i, line) in prints.enumerated() {
                let second = request * 10 + i
                let wrapped = String(format: "2025-09-14T03:%02d:%02d.000000000Z stdout F ", second / 60, second % 60) + line
                let kind = Array(wrapped.utf8).withUnsafeBufferPointer { parser.parse($0, into: &record) }
                metrics.add(kind, record, source: 0, file: "tts.log", offset: 0)
            }
        }
        var state = DashboardState(snapshot: metrics.snapshot(window: .fiveMinutes))
        state.clock = "12:00:00"
        state.sources = [SourceLine(name: "/var/log/pods/tts/indextts2.log", ageSeconds: 2, error: nil)]
        for (w, h) in [(80, 24), (150, 45)] {
            let grid = DashboardView.render(state, width: w, height: h)
            try check(grid, "overview-indextts2-\(w)x\(h)")
            #expect(grid.text.contains("gpt_gen") && grid.text.contains("bigvgan"))
        }
        #expect(DashboardView.render(state, width: 150, height: 45).text.contains("RTF p50 0.824"))
    }

    @Test func overviewWithAlerts() throws {
        var (state, _) = try Self.state(stopWhenFiring: 2)
        let alerts = state.snapshot.alerts
        #expect(alerts.filter { $0.state == .firing }.count == 2)
        // Acknowledge the first firing alert with `a`, then select the second in the strip.
        let effects = DashboardController.handle("a", state: &state)
        #expect(effects == [.acknowledge(alerts[0].ackKey)])
        state.focus = .alerts
        state.selectedRow = 2
        for (w, h) in [(80, 24), (150, 45)] {
            let grid = DashboardView.render(state, width: w, height: h)
            try check(grid, "overview-alerts-\(w)x\(h)")
            let lines = grid.text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines[0].contains("⚠ 1 firing (1 acked)"))
            #expect(lines[1].contains(alerts[0].name) && lines[1].contains("(acked)"))
            // The strip's firing alerts use the alert colour; the panels they read get a red border.
            let roles = grid.roleMap.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(roles[1].contains("f"))
        }
        // Enter on a latency or cache alert focuses its panel; on an error alert it lists examples.
        for (i, alert) in alerts.enumerated() {
            var s = state
            s.selectedRow = i
            let effects = DashboardController.handle("enter", state: &s)
            if alert.panel == .errors { #expect(effects == [.refreshList]); #expect(s.route == .errors(code: s.snapshot.errors[0].code)) }
            else { #expect(s.focus == alert.panel); #expect(s.route == .overview) }
        }
    }

    @Test func splitViewPerSource() throws {
        var (state, metrics) = try Self.state()
        // A second source: a ChatTTS log of another seed, in its own metrics.
        let dir = NSTemporaryDirectory() + "ttsmon-ui-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = GeneratorOptions(outputDirectory: dir, requests: 1500)
        options.seed = 9
        options.format = .chatTTS
        _ = try LogGenerator.generate(options)
        var standby = LiveMetrics()
        standby.setFormat(.chatTTS, source: 0)
        let parser = LineParser(format: .chatTTS)
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        for line in try Data(contentsOf: URL(fileURLWithPath: dir + "/app.log")).split(separator: 10) {
            let kind = Array(line).withUnsafeBufferPointer { parser.parse($0, into: &record) }
            standby.add(kind, record, source: 0, file: "standby.log", offset: 0)
        }
        // `v` splits (there are two sources), `v` again merges.
        #expect(DashboardController.handle("v", state: &state) == [.refreshSplit])
        #expect(state.split)
        state.splitColumns = [
            SplitColumn(name: "/var/log/tts/router.log", format: "indextts", snapshot: LiveMetrics().snapshot(window: .fiveMinutes)),
            SplitColumn(name: "/var/log/tts/app.log", format: "indextts", snapshot: metrics.snapshot(window: .fiveMinutes)),
            SplitColumn(name: "/var/log/tts/standby.log", format: "chattts", snapshot: standby.snapshot(window: .fiveMinutes)),
        ]
        for (w, h) in [(80, 24), (150, 45)] {
            let grid = DashboardView.render(state, width: w, height: h)
            try check(grid, "split-\(w)x\(h)")
            let text = grid.text
            // Sources with requests come first: app.log beside standby.log; the empty router log after.
            #expect(text.contains("app.log · indextts") && text.contains("standby.log · chattts"))
            #expect(text.components(separatedBy: "QPS").count - 1 == (w >= 3 * SplitView.minimumColumnWidth ? 3 : 2))
            // The ChatTTS source names its GPUs: a row each (#20, seed 002).
            if w == 150 { #expect(text.contains("Failed by GPU") && text.contains("GPU0") && text.contains("GPU1")) }
        }
        // Processes named after a source (`--process standby=:8001`) show in its column.
        var named = state
        named.resources = ResourceFigures(processes: [ResourceFigures.Process(name: "standby", pid: 77, cpuPercent: 12, rssMB: 300),
                                                      ResourceFigures.Process(name: "other", pid: 78, cpuPercent: 1, rssMB: 10)])
        let columns = DashboardView.render(named, width: 150, height: 45).text.split(separator: "\n")
        let row = try #require(columns.first { $0.contains("standby  cpu 12.0%  rss 300 MB") }.map(String.init))
        let standbyColumn = try #require(columns.first { $0.contains("standby.log · chattts") }.map(String.init))
        #expect(row.distance(from: row.startIndex, to: row.range(of: "standby  cpu")!.lowerBound)
                > standbyColumn.distance(from: standbyColumn.startIndex, to: standbyColumn.range(of: "standby.log")!.lowerBound) - 3,
                "under the standby column")
        #expect(!columns.contains { $0.contains("other  cpu") }, "a process of no source stays out of the split view")
        _ = DashboardController.handle("v", state: &state)
        #expect(!state.split)
        var single = DashboardState(snapshot: state.snapshot)
        single.sources = [SourceLine(name: "app.log", ageSeconds: 1, error: nil)]
        #expect(DashboardController.handle("v", state: &single).isEmpty)
        #expect(single.status == "split view needs two or more logs or instances")
    }

    @Test func requestViewWithCJKLinesUp() throws {
        var (state, metrics) = try Self.state()
        let recent = metrics.recentRequests(matching: "今天", limit: 5)
        #expect(!recent.isEmpty)
        let id = recent[0].id
        let record = LogRecord(time: recent[0].time)
        _ = record
        // A trace built the way the dashboard gets it: records of the request.
        let lines = [
            "2024-06-12 08:00:00,000 - app.tts_engine - INFO - synthesis_start: id=\(id), text=\"今天天气真好🎉\", lang=zh, voice=female, cache_hit=false",
            "2024-06-12 08:00:00,010 - app.tts_engine - INFO - stage_time: stage=text_normalize, id=\(id), duration_ms=10",
            "2024-06-12 08:00:00,030 - app.tts_engine - INFO - stage_time: stage=llm_prompt_gen, id=\(id), duration_ms=20",
            "2024-06-12 08:00:00,513 - app.tts_engine - INFO - stage_time: stage=llm_inference, id=\(id), duration_ms=483",
            "2024-06-12 08:00:00,540 - app.tts_engine - ERROR - synthesis_failed: id=\(id), error_code=SCIPY_FFT_INVALID",
            "2024-06-12 08:00:00,541 - app.tts_engine - INFO - synthesis_complete: id=\(id), status=failed, duration_ms=541, model_stage=llm_postproc",
        ]
        let parser = LineParser(format: .indexTTS, captureText: true)
        let found = lines.enumerated().map { i, l -> RequestTrace.Found in
            var r: LogRecord?
            if case .record(let rec) = parser.parse(l) { r = rec }
            return RequestTrace.Found(file: "app.log.3.gz", offset: Int64(i), line: l, record: r)
        }
        state.trace = RequestTrace(id: id, records: found)
        state.routes = [.overview, .request(id: id)]
        for (w, h) in [(80, 24), (150, 45)] {
            let grid = DashboardView.render(state, width: w, height: h)
            try check(grid, "request-\(w)x\(h)")
            #expect(grid.text.contains("llm_postproc"))
            #expect(grid.text.contains("SCIPY_FFT_INVALID"))
        }
        // Wide characters take two cells: the closing quote lands where display width says.
        let grid = DashboardView.render(state, width: 150, height: 45)
        let row = (0..<45).first { y in (0..<150).contains { grid[$0, y].text == "今" } }!
        let start = (0..<150).first { grid[$0, row].text == "今" }!
        #expect(grid[start + 1, row].text == "")
        #expect(grid[start + 2, row].text == "天")
        #expect(grid[start + 12, row].text == "🎉")
        #expect(grid[start + 14, row].text == "”")
    }

    @Test func listHelpPromptAndTooSmall() throws {
        var (state, metrics) = try Self.state()
        state.routes = [.overview, .search(query: "今天")]
        state.list = metrics.recentRequests(matching: "今天", limit: 50)
        state.selectedRow = 1
        try check(DashboardView.render(state, width: 150, height: 45), "search-150x45")
        state.routes = [.overview]
        state.helpVisible = true
        let help = DashboardView.render(state, width: 80, height: 24)
        try check(help, "help-80x24")
        // Taller than 24 rows: the overlay scrolls, and scrolling shows every key.
        var seen = help.text
        for step in 1...4 { state.helpScroll = step * 8; seen += DashboardView.render(state, width: 80, height: 24).text }
        state.helpScroll = 0
        for binding in Keymap.standard { #expect(seen.contains(binding.help.prefix(20)), "help lists \(binding.label)") }
        state.helpVisible = false
        state.prompt = "ts_7f3a"
        #expect(DashboardView.render(state, width: 80, height: 24).text.contains("find request id or text: ts_7f3a"))
        let small = DashboardView.render(state, width: 50, height: 12)
        #expect(small.text.contains("terminal too small"))
        _ = DashboardView.render(state, width: 0, height: 0)
        _ = DashboardView.render(state, width: 1, height: 1)
        _ = metrics
    }

    @Test func hostileTextNeverReachesTheGrid() {
        var grid = Grid(width: 40, height: 2)
        grid.put("a\u{1B}]0;pwned\u{07}b\u{9B}31m\u{0}c", x: 0, y: 0)
        #expect(grid.text.hasPrefix("ab31mc"))
        #expect(!grid.cells.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) } })
    }

    @Test func asciiFallback() {
        #expect(Glyphs.asciiFallback("─") == "-")
        #expect(Glyphs.asciiFallback("今") == "??")
        #expect(Glyphs.asciiFallback("a") == "a")
        #expect(Glyphs.asciiFallback("▇") == "*")
    }
}

/// Issue 18: `z` zooms the focused panel to the whole screen; ←/→ move a time cursor whose
/// moment's figures show above the charts; Enter lists that moment's requests, slowest first.
@Suite struct ZoomTests {
    @Test func zoomCursorAndTheMomentsRequests() throws {
        var (state, metrics) = try DashboardSnapshotTests.state()
        state.focus = .latency
        _ = DashboardController.handle("z", state: &state)
        #expect(state.route == .zoom(panel: .latency))
        for (w, h) in [(80, 24), (150, 45)] {
            let grid = DashboardView.render(state, width: w, height: h)
            try DashboardSnapshotTests().check(grid, "zoom-latency-\(w)x\(h)")
            #expect(grid.text.contains("Latency heatmap") && grid.text.contains("place a time cursor"))
        }
        #expect(DashboardController.handle("enter", state: &state).isEmpty, "no cursor yet: nothing to list")
        _ = DashboardController.handle("left", state: &state)          // the newest slot
        for _ in 0..<3 { _ = DashboardController.handle("left", state: &state) }
        let slot = try #require(state.cursorSlot)
        #expect(slot == state.snapshot.okSeries.count - 1 - 3 * (state.snapshot.okSeries.count / 60))
        let grid = DashboardView.render(state, width: 150, height: 45)
        try DashboardSnapshotTests().check(grid, "zoom-latency-cursor-150x45")
        let line = try #require(grid.text.split(separator: "\n").first { $0.contains("▶ ") && $0.contains("requests") })
        let span = try #require(DashboardController.cursorSpan(state))
        let listed = metrics.requests(completedFrom: span.from, seconds: span.seconds, limit: 500)
        #expect(line.contains("\(listed.count) requests"), "\(line) vs \(listed.count) indexed")
        #expect(listed.map { $0.durationMs ?? -1 } == listed.map { $0.durationMs ?? -1 }.sorted(by: >), "slowest first")
        #expect(listed.allSatisfy { $0.time >= span.from && $0.time < span.from.adding(milliseconds: Int64(span.seconds) * 1000) })
        #expect(DashboardController.handle("enter", state: &state) == [.refreshList])
        guard case .moment(let from, let seconds) = state.route else { Issue.record("not the moment's list: \(state.route)"); return }
        #expect(from == span.from && seconds == span.seconds)
        DashboardController.apply(list: listed, to: &state)
        let list = DashboardView.render(state, width: 150, height: 45).text
        #expect(list.contains("slowest first"))
        _ = DashboardController.handle("esc", state: &state)
        _ = DashboardController.handle("esc", state: &state)
        #expect(state.route == .overview)
    }

    /// The Errors panel zoomed on a small terminal: codes, the text-length breakdown and, in the
    /// rows they leave, the error rate chart with its alert line.
    @Test func zoomedErrorsChartTheirRate() throws {
        var (state, _) = try DashboardSnapshotTests.state()
        state.focus = .errors
        _ = DashboardController.handle("z", state: &state)
        let grid = DashboardView.render(state, width: 80, height: 24)
        try DashboardSnapshotTests().check(grid, "zoom-errors-80x24")
        #expect(grid.text.contains("error rate") && grid.text.contains("of 2204"))
    }
}
