import Foundation
import Testing
import TTSMonCore
import TTSMonNet

/// `ttsmon router` as the README runs it (issue 17, first part), with `ttsmon probe` as its
/// client: requests reach main, then standby once main dies, and the router's log reads back
/// in `report` with what the client saw.
@Suite(.serialized) struct RouterCLITests {
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `ttsmon router` on `port` in front of main and standby on loopback, logging to `log`.
    static func startRouter(port: Int, log: String, main: Int, standby: Int, _ options: [String]) throws -> Process {
        let router = Process()
        router.executableURL = TTSMonBinary.url
        router.arguments = ["router", "--listen", "127.0.0.1:\(port)", "--log", log] + options
            + ["main=http://127.0.0.1:\(main)", "standby=http://127.0.0.1:\(standby)"]
        router.standardError = FileHandle.nullDevice
        try router.run()
        return router
    }

    @Test func routesToStandbyWhenMainDiesAndLogsEveryRequest() async throws { try await offThePool {
        let dir = ScratchDir()
        let main = try DashboardTmuxTests.blocking { try await DashboardTmuxTests.healthyServer() }
        let standby = try DashboardTmuxTests.blocking { try await DashboardTmuxTests.healthyServer() }
        let port = Self.freePort()
        let log = dir.path + "/router.log"
        let router = try Self.startRouter(port: port, log: log, main: main.port, standby: standby.port, ["--probe-interval", "0.2", "--duration", "60"])
        defer { if router.isRunning { router.terminate() } }
        func probe() throws -> Bool {
            let (_, out, _) = try TTSMonBinary.run(["probe", "--format", "json", "--timeout", "2", "r=http://127.0.0.1:\(port)"])
            return out.contains("\"up\": true")
        }
        var ready = false
        for _ in 0..<50 where !ready { ready = (try? probe()) ?? false; if !ready { Thread.sleep(forTimeInterval: 0.1) } }
        #expect(ready, "the router answers")
        var answered = 1
        for _ in 0..<2 where try probe() { answered += 1 }
        try DashboardTmuxTests.blocking { await main.stop() }
        for _ in 0..<3 where try probe() { answered += 1 }
        #expect(answered == 6, "every probe through the router was answered (standby after main died)")
        // The router's own probes see main gone and log the switch (refused requests went to
        // standby at once, before that); then SIGTERM ends it — a fixed --duration raced a busy
        // machine's slow probes.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !((try? String(contentsOfFile: log, encoding: .utf8))?.contains("switching to standby") ?? false) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        router.terminate()
        router.waitUntilExit()
        #expect(router.terminationStatus == 0)
        try DashboardTmuxTests.blocking { await standby.stop() }
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("main instance failed, switching to standby"), "\(text)")
        let (rc, json, _) = try TTSMonBinary.run(["report", "--format", "json", log])
        #expect(rc == 0)
        // The probes' GET /health are probe traffic; each POST /tts is a request.
        #expect(json.contains(#""total": \#(answered)"#) && json.contains(#""failed": 0"#), "\(json)")
    } }

    /// `ttsmon dashboard --router URL` in a terminal: the Failover panel is the router's state
    /// (no probes of its own reach the servers), a switch shows when the router makes it, and a
    /// router that stops answering is said to be unreachable.
    @Test(.enabled(if: Tmux.available, "tmux is not installed")) func dashboardShowsTheRoutersState() async throws { try await offThePool {
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var health = 0
        }
        let counter = Counter()
        let main = try DashboardTmuxTests.blocking { () -> HTTPServer in
            let server = HTTPServer { request in
                if request.path == "/health" {
                    counter.lock.withLock { counter.health += 1 }
                    return .respond(status: 200, contentType: "application/json", body: Array(#"{"status":"ok","model_loaded":true}"#.utf8))
                }
                return .respond(status: 200, contentType: "audio/wav", body: ToneWAV.make(seconds: 0.05))
            }
            try await server.start()
            return server
        }
        let standby = try DashboardTmuxTests.blocking { try await DashboardTmuxTests.healthyServer() }
        defer { try? DashboardTmuxTests.blocking { await standby.stop() } }
        let dir = ScratchDir()
        let port = Self.freePort()
        let log = dir.path + "/router.log"
        let router = try Self.startRouter(port: port, log: log, main: main.port, standby: standby.port, ["--probe-interval", "1", "--timeout", "1"])
        defer { if router.isRunning { router.terminate() } }
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) dashboard --router http://127.0.0.1:\(port) --log \(log) --probe-interval 0.3; echo EXIT=$?; sleep 30")
        func activeLine(_ name: String) -> (String) -> Bool {
            { s in s.split(separator: "\n").contains { $0.contains("● \(name)") && $0.contains("active") } }
        }
        var screen = tmux.waitFor(20, activeLine("main"))
        #expect(activeLine("main")(screen), "main active, from the router's status\n\(screen)")
        let before = counter.lock.withLock { counter.health }
        Thread.sleep(forTimeInterval: 4)
        let during = counter.lock.withLock { counter.health } - before
        #expect(during <= 6, "only the router probes main (once a second), not the dashboard every 0.3 s: \(during) health checks in 4 s")
        try DashboardTmuxTests.blocking { await main.stop() }
        screen = tmux.waitFor(20, activeLine("standby"))
        #expect(activeLine("standby")(screen), "standby active once the router switched\n\(screen)")
        #expect(screen.contains("main instance failed") || screen.contains("main failed"), "the switch is in the timeline\n\(screen)")
        router.terminate()
        router.waitUntilExit()
        screen = tmux.waitFor(20) { $0.contains("router unreachable") }
        #expect(screen.contains("router unreachable"), "\(screen)")
        tmux.keys("q")
        screen = tmux.waitFor(15) { $0.contains("EXIT=") }
        #expect(screen.contains("EXIT=0"))
    } }
}

/// Issue 17's "done when", against real servers: FastAPI on uvicorn as main and standby, the
/// router in front, four clients sending syntheses; main is killed (SIGKILL) mid-way. At most
/// the requests in flight then fail, and the router's log says what the clients saw.
@Suite(.serialized) struct RouterRealServerTests {
    static let app = """
        import time
        from fastapi import FastAPI, Response
        app = FastAPI()
        @app.get("/health")
        def health(): return {"status": "ok", "model_loaded": True}
        @app.post("/tts")
        def tts():
            time.sleep(0.02)
            return Response(b"RIFF\\x24\\x00\\x00\\x00WAVEfmt \\x10\\x00\\x00\\x00\\x01\\x00\\x01\\x00\\x80\\x3e\\x00\\x00\\x00\\x7d\\x00\\x00\\x02\\x00\\x10\\x00data\\x00\\x7d\\x00\\x00" + b"\\x00" * 32000, media_type="audio/wav")
        """

    @Test(.enabled(if: RealServerAccessLogTests.fastapi, "fastapi/uvicorn are not installed (pip install fastapi uvicorn; .ci/run does)"))
    func killingMainUnderLoadCostsOnlyTheRequestsInFlight() async throws { try await offThePool {
        let dir = ScratchDir()
        try Self.app.write(toFile: dir.path + "/app.py", atomically: true, encoding: .utf8)
        let log = dir.path + "/router.log"
        let result = dir.path + "/result.json"
        try RealWriterTests.write("""
            import json, signal, socket, subprocess, threading, time, urllib.error, urllib.request
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            for sig in (signal.SIGTERM, signal.SIGINT): signal.signal(sig, signal.SIG_DFL)
            def free():
                s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
            def up(url):
                for _ in range(300):
                    try:
                        urllib.request.urlopen(url + "/health", timeout=1); return True
                    except Exception:
                        time.sleep(0.05)
                return False
            ports = [free(), free(), free()]
            servers = [subprocess.Popen(["python3", "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(p), "--log-level", "warning"],
                                        cwd="\(dir.path)") for p in ports[:2]]
            router = subprocess.Popen(["\(TTSMonBinary.url.path)", "router", "--listen", "127.0.0.1:%d" % ports[2], "--log", "\(log)",
                                       "--probe-interval", "0.5", "--timeout", "1", "main=http://127.0.0.1:%d" % ports[0], "standby=http://127.0.0.1:%d" % ports[1]],
                                      stderr=subprocess.DEVNULL)
            base = "http://127.0.0.1:%d" % ports[2]
            counts = {"ok": 0, "failed": 0, "statuses": {}, "ok_ids": [], "failed_ids": []}
            lock = threading.Lock()
            stop = time.time() + 4
            def client(k):
                n = 0
                while time.time() < stop:
                    n += 1
                    rid = "c%d-%d" % (k, n)
                    req = urllib.request.Request(base + "/tts", data=json.dumps({"text": "你好"}).encode(), method="POST",
                                                 headers={"Content-Type": "application/json", "X-Request-ID": rid})
                    try:
                        with urllib.request.urlopen(req, timeout=10) as r: r.read(); status = r.status
                    except urllib.error.HTTPError as e: status = e.code
                    except Exception as e: status = "error"
                    with lock:
                        counts["ok" if status == 200 else "failed"] += 1
                        counts["ok_ids" if status == 200 else "failed_ids"].append(rid)
                        counts["statuses"][str(status)] = counts["statuses"].get(str(status), 0) + 1
            try:
                assert up("http://127.0.0.1:%d" % ports[0]) and up("http://127.0.0.1:%d" % ports[1]) and up(base)
                time.sleep(1.2)   # a probe round has seen both
                threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
                for t in threads: t.start()
                time.sleep(1.5)
                servers[0].kill()
                for t in threads: t.join()
                # The probes see main gone (a probe in flight at the kill waits its timeout).
                for _ in range(100):
                    if "switching to standby" in open("\(log)").read(): break
                    time.sleep(0.1)
            finally:
                router.terminate()
                try: router.wait(10)
                except subprocess.TimeoutExpired: router.kill()
                for s in servers:
                    s.kill(); s.wait()
            counts["router_rc"] = router.returncode
            json.dump(counts, open("\(result)", "w"))
            """)
        let counts = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: result))) as? [String: Any]
        let okIDs = Set(counts?["ok_ids"] as? [String] ?? [])
        let ok = counts?["ok"] as? Int ?? -1, failed = counts?["failed"] as? Int ?? -1
        #expect(ok > 20, "\(counts ?? [:])")
        #expect(failed <= 4, "at most the four requests in flight fail: \(counts ?? [:])")
        #expect(counts?["router_rc"] as? Int == 0, "SIGTERM ends the router cleanly")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("main instance failed, switching to standby"))
        // Every request a client saw succeed is logged as a success under its id.
        let loggedOK = Set(text.split(separator: "\n").filter { $0.contains("synthesis_complete") && $0.contains("status=success") }
            .compactMap { line in line.range(of: "id=").map { String(line[$0.upperBound...].prefix { $0 != "," }) } })
        #expect(okIDs == loggedOK, "seen by clients, not logged: \(okIDs.subtracting(loggedOK).sorted()); logged, not seen: \(loggedOK.subtracting(okIDs).sorted())")
        let (_, json, _) = try TTSMonBinary.run(["report", "--format", "json", log])
        #expect(json.contains(#""total": \#(ok + failed), "success": \#(ok), "failed": \#(failed)"#), "the log's totals are what the clients saw: \(json)")
    } }
}
