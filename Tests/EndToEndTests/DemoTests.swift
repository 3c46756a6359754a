import Foundation
import Testing
import TTSMonCore

/// `ttsmon demo`, headless and in tmux, as a newcomer runs it.
@Suite(.serialized) struct DemoTests {
    static func object(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    @Test func headlessFleetFailsOverHealsRotatesAndTraces() async throws { try await offThePool {
        let dir = ScratchDir()
        let logs = dir.path + "/fleet"
        let (rc, out, err) = try TTSMonBinary.run(["demo", "--headless", "--duration", "26", "--faults", "6:4,14:0",
                                                   "--rate", "12", "--rotate-bytes", "16384", "--dir", logs])
        #expect(rc == 0, "\(err)")
        let snapshots = out.split(separator: "\n").compactMap { Self.object(String($0)) }
        #expect(snapshots.count >= 20)
        func active(_ s: [String: Any]) -> String? { s["active"] as? String }
        func elapsed(_ s: [String: Any]) -> Int { s["elapsed_s"] as? Int ?? 0 }
        // QPS non-zero within 5 s; main active before the kill.
        #expect(snapshots.contains { elapsed($0) <= 5 && (($0["requests"] as? [String: Any])?["qps"] as? Double ?? 0) > 0 })
        #expect(snapshots.filter { elapsed($0) < 6 }.allSatisfy { active($0) == "main" })
        // After `4` standby is active within 15 s, after `0` main again within 20 s.
        let down = snapshots.first { elapsed($0) >= 6 && active($0) == "standby" }
        #expect(down != nil && elapsed(down!) <= 6 + 15)
        let back = snapshots.first { elapsed($0) >= 14 && active($0) == "main" }
        #expect(back != nil && elapsed(back!) <= 14 + 20)
        // The router logged the switches like the seed.
        let router = try String(contentsOfFile: logs + "/router.log", encoding: .utf8)
        #expect(router.contains("main instance failed, switching to standby"))
        #expect(router.contains("switching to main"))
        // Logs rotated into .gz, and trace finds a request in a rotated file.
        let rotated = try FileManager.default.contentsOfDirectory(atPath: logs).filter { $0.hasSuffix(".gz") }.sorted()
        #expect(!rotated.isEmpty)
        let gz = try #require(rotated.first { $0.hasPrefix("main.log.") || $0.hasPrefix("standby.log.") })
        let (_, reportJSON, _) = try TTSMonBinary.run(["report", "--format", "json", logs + "/" + gz])
        #expect(reportJSON.contains("\"compressed\": true"))
        let (_, grepOut, _) = try TTSMonBinary.run(["trace", "--format", "json", "ts_nothing1", logs + "/" + gz])
        _ = grepOut
        let plainLines = try TTSMonBinary.run(["report", "--format", "json", logs + "/" + gz]).1
        #expect(!plainLines.isEmpty)
        // An id from the rotated file: read it back through gzip, then trace it with -R from the live name.
        let ids = try gzipIDs(logs + "/" + gz)
        let id = try #require(ids.first)
        let live = logs + "/" + gz.components(separatedBy: ".log.").first! + ".log"
        let (traceRC, traceOut, _) = try TTSMonBinary.run(["trace", "--format", "json", id, "-R", live])
        #expect(traceRC == 0)
        #expect(traceOut.contains("\"file\": \"\(logs)/\(gz)\"") || traceOut.contains(".gz"))
    } }

    func gzipIDs(_ path: String) throws -> [String] {
        let summary = try TTSMonBinary.run(["report", "--format", "json", path]).1
        _ = summary
        var opened = try LogOpener.open(LogInput(path: path))
        var ids: [String] = []
        opened.lines().forEachLine { line in
            guard case .text(let bytes, _, _) = line else { return }
            let text = String(decoding: bytes, as: UTF8.self)
            if let r = text.range(of: "synthesis_complete: id=") {
                ids.append(String(text[r.upperBound...].prefix { $0 != "," }))
            }
        }
        _ = opened
        opened = try LogOpener.open(LogInput(path: path))
        return ids
    }

    @Test(.enabled(if: Tmux.available, "tmux is not installed")) func interactiveDemoInTmux() async throws { try await offThePool {
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) demo; echo EXIT=$?; sleep 60")
        var screen = tmux.waitFor(20) { s in s.contains("QPS") && !s.contains("QPS 0.0") && s.split(separator: "\n").contains { $0.contains("main") && $0.contains("active") } }
        let mine = tmux.demoPIDs()
        #expect(!mine.isEmpty)
        #expect(!screen.contains("QPS 0.0/s"), "non-zero QPS")
        #expect(screen.split(separator: "\n").contains { $0.contains("● main") && $0.contains("active") })
        // `v` splits the overview per source: main's and standby's figures side by side.
        tmux.keys("v")
        screen = tmux.waitFor(10) { $0.contains("main.log · indextts") && $0.contains("standby.log · indextts") }
        #expect(screen.contains("main.log · indextts") && screen.contains("standby.log · indextts"), "split view")
        tmux.keys("v")
        screen = tmux.waitFor(10) { !$0.contains("main.log · indextts") }
        #expect(!screen.contains("main.log · indextts"), "merged again")
        // `z` zooms the focused panel; ←/→ place a time cursor; Enter lists that moment's
        // requests, slowest first; Esc twice is the overview again.
        tmux.keys("z")
        screen = tmux.waitFor(10) { $0.contains("place a time cursor") }
        #expect(screen.contains("place a time cursor"), "zoomed")
        tmux.keys("Left"); tmux.keys("Left")
        screen = tmux.waitFor(10) { $0.contains("⏎ lists them") }
        #expect(screen.contains("⏎ lists them"), "a cursor")
        tmux.keys("Enter")
        screen = tmux.waitFor(10) { $0.contains("Requests completed") }
        #expect(screen.contains("Requests completed") && screen.contains("slowest first"), "the moment requests")
        // One Escape at a time: two at once read as an escape sequence.
        tmux.keys("Escape")
        screen = tmux.waitFor(10) { $0.contains("place a time cursor") || $0.contains("⏎ lists them") }
        tmux.keys("Escape")
        screen = tmux.waitFor(10) { $0.contains("Traffic") && $0.contains("Failover") }
        #expect(screen.contains("Traffic") && screen.contains("Failover"), "the overview again")
        tmux.keys("4")
        screen = tmux.waitFor(15) { s in s.split(separator: "\n").contains { $0.contains("● standby") && $0.contains("active") } }
        #expect(screen.split(separator: "\n").contains { $0.contains("● standby") && $0.contains("active") }, "standby active after 4")
        // The router's failover line fires the Failover alert: header count and strip.
        screen = tmux.waitFor(15) { s in s.split(separator: "\n").first?.contains("firing") == true && s.contains("● Failover") }
        #expect(screen.split(separator: "\n").first?.contains("⚠ 1 firing") == true, "Failover firing in the header")
        tmux.keys("a")
        screen = tmux.waitFor(10) { $0.contains("Failover") && $0.contains("(acked)") }
        #expect(screen.split(separator: "\n").first?.contains("(1 acked)") == true, "acknowledged with a")
        tmux.keys("0")
        screen = tmux.waitFor(20) { s in s.split(separator: "\n").contains { $0.contains("● main") && $0.contains("active") } }
        #expect(screen.split(separator: "\n").contains { $0.contains("● main") && $0.contains("active") }, "main active after 0")
        screen = tmux.waitFor(20) { $0.contains("Failover") && $0.contains("resolved") }
        #expect(screen.contains("○ Failover") && screen.contains("resolved"), "Failover resolved after failback")
        tmux.keys("q")
        screen = tmux.waitFor(15) { $0.contains("EXIT=") }
        #expect(screen.contains("EXIT=0"))
        // No process left behind.
        #expect(Self.stillRunning(mine).isEmpty, "this test's ttsmon demo is still running")
    } }

    /// `--bell`: an alert that starts firing rings the terminal bell (tmux flags the window).
    @Test(.enabled(if: Tmux.available, "tmux is not installed")) func bellRingsWhenAnAlertStartsFiring() async throws { try await offThePool {
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) demo --bell; echo EXIT=$?; sleep 60")
        _ = tmux.waitFor(20) { $0.contains("QPS") && !$0.contains("QPS 0.0") }
        let mine = tmux.demoPIDs()
        // Watch from another window: tmux marks a background window that rang.
        tmux.tmux(["new-window", "-t", tmux.session, "sleep 120"])
        tmux.tmux(["set-option", "-g", "monitor-bell", "on"])
        func rang() -> Bool {
            tmux.tmux(["list-windows", "-t", tmux.session, "-F", "#{window_index}:#{window_bell_flag}"], output: true)
                .contains("0:1")
        }
        #expect(!rang(), "no bell before any alert")
        tmux.tmux(["send-keys", "-t", "\(tmux.session):0", "4"])
        let deadline = Date().addingTimeInterval(20)
        while !rang(), Date() < deadline { Thread.sleep(forTimeInterval: 0.3) }
        #expect(rang(), "the bell rang when Failover started firing")
        tmux.tmux(["send-keys", "-t", "\(tmux.session):0", "q"])
        Thread.sleep(forTimeInterval: 1.5)
        #expect(Self.stillRunning(mine).isEmpty)
    } }

    /// Which of `pids` are still running (other tests may run demos of their own meanwhile).
    static func stillRunning(_ pids: [pid_t]) -> [pid_t] {
        pids.filter { kill($0, 0) == 0 && !((try? String(contentsOfFile: "/proc/\($0)/stat", encoding: .utf8))?.contains(") Z") ?? true) }
    }
}
