import Testing
@testable import TTSMonCore
@testable import TTSMonUI

/// Issue 15: keys arrive as keys, and every list and text view moves by line, page and end.
@Suite struct NavigationTests {
    func decode(_ text: String) -> EscapeSequence.Outcome { EscapeSequence.decode(Array(text.unicodeScalars)) }

    /// The sequences terminals (and tmux under any TERM) send are keys, never Esc + letters:
    /// `End` as Esc + `4` would press the demo's kill key.
    @Test func escapeSequencesAreKeys() {
        #expect(decode("[4~") == .key("end"))
        #expect(decode("[1~") == .key("home"))
        #expect(decode("[F") == .key("end"))
        #expect(decode("OH") == .key("home"))
        #expect(decode("[5~") == .key("pageup"))
        #expect(decode("[6~") == .key("pagedown"))
        #expect(decode("[A") == .key("up"))
        #expect(decode("OB") == .key("down"))
        #expect(decode("[1;5C") == .key("right"))
        #expect(decode("OP") == .key("f1"))
        #expect(decode("[15~") == .key("f5"))
        #expect(decode("[24~") == .key("f12"))
        #expect(decode("[Z") == .key("backtab"))
        // Split by a slow link: wait for the rest rather than deliver Esc.
        #expect(decode("") == .incomplete)
        #expect(decode("[") == .incomplete)
        #expect(decode("[4") == .incomplete)
        #expect(decode("O") == .incomplete)
        // Sequences of no key used here are swallowed whole.
        #expect(decode("[3~") == .unknown)
        #expect(decode("[200~") == .unknown)
        #expect(decode("Ox") == .unknown)
        // Esc then a key typed quickly stays Esc then that key.
        #expect(decode("l") == .escapeThen("l"))
        #expect(decode("\u{1B}") == .escapeThen("\u{1B}"), "Esc Esc is two Escs")
    }

    static func request(lines: Int) -> RequestTrace {
        var found = RequestTrace.Found(file: "app.log", offset: 0,
                                       line: "2024-06-12 08:00:00,000 - app - ERROR - synthesis_failed: id=ts_00000001, error_code=X", record: nil)
        found.continuation = (0..<lines).map { $0 == lines - 1 ? "RuntimeError: the exception" : "  File \"x.py\", line \($0)" }
        return RequestTrace(id: "ts_00000001", records: [found])
    }

    /// The request view scrolls: a traceback's last line (the exception) is reachable at 80×24.
    @Test func requestViewScrollsToTheException() {
        var state = DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes))
        state.routes = [.overview, .request(id: "ts_00000001")]
        state.trace = Self.request(lines: 60)
        state.pageRows = 18
        var grid = DashboardView.render(state, width: 80, height: 24)
        #expect(!grid.text.contains("the exception"))
        _ = DashboardController.handle("G", state: &state)
        grid = DashboardView.render(state, width: 80, height: 24)
        #expect(grid.text.contains("RuntimeError: the exception"))
        _ = DashboardController.handle("g", state: &state)
        #expect(state.scroll == 0)
        _ = DashboardController.handle("pagedown", state: &state)
        #expect(state.scroll == 18)
        _ = DashboardController.handle("ctrl-b", state: &state)
        #expect(state.scroll == 0)
        _ = DashboardController.handle("j", state: &state)
        #expect(state.scroll == 1)
    }

    /// The log view scrolls back from its newest line; G returns to the newest.
    @Test func logViewScrollsBack() {
        var state = DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes))
        state.routes = [.overview, .log(filter: nil)]
        state.logLines = (0..<10_000).map { LogViewLine(source: nil, text: "2024-06-12 08:00:00,000 - app - INFO - line \($0)") }
        state.pageRows = 18
        var grid = DashboardView.render(state, width: 80, height: 24)
        #expect(grid.text.contains("line 9999"))
        _ = DashboardController.handle("home", state: &state)
        grid = DashboardView.render(state, width: 80, height: 24)
        #expect(grid.text.contains("line 0 ") || grid.text.contains("line 0\u{20}"))
        #expect(!grid.text.contains("line 9999"))
        _ = DashboardController.handle("end", state: &state)
        #expect(state.scroll == 0)
        _ = DashboardController.handle("pageup", state: &state)
        grid = DashboardView.render(state, width: 80, height: 24)
        #expect(grid.text.contains("18 lines up"))
    }

    /// Lists move by line, page and end.
    @Test func listsMoveByPageAndEnd() {
        var state = DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes))
        state.routes = [.overview, .search(query: "x")]
        state.list = (0..<50).map { RecentRequest(id: "ts_\($0)", time: LogTimestamp(milliseconds: 0), status: .success, durationMs: 1,
                                                   errorCode: nil, textSnippet: nil, voice: nil, source: 0, file: "a", offset: 0) }
        state.pageRows = 10
        _ = DashboardController.handle("G", state: &state)
        #expect(state.selectedRow == 49)
        _ = DashboardController.handle("pageup", state: &state)
        #expect(state.selectedRow == 39)
        _ = DashboardController.handle("g", state: &state)
        #expect(state.selectedRow == 0)
        _ = DashboardController.handle("ctrl-f", state: &state)
        #expect(state.selectedRow == 10)
    }

    /// At 80 columns the footer leads with help and quit; a status message gets its own line.
    @Test func narrowFooterAndStatusLine() {
        var state = DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes))
        state.status = "saved to /home/oncall/.local/state/ttsmon/ttsmon-screen-20240612-080000.txt"
        let grid = DashboardView.render(state, width: 80, height: 24)
        let rows = grid.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows[23].hasPrefix(" ? help  q quit"))
        #expect(rows[22].contains("saved to /home/oncall/.local/state/ttsmon/ttsmon-screen-20240612-080000.txt"))
    }

    /// ASCII stand-ins never map two meaningful glyphs to one character, nor to a key's letter.
    @Test func asciiStandInsAreDistinct() {
        let values = Array(Glyphs.asciiSymbols.values)
        #expect(Set(values).count == values.count)
        let keyLetters = Set(Keymap.standard.flatMap(\.keys).filter { $0.count == 1 })
        for (glyph, stand) in Glyphs.asciiSymbols {
            #expect(!keyLetters.contains(stand), "\(glyph) → \(stand) is a key")
            #expect(stand.count == 1 && stand != "?")
        }
        #expect(Glyphs.asciiFallback("⏎") != Glyphs.asciiFallback("±"))
        #expect(Glyphs.asciiFallback("↓") != "v")
    }
}

/// Issue 15: the screen never shows more than it knows.
@Suite struct HonestScreenTests {
    @Test func staleSourcesAreMarkedAndTheirFiguresMuted() throws {
        var (state, _) = try DashboardSnapshotTests.state()
        state.sources = [SourceLine(name: "/var/log/tts/app.log", ageSeconds: 7200, error: nil)]
        state.staleAfter = 60
        let grid = DashboardView.render(state, width: 150, height: 45)
        #expect(grid.text.split(separator: "\n").first?.contains("app.log 2h stale") == true)
        let body = (2..<43).flatMap { y in (0..<150).map { grid[$0, y] } }
        #expect(!body.contains { $0.role == .value || $0.role == .ok || $0.role == .crit }, "figures drawn muted")
        state.sources = [SourceLine(name: "/var/log/tts/app.log", ageSeconds: 2, error: nil)]
        let fresh = DashboardView.render(state, width: 150, height: 45)
        #expect(fresh.text.split(separator: "\n").first?.contains("stale") == false)
    }

    @Test func resolvedAlertsSayResolvedAndWhen() {
        let rule = AlertRule.builtIn.first { $0.name == "CacheNearlyFull" }!
        var state = DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes))
        state.snapshot.alerts = [AlertStatus(rule: rule, state: .resolved, since: LogTimestamp("2024-06-12 08:03:10,000")!, value: 74.7)]
        let strip = DashboardView.render(state, width: 150, height: 45).text.split(separator: "\n")[1]
        #expect(strip.contains("CacheNearlyFull resolved 08:03:10"))
        #expect(!strip.contains("74.7"))
    }
}

/// Issue 15: selections follow what was selected; Events and Failover rows open.
@Suite struct SelectionTests {
    @Test func errorSelectionFollowsItsCodeWhenCodesReRank() throws {
        var (state, _) = try DashboardSnapshotTests.state()
        state.focus = .errors
        let codes = state.snapshot.errors.map(\.code)
        try #require(codes.count >= 2)
        state.selectedRow = 1
        var next = state.snapshot
        next.errors.reverse()
        DashboardController.apply(snapshot: next, to: &state)
        #expect(state.snapshot.errors[state.selectedRow].code == codes[1])
    }

    @Test func eventsOpenTheirRequestAndTargetsTheirLastProbe() throws {
        var (state, _) = try DashboardSnapshotTests.state()
        state.focus = .events
        let rows = EventRows.of(state)
        let withID = try #require(rows.firstIndex { $0.id != nil })
        state.selectedRow = withID
        let effects = DashboardController.handle("enter", state: &state)
        #expect(effects == [.openRequest(rows[withID].id!)])
        #expect(state.route == .request(id: rows[withID].id!))

        state.routes = [.overview]
        state.focus = .failover
        let reason = "synthesis: content type text/html; charset=utf-8 (a 200 with an HTML body: the gateway's error page)"
        state.targets[0].lastError = reason
        state.targets[0].lastProbe = ProbeResult(target: ProbeTarget(name: "main", url: "http://127.0.0.1:8000"),
                                                 health: HealthCheck(ok: true, status: 200, ms: 3, body: "{\"status\": \"ok\"}"),
                                                 synthesis: SynthesisCheck(ok: false, status: 200, ms: 40, contentType: "text/html; charset=utf-8",
                                                                           bytes: 120, error: "content type text/html", snippet: "<html>502 Bad Gateway</html>"))
        state.selectedRow = 0
        _ = DashboardController.handle("enter", state: &state)
        #expect(state.route == .probe(target: "main"))
        let screen = DashboardView.render(state, width: 80, height: 24).text
        #expect(screen.contains("synthesis: content type text/html"))
        #expect(screen.contains("502 Bad Gateway"))
        #expect(screen.contains("HTTP 200"))
    }

    @Test func aLiveListKeepsItsSelectedRequest() {
        func request(_ n: Int) -> RecentRequest {
            RecentRequest(id: "ts_\(n)", time: LogTimestamp(milliseconds: Int64(n)), status: .failed, durationMs: 1,
                          errorCode: "X", textSnippet: nil, voice: nil, source: 0, file: "a", offset: 0)
        }
        var state = DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes))
        state.routes = [.overview, .errors(code: "X")]
        DashboardController.apply(list: (0..<5).map(request).reversed(), to: &state)
        state.selectedRow = 2
        let chosen = state.list[2].id
        DashboardController.apply(list: (0..<8).map(request).reversed(), to: &state)
        #expect(state.list[state.selectedRow].id == chosen)
        #expect(DashboardView.render(state, width: 80, height: 24).text.contains("· live"))
    }
}

/// Issue 15: the raw log view searches, filters, wraps and names its files.
@Suite struct LogViewTests {
    static func state() -> DashboardState {
        var state = DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes))
        state.routes = [.overview, .log(filter: nil)]
        state.pageRows = 18
        var lines: [LogViewLine] = []
        for i in 0..<300 {
            let file = i % 2 == 0 ? "/var/log/tts/main.log" : "/var/log/tts/standby.log"
            lines.append(LogViewLine(source: file, text: "2024-06-12 08:00:\(String(format: "%02d", i % 60)),000 - app - INFO - stage_time: id=ts_\(i), duration_ms=5"))
            if i % 100 == 7 {
                lines.append(LogViewLine(source: file, text: "2024-06-12 08:01:00,000 - app - ERROR - synthesis_failed: id=ts_\(i), error_code=SCIPY_FFT_INVALID"))
                lines.append(LogViewLine(source: file, text: "Traceback (most recent call last):"))
                lines.append(LogViewLine(source: file, text: "ValueError: Invalid input to scipy.fft number \(i)"))
            }
        }
        state.logLines = lines
        return state
    }

    @Test func searchFindsLinesWrapsAroundAndHighlights() {
        var state = Self.state()
        _ = DashboardController.handle("/", state: &state)
        #expect(state.promptPurpose == .logSearch)
        for ch in "scipy.fft" { _ = DashboardController.handle(String(ch), state: &state) }
        _ = DashboardController.handle("enter", state: &state)
        let lines = LogViewModel.lines(state)
        let matches = LogViewModel.matches(lines, "scipy.fft")
        #expect(matches.count == 3)
        #expect(state.logMatch == matches.last)
        var grid = DashboardView.render(state, width: 150, height: 45)
        #expect(grid.text.contains("number 207"))
        _ = DashboardController.handle("n", state: &state)
        #expect(state.logMatch == matches[1])
        grid = DashboardView.render(state, width: 150, height: 45)
        #expect(grid.text.contains("number 107"))
        _ = DashboardController.handle("n", state: &state)
        _ = DashboardController.handle("n", state: &state)
        #expect(state.logMatch == matches.last, "n wraps around at the oldest match")
        #expect(state.status?.contains("wrapped") == true)
        _ = DashboardController.handle("N", state: &state)
        #expect(state.logMatch == matches.first, "N wraps around at the newest")
        // Matches are drawn in the key colour.
        grid = DashboardView.render(state, width: 150, height: 45)
        #expect((0..<45).contains { y in (0..<150).contains { grid[$0, y].role == .key && grid[$0, y].text == "f" } })
    }

    @Test func problemsOnlyKeepsTracebacksAndFilesAreNamed() {
        var state = Self.state()
        _ = DashboardController.handle("e", state: &state)
        let lines = LogViewModel.lines(state)
        #expect(lines.count == 9)
        #expect(lines.contains { $0.text.hasPrefix("ValueError") })
        let grid = DashboardView.render(state, width: 150, height: 45)
        #expect(grid.text.contains("standby.log │ 2024-06-12 08:01:00,000 - app - ERROR"))
        #expect(grid.text.contains("WARNING and ERROR"))
        _ = DashboardController.handle("e", state: &state)
        #expect(LogViewModel.lines(state).count == state.logLines.count)
    }

    @Test func longLinesWrapWithW() {
        var state = Self.state()
        state.logLines.append(LogViewLine(source: nil, text: "2024-06-12 08:02:00,000 - app - INFO - " + String(repeating: "长", count: 100) + " END"))
        var grid = DashboardView.render(state, width: 80, height: 24)
        #expect(!grid.text.contains("END"))
        _ = DashboardController.handle("W", state: &state)
        grid = DashboardView.render(state, width: 80, height: 24)
        #expect(grid.text.contains("END"))
    }
}
