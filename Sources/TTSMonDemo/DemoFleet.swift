import AsyncHTTPClient
import Foundation
import NIOCore
import TTSMonCore
import TTSMonNet

/// The embedded fleet: main and standby TTS servers on loopback, `ttsmon router` in front of
/// them (seed 003: it probes them, sends traffic to the first healthy one and logs its
/// switches), and a traffic generator through the router (a few requests a second, CJK and
/// English, some long texts).
public final class DemoFleet: @unchecked Sendable {
    public let directory: String
    public let main: DemoInstance
    public let standby: DemoInstance
    public let routerLog: String
    let routerPortWanted: Int
    let rotateBytes: Int
    let lock = NSLock()
    var router: TTSRouter?
    public private(set) var routerPort = 0
    var tasks: [Task<Void, Never>] = []
    let client: HTTPClient
    public let rate: Double

    /// Creates the fleet in a temporary directory (ports from `portBase`, or free ones).
    public init(directory: String, portBase: Int? = nil, rate: Double = 4, rotateBytes: Int = 512 << 10) {
        self.directory = directory
        main = DemoInstance(name: "main", directory: directory, port: portBase ?? 0, rotateBytes: rotateBytes)
        standby = DemoInstance(name: "standby", directory: directory, port: portBase.map { $0 + 1 } ?? 0, rotateBytes: rotateBytes)
        routerLog = directory + "/router.log"
        routerPortWanted = portBase.map { $0 + 2 } ?? 0
        self.rotateBytes = rotateBytes
        client = .bounded(connect: .seconds(1), read: .seconds(10))
        self.rate = rate
    }

    public var targets: [ProbeTarget] {
        [ProbeTarget(name: "main", url: "http://127.0.0.1:\(main.port)"), ProbeTarget(name: "standby", url: "http://127.0.0.1:\(standby.port)")]
    }

    /// The logs the dashboard follows.
    public var logs: [String] { [main.logPath, standby.logPath, routerLog] }

    /// The router's URL (its `/admin/status` feeds the dashboard's Failover panel).
    public var routerURL: String { "http://127.0.0.1:\(lock.withLock { routerPort })" }

    /// The target traffic goes to now.
    public var active: String? { lock.withLock { router }?.active }

    public func start() async throws {
        try await main.start()
        try await standby.start()
        var options = TTSRouter.Options(targets: targets)
        options.probeInterval = 2
        options.probeTimeout = 2
        options.failAfter = 2          // one slow probe on a busy laptop is not an outage
        options.failbackAfter = 2
        options.failback = .auto
        options.firstByteTimeout = .seconds(15)
        options.rotateBytes = rotateBytes
        // The instances log every request with its stages; the router's lines would count each twice.
        options.logsRequests = false
        let router = TTSRouter(options: options, logPath: routerLog)
        let port = try await router.start(port: routerPortWanted)
        lock.withLock { self.router = router; routerPort = port }
        tasks.append(Task.detached { [self] in await self.trafficLoop() })
        tasks.append(Task.detached { [self] in await self.cacheLoop() })
    }

    static let texts = ["今天天气真好", "欢迎使用语音合成服务,请稍候。", "Hello, welcome to the speech service.", "您的验证码是四八二九一",
                        "The meeting starts at 10 a.m.", "列车即将进站,请站在安全线以内。", "Please hold while we connect your call.",
                        "春眠不觉晓,处处闻啼鸟。夜来风雨声,花落知多少。", "Your order #4521 has shipped 🎉"]

    func trafficLoop() async {
        var n = 0
        while !Task.isCancelled {
            n += 1
            var text = DemoFleet.texts[n % DemoFleet.texts.count]
            if n % 23 == 0 { text = String(repeating: text, count: 40) }   // a long text now and then
            do {
                let client = self.client
                let voice = ["female", "male", "alloy"][n % 3]
                let body = text
                let url = routerURL + "/tts"
                Task.detached { @Sendable in
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    let payload = (try? JSONSerialization.data(withJSONObject: ["text": body, "voice": voice])) ?? Data()
                    request.body = .bytes(ByteBuffer(bytes: payload))
                    if let response = try? await client.executeRetryingClosed(request, deadline: .now() + .seconds(15)) {
                        _ = try? await response.body.collect(upTo: 1 << 20)
                    }
                }
            }
            try? await Task.sleep(for: .milliseconds(Int64(1000 / max(0.5, rate) * Double.random(in: 0.5...1.5))))
        }
    }

    func cacheLoop() async {
        while !Task.isCancelled {
            main.cacheTick()
            standby.cacheTick()
            try? await Task.sleep(for: .seconds(3))
        }
    }

    /// Applies a fault key: 1 slow ×5, 2 error burst, 3 cache fill, 4 kill main, 5 HTML 200,
    /// 0 heal everything (main comes back; the router fails back once it passes 2 probes).
    @discardableResult
    public func apply(_ key: String) async -> String? {
        switch key {
        case "1": main.update { $0.slow = true }; return "fault 1: main slows down ×5"
        case "2": main.update { $0.errorBurst = true }; return "fault 2: error burst on main (~20 %)"
        case "3": main.update { $0.cacheClimb = true }; return "fault 3: main's cache fill climbs past 90 %"
        case "4": await main.kill(); return "fault 4: main killed (port refuses connections)"
        case "5": main.update { $0.html = true }; return "fault 5: main answers 200 text/html"
        case "0":
            let wasKilled = main.currentFaults.killed
            main.update { $0 = DemoFaults() }
            if wasKilled { try? await main.start() }
            return "0: healed; failing back to main"
        default: return nil
        }
    }

    /// Stops traffic, router and servers.
    public func stop() async {
        for t in tasks { t.cancel() }
        tasks.removeAll()
        await lock.withLock { router }?.stop()
        await main.stop()
        await standby.stop()
        try? await client.shutdown()
    }
}
