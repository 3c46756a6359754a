import Foundation
import Testing
import TTSMonCore
import TTSMonNet

/// Issue 8: `--alertmanager` against a real Alertmanager (Debian `prometheus-alertmanager`)
/// started on loopback: the alert arrives while it fires and leaves when it resolves.
@Suite(.serialized) struct AlertmanagerTests {
    static let binary = Tmux.which("prometheus-alertmanager") ?? Tmux.which("alertmanager")

    @Test(.enabled(if: binary != nil, "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager; .ci/run does)"))
    func alertArrivesAndResolves() async throws { try await offThePool {
        let dir = ScratchDir()
        let config = dir.path + "/am.yml"
        try "route:\n  receiver: \"null\"\n  group_wait: 0s\nreceivers:\n  - name: \"null\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let port = freeLoopbackPort()
        let am = Process()
        am.executableURL = URL(fileURLWithPath: Self.binary!)
        am.arguments = ["--config.file=\(config)", "--storage.path=\(dir.path)/data", "--web.listen-address=127.0.0.1:\(port)",
                        "--cluster.listen-address="]
        am.standardOutput = FileHandle.nullDevice
        am.standardError = FileHandle.nullDevice
        try am.run()
        defer { am.terminate(); am.waitUntilExit() }
        let base = "http://127.0.0.1:\(port)"
        let fetcher = HTTPFetcher(timeout: 2)
        defer { try? DashboardTmuxTests.blocking { await fetcher.shutdown() } }
        func alerts() -> String {
            let r = try? DashboardTmuxTests.blocking { await fetcher.get(base + "/api/v2/alerts") }
            if case .success(let answer)? = r, answer.status == 200 {
                return String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return "unreachable"
        }
        func waitFor(_ seconds: Double, _ condition: (String) -> Bool) -> String {
            let deadline = Date().addingTimeInterval(seconds)
            var last = alerts()
            while !condition(last), Date() < deadline { Thread.sleep(forTimeInterval: 0.2); last = alerts() }
            return last
        }
        #expect(waitFor(15) { $0 == "[]" } == "[]", "Alertmanager did not start")

        let log = dir.path + "/app.log"
        func line(_ second: Int, _ text: String) -> String { String(format: "2024-06-12 10:00:%02d,000 - %@\n", second, text) }
        let ok = "app.tts_engine - INFO - synthesis_complete: id=r%d, status=success, duration_ms=500, text_len=5"
        var text = line(0, String(format: ok, 0)) + line(1, "app.router - WARNING - main instance failed, switching to standby")
        for s in 2...6 { text += line(s, String(format: ok, s)) }
        try text.write(toFile: log, atomically: true, encoding: .utf8)

        let watch = Process()
        watch.executableURL = TTSMonBinary.url
        watch.arguments = ["watch", "--log", log, "--alertmanager", base, "--interval", "0.5"]
        let out = Pipe()
        watch.standardOutput = out
        watch.standardError = FileHandle.nullDevice
        let snapshots = LineCollector(out.fileHandleForReading)
        try watch.run()
        defer { if watch.isRunning { watch.terminate(); watch.waitUntilExit() } }

        let firing = waitFor(15) { $0.contains("\"alertname\":\"Failover\"") }
        #expect(firing.contains("\"alertname\":\"Failover\""), "no Failover alert arrived: \(firing)")
        #expect(firing.contains("\"state\":\"active\""))
        #expect(firing.contains("\"startsAt\":\"2024-06-12T"))
        let until = Date().addingTimeInterval(5)
        while Date() < until, !snapshots.all.contains(where: { $0.contains("\"name\": \"Failover\", \"state\": \"firing\"") }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(snapshots.all.contains { $0.contains("\"name\": \"Failover\", \"state\": \"firing\"") })

        // Traffic back on main: the resolved alert is posted and Alertmanager drops it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        handle.write(Data((line(8, "app.router - INFO - main instance recovered, switching to main")
                           + line(12, String(format: ok, 12))).utf8))
        try handle.close()
        #expect(waitFor(15) { $0 == "[]" } == "[]", "the alert did not resolve")
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !snapshots.all.contains(where: { $0.contains("\"state\": \"resolved\"") }) { Thread.sleep(forTimeInterval: 0.1) }
        #expect(snapshots.all.last { $0.contains("Failover") }?.contains("\"state\": \"resolved\"") == true)
    } }

    @Test func unreachableAlertmanagerNeverBlocksWatch() async throws { try await offThePool {
        // A port nobody listens on: watch keeps printing snapshots on time and stops when asked.
        let dir = ScratchDir()
        let log = dir.path + "/app.log"
        try "2024-06-12 10:00:01,000 - app.router - WARNING - main instance failed, switching to standby\n2024-06-12 10:00:09,000 - x - INFO - tick: a=1\n"
            .write(toFile: log, atomically: true, encoding: .utf8)
        let started = Date()
        let (code, out, _) = try TTSMonBinary.run(["watch", "--log", log, "--alertmanager", "http://127.0.0.1:\(freeLoopbackPort())",
                                                   "--interval", "0.5", "--duration", "3"])
        #expect(code == 0)
        #expect(Date().timeIntervalSince(started) < 12)
        #expect(out.split(separator: "\n").count >= 4)
        #expect(out.contains("\"state\": \"firing\""))
    } }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}
