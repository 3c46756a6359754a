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

    @Test func routesToStandbyWhenMainDiesAndLogsEveryRequest() throws {
        let dir = ScratchDir()
        let main = try DashboardTmuxTests.blocking { try await DashboardTmuxTests.healthyServer() }
        let standby = try DashboardTmuxTests.blocking { try await DashboardTmuxTests.healthyServer() }
        let port = Self.freePort()
        let log = dir.path + "/router.log"
        let router = Process()
        router.executableURL = TTSMonBinary.url
        router.arguments = ["router", "--listen", "127.0.0.1:\(port)", "--log", log, "--probe-interval", "0.2", "--duration", "8",
                            "main=http://127.0.0.1:\(main.port)", "standby=http://127.0.0.1:\(standby.port)"]
        router.standardError = FileHandle.nullDevice
        try router.run()
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
        router.waitUntilExit()
        #expect(router.terminationStatus == 0)
        try DashboardTmuxTests.blocking { await standby.stop() }
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("main instance failed, switching to standby"), "\(text)")
        let (rc, json, _) = try TTSMonBinary.run(["report", "--format", "json", log])
        #expect(rc == 0)
        // The probes' GET /health are probe traffic; each POST /tts is a request.
        #expect(json.contains(#""total": \#(answered)"#) && json.contains(#""failed": 0"#), "\(json)")
    }
}
