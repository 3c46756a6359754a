import Foundation
import Testing
import TTSMonCore
import TTSMonNet

/// Issue 15: every command the README shows, run in a real terminal (tmux) as a user types it,
/// with its paths and URLs pointed at generated logs and servers on loopback. (`demo`,
/// `dashboard --log … --probe …`, `export`, `dashboard --prometheus`, `router`,
/// `dashboard --router` and `dashboard --process` have their own tests: DemoTests,
/// DashboardTmuxTests, ExportTests, FleetPrometheusTests, RouterCLITests, ResourceTests.)
@Suite(.serialized) struct ReadmeCommandsTests {
    /// The package's directory (the README's example files are relative to it).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The README's headless commands in one shell, each followed by a marker with its exit
    /// code, in a tmux pane (a terminal, so progress displays and tty checks run as for a user).
    @Test(.enabled(if: Tmux.available, "tmux is not installed"))
    func headlessCommandsRunInATerminal() async throws { try await offThePool {
        let dir = ScratchDir()
        let main = try DashboardTmuxTests.blocking { try await DashboardTmuxTests.healthyServer() }
        let standby = try DashboardTmuxTests.blocking { try await DashboardTmuxTests.healthyServer() }
        let bin = TTSMonBinary.url.path
        let tts = dir.path + "/tts"
        let out = dir.path + "/out"
        let mainURL = "http://127.0.0.1:\(main.port)", standbyURL = "http://127.0.0.1:\(standby.port)"
        let commands: [(String, String)] = [
            ("gen", "\(bin) gen --out \(tts) --requests 5000 --rotate 3 --incident"),
            ("report", "\(bin) report -R \(tts)/app.log"),
            ("report-json", "\(bin) report --format json --from 08:01 --to 08:03 -R \(tts)/app.log"),
            ("report-relative", "\(bin) report --from -15m --top 3 \(tts)/app.log"),
            ("watch", "\(bin) watch --log '\(tts)/*.log' --interval 5 --window 5m --duration 1"),
            ("watch-stdin", "cat \(tts)/app.log | \(bin) watch --log - --format text --duration 2"),
            ("watch-process", "\(bin) watch --log \(tts)/app.log --process $$ --format text --duration 2"),
            ("probe", "\(bin) probe main=\(mainURL) standby=\(standbyURL)"),
            ("probe-json", "\(bin) probe --format json --timeout 2 --text 你好 main=\(mainURL)"),
            ("rules", "\(bin) rules"),
            ("formats", "\(bin) formats"),
            ("formats-test", "\(bin) formats test \(tts)/app.log"),
            ("formats-test-user", "cd \(Self.packageRoot) && \(bin) formats test --format-file examples/formats/cosyvoice.toml examples/cosyvoice-sample.txt"),
            ("report-user", "cd \(Self.packageRoot) && \(bin) report --format-file examples/formats/cosyvoice.toml examples/cosyvoice-sample.txt"),
        ]
        let script = commands.map { name, command in
            "\(command) > \(out).\(name) 2>&1; echo \"RC \(name) $?\" >> \(out).codes"
        }.joined(separator: "\n") + "\necho DONE >> \(out).codes\nsleep 30\n"
        try script.write(toFile: dir.path + "/run.sh", atomically: true, encoding: .utf8)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("sh \(dir.path)/run.sh")
        let deadline = Date().addingTimeInterval(90)
        var codes = ""
        while Date() < deadline {
            codes = (try? String(contentsOfFile: out + ".codes", encoding: .utf8)) ?? ""
            if codes.contains("DONE") { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(codes.contains("DONE"), "the commands finished: \(codes)")
        for (name, _) in commands { #expect(codes.contains("RC \(name) 0"), "\(name) exited 0: \(codes)") }
        func output(_ name: String) -> String { (try? String(contentsOfFile: "\(out).\(name)", encoding: .utf8)) ?? "" }
        let truthRequests = 5000
        #expect(output("report").contains("4 files"))
        #expect(output("report").contains(Format.count(truthRequests)))
        #expect(output("report-json").contains("\"total\""))
        #expect(output("report-relative").contains("requests"))
        #expect(output("watch").contains("\"requests\""))
        #expect(output("watch-stdin").contains("req"))
        #expect(output("watch-process").contains("| cpu ") && output("watch-process").contains("; sh cpu "), "\(output("watch-process"))")
        #expect(output("probe").contains("main") && output("probe").contains("up"))
        #expect(output("probe-json").contains("\"up\": true"))
        #expect(output("rules").contains("HighErrorRate") && output("rules").contains("SlowerThanRealTime"))
        #expect(output("formats").contains("indextts2") && output("formats").contains("access"))
        #expect(output("formats-test").contains("read as indextts"))
        #expect(output("formats-test-user").contains("read as cosyvoice"))
        #expect(output("report-user").contains("3 total") && output("report-user").contains("RTF       p50 0.525  p95 1.258"))

        // The README's trace forms, with an id from the oldest rotated file.
        let id = try #require(output("report-json").isEmpty ? nil : Self.anyID(in: tts + "/app.log.3.gz"))
        let (rc, text, _) = try TTSMonBinary.run(["trace", id, "-R", tts + "/app.log"])
        #expect(rc == 0 && text.contains(id))
        let files = LiveCollector.expand([tts + "/app.log*"])
        let (jsonRC, json, _) = try TTSMonBinary.run(["trace", "--format", "json", id] + files)
        #expect(jsonRC == 0 && json.contains("\"id\": \"\(id)\""))

        // The request index: built by `index`, used by `trace` with the same answer as a whole
        // search, and cleared. Its own cache, so that what it reports is this run's.
        let cache = ["XDG_CACHE_HOME": dir.path + "/cache"]
        let (indexRC, indexOut, _) = try TTSMonBinary.run(["index", "-R", tts + "/app.log"], environment: cache)
        #expect(indexRC == 0 && indexOut.contains("app.log.3.gz") && indexOut.contains("total"), "\(indexOut)")
        let (againRC, again, _) = try TTSMonBinary.run(["index", "--format", "json", "-R", tts + "/app.log"], environment: cache)
        #expect(againRC == 0 && again.contains("\"reused\": true") && !again.contains("\"reused\": false"), "\(again)")
        let (_, indexed, _) = try TTSMonBinary.run(["trace", "--format", "json", id, "-R", tts + "/app.log"], environment: cache)
        let (_, whole, _) = try TTSMonBinary.run(["trace", "--no-index", "--format", "json", id, "-R", tts + "/app.log"], environment: cache)
        #expect(indexed == whole && indexed.contains(id))
        let (clearRC, cleared, _) = try TTSMonBinary.run(["index", "--clear"], environment: cache)
        #expect(clearRC == 0 && cleared.contains("removed 4 index files"), "\(cleared)")
        for s in [main, standby] { try DashboardTmuxTests.blocking { await s.stop() } }
    } }

    /// A completed request's id from a log (plain or gzip).
    static func anyID(in path: String) -> String? {
        guard let log = try? LogOpener.open(LogInput(path: path)) else { return nil }
        var found: String?
        log.lines().forEachLine { line in
            guard found == nil, case .text(let bytes, _, _) = line else { return }
            let text = String(decoding: bytes, as: UTF8.self)
            if let r = text.range(of: "synthesis_complete: id=") { found = String(text[r.upperBound...].prefix { $0 != "," }) }
        }
        return found
    }

    /// The header's clock (`YYYY-MM-DD HH:MM:SS`).
    static func clock(_ screen: String) -> String? {
        guard let header = screen.split(separator: "\n").first,
              let r = header.range(of: #"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"#, options: .regularExpression) else { return nil }
        return String(header[r])
    }

    /// `ttsmon replay` in a terminal: it draws (it died at once when alerts were added), the
    /// header shows the replayed log time, which stands still while paused, `+` and `-` change
    /// the speed, `q` quits with 0. Both README forms.
    @Test(.enabled(if: Tmux.available, "tmux is not installed"))
    func replayInATerminal() async throws { try await offThePool {
        let dir = ScratchDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 6000)
        options.rotate = 3
        options.incident = true
        _ = try LogGenerator.generate(options)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) replay --speed 20 -R \(dir.path)/app.log; echo EXIT=$?; sleep 30")
        var screen = tmux.waitFor(20) { Self.clock($0) != nil && $0.contains("QPS") }
        let first = try #require(Self.clock(screen), "replay draws with the log time in its header: \(screen)")
        #expect(first.hasPrefix("2024-06-12"), "log time, not the wall clock")
        #expect(screen.contains("replay ×20"))
        screen = tmux.waitFor(30) { Self.clock($0).map { $0 > first } ?? false }
        #expect(Self.clock(screen)! > first, "the replayed time advances")
        tmux.keys("p")
        screen = tmux.waitFor(15) { $0.contains("PAUSED") }
        #expect(screen.contains("PAUSED"))
        let paused = Self.clock(screen)
        Thread.sleep(forTimeInterval: 2)
        #expect(Self.clock(tmux.screen) == paused, "the clock stands still while paused")
        tmux.keys("p")
        tmux.keys("+")
        screen = tmux.waitFor(15) { $0.contains("replay ×40") }
        #expect(screen.contains("replay ×40"), "+ doubles the speed")
        tmux.keys("-")
        tmux.keys("-")
        screen = tmux.waitFor(15) { $0.contains("replay ×10") }
        #expect(screen.contains("replay ×10"), "- halves it")
        #expect(tmux.quit().contains("EXIT=0"))

        let second = Tmux()
        defer { second.kill() }
        second.start("\(TTSMonBinary.url.path) replay --from \"2024-06-12 08:00:00\" --to \"2024-06-12 08:10:00\" "
                     + "\(dir.path)/app.log.3.gz \(dir.path)/app.log.2.gz; echo EXIT=$?; sleep 30")
        screen = second.waitFor(20) { Self.clock($0) != nil && $0.contains("QPS") }
        #expect(Self.clock(screen)?.hasPrefix("2024-06-12 08:0") == true, "starts at --from: \(screen.prefix(200))")
        #expect(second.quit().contains("EXIT=0"))
    } }

    /// `End` in the demo (tmux sends `ESC [ 4 ~`, which xterm's terminfo does not list) is a
    /// key, not Esc then `4`, the demo's "kill main" key.
    @Test(.enabled(if: Tmux.available, "tmux is not installed"))
    func endKeyInTheDemoKillsNothing() async throws { try await offThePool {
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) demo; echo EXIT=$?; sleep 30", env: ["TERM": "xterm-256color"])
        var screen = tmux.waitFor(20) { s in s.split(separator: "\n").contains { $0.contains("● main") && $0.contains("active") } }
        #expect(screen.contains("● main"))
        for key in ["End", "Home", "PageDown", "PageUp", "F5"] { tmux.keys(key) }
        Thread.sleep(forTimeInterval: 8)
        screen = tmux.screen
        #expect(screen.split(separator: "\n").contains { $0.contains("● main") && $0.contains("active") }, "main still active")
        #expect(!screen.contains("main instance failed"), "no failover")
        #expect(tmux.quit().contains("EXIT=0"))
    } }
}

/// Issue 15: the log view driven as a user would, with two followed files.
@Suite(.serialized) struct LogViewTmuxTests {
    @Test(.enabled(if: Tmux.available, "tmux is not installed"))
    func searchFilterWrapAndFiles() async throws { try await offThePool {
        let dir = ScratchDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 800)
        options.incident = true
        _ = try LogGenerator.generate(options)
        options.fileName = "standby.log"
        options.seed = 9
        _ = try LogGenerator.generate(options)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) dashboard --log \(dir.path)/app.log --log \(dir.path)/standby.log; echo EXIT=$?; sleep 30")
        _ = tmux.waitFor(20) { $0.contains("QPS") }
        tmux.keys("l")
        var screen = tmux.waitFor(30) { $0.contains("app.log │") || $0.contains("standby.log │") }
        #expect(screen.contains("app.log │") || screen.contains("standby.log │"), "each line names its file")
        tmux.keys("/")
        screen = tmux.waitFor(15) { $0.contains("search the log:") }
        #expect(screen.contains("search the log:"))
        tmux.literal("error_code=")
        tmux.keys("Enter")
        screen = tmux.waitFor(15) { $0.contains("match") && $0.contains("error_code=") }
        #expect(screen.contains("“error_code=” match"), "the status says which match")
        tmux.keys("n")
        tmux.keys("e")
        screen = tmux.waitFor(15) { $0.contains("WARNING and ERROR") }
        #expect(screen.contains("WARNING and ERROR"))
        #expect(!screen.contains("stage_time:"), "only WARNING and ERROR records")
        tmux.keys("W")
        tmux.keys("G")
        tmux.keys("Escape")
        screen = tmux.waitFor(15) { $0.contains("Traffic") }
        #expect(tmux.quit().contains("EXIT=0"))
    } }
}

/// Issue 15 at 80×24, as a user meets it: a log that stopped hours ago is stale (header and
/// LogStale), the footer leads with help and quit, the help scrolls, `s` saves under
/// `$XDG_STATE_HOME` and says the whole path, Enter on a probe target shows its last probe.
@Suite(.serialized) struct SmallScreenTmuxTests {
    @Test(.enabled(if: Tmux.available, "tmux is not installed"))
    func staleLogSaveHelpAndProbeAt80x24() async throws { try await offThePool {
        let dir = ScratchDir()
        _ = try LogGenerator.generate(GeneratorOptions(outputDirectory: dir.path, requests: 300))
        let log = dir.path + "/app.log"
        var times = [timespec(tv_sec: time(nil) - 3 * 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3 * 3600, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, log, &times, 0) == 0)
        let html = HTTPServer { request in
            request.path == "/health"
                ? .respond(status: 200, contentType: "application/json", body: Array(#"{"status":"ok","model_loaded":true}"#.utf8))
                : .respond(status: 200, contentType: "text/html", body: Array("<html><body>502 Bad Gateway from the upstream proxy</body></html>".utf8))
        }
        _ = try DashboardTmuxTests.blocking { try await html.start() }
        defer { try? DashboardTmuxTests.blocking { await html.stop() } }
        let state = dir.path + "/state"
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) dashboard --log \(log) --probe main=http://127.0.0.1:\(html.port) --probe-interval 1; echo EXIT=$?; sleep 30",
                   width: 80, height: 24, env: ["XDG_STATE_HOME": state, "XDG_CONFIG_HOME": dir.path])
        var screen = tmux.waitFor(20) { $0.contains("stale") && $0.contains("LogStale") }
        let header = screen.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("app.log 3h stale"), "header: \(header)")
        #expect(screen.contains("LogStale"), "LogStale fires at once for a log last written 3h ago")
        #expect(screen.split(separator: "\n").last?.hasPrefix(" ? help  q quit") == true)
        // The help is taller than 24 rows: it scrolls.
        tmux.keys("?")
        screen = tmux.waitFor(15) { $0.contains("j/k PgUp/PgDn scroll") }
        #expect(screen.contains("j/k PgUp/PgDn scroll"))
        tmux.keys("G")
        screen = tmux.waitFor(15) { $0.contains("quit (from the overview)") }
        #expect(screen.contains("quit (from the overview)"), "the help's last key is reachable")
        tmux.keys("Escape")
        // Save: under $XDG_STATE_HOME/ttsmon, the whole path said.
        tmux.keys("s")
        screen = tmux.waitFor(15) { $0.contains("saved to") }
        let saved = try FileManager.default.contentsOfDirectory(atPath: state + "/ttsmon")
        #expect(saved.count == 1 && saved[0].hasPrefix("ttsmon-screen-"))
        // The status wraps a long path over lines of its own: joined, it is whole.
        let joined = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined()
        #expect(joined.contains(state + "/ttsmon/" + (saved.first ?? "?")), "the status shows the whole path")
        // Tab to the Failover panel, Enter: the last probe in full.
        screen = tmux.waitFor(30) { $0.contains("main") && $0.contains("down") }
        for _ in 0..<5 {
            if tmux.screen.contains("▶ Failover") { break }
            tmux.keys("Tab")
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(tmux.screen.contains("▶ Failover"), "focus marked in the title")
        tmux.keys("Enter")
        screen = tmux.waitFor(15) { $0.contains("Probe main") }
        #expect(screen.contains("502 Bad Gateway from the upstream proxy"), "the snippet in full")
        #expect(screen.contains("content type text/html"))
        tmux.keys("Escape")
        // Tab on to Events: Enter on a warning that names a request opens that request.
        tmux.keys("Tab")
        screen = tmux.waitFor(15) { $0.contains("▶ Events") }
        #expect(screen.contains("▶ Events"))
        tmux.keys("Enter")
        screen = tmux.waitFor(30) { $0.contains("Request ts_") && $0.contains("records") }
        #expect(screen.contains("Request ts_"), "the event's request opens")
        tmux.keys("Escape")
        #expect(tmux.quit().contains("EXIT=0"))
    } }

    /// Under `TERM=screen` (8 colours) the 16-colour theme is used: borders are not drawn
    /// black on black.
    @Test(.enabled(if: Tmux.available, "tmux is not installed"))
    func eightColourTerminalsGetVisibleBorders() async throws { try await offThePool {
        let dir = ScratchDir()
        _ = try LogGenerator.generate(GeneratorOptions(outputDirectory: dir.path, requests: 200))
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) dashboard --log \(dir.path)/app.log; echo EXIT=$?; sleep 30", env: ["TERM": "screen"])
        _ = tmux.waitFor(20) { $0.contains("Traffic") }
        let coloured = tmux.tmux(["capture-pane", "-t", tmux.session, "-p", "-e"], output: true)
        let row = try #require(coloured.split(separator: "\n").first { $0.contains("Traffic") })
        // The colour set just before the border's first "─".
        let border = try #require(row.range(of: "─"))
        let before = row[row.startIndex..<border.lowerBound]
        let lastColour = before.components(separatedBy: "\u{1B}[").last ?? ""
        #expect(!lastColour.hasPrefix("30m") && !lastColour.contains(";30m"), "border not black: \(row.debugDescription.prefix(200))")
        #expect(tmux.quit().contains("EXIT=0"))
    } }
}
