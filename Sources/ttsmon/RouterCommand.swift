import ArgumentParser
import Foundation
import TTSMonCore
import TTSMonNet

/// `ttsmon router`: seed 003's main/standby router, measuring every request into a log ttsmon reads.
struct RouterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "router",
        abstract: "Route TTS traffic to main while it passes a real synthesis probe, else standby; log every request.",
        discussion: """
            Each request except /admin/* goes to the active target; the answer streams back as the upstream sends it. \
            Every request is logged in the seed's layout (synthesis_start / synthesis_complete with id, duration_ms, \
            ttfb_ms, upstream, http_status, error_code), so report, watch, the dashboard and export read the log. \
            GET /admin/status answers the routing state; POST /admin/switch-to-main fails back (manual by default).
            """
    )

    @Option(help: "Address to serve on, HOST:PORT.") var listen = "127.0.0.1:8080"
    @Option(help: "The request log (rotated by size into .N.gz).") var log: String?
    @Option(name: .customLong("probe-interval"), help: "Seconds between probe rounds.") var probeInterval: Double = 5
    @Option(help: "Seconds each probe request may take.") var timeout: Double = 3
    @Option(name: .customLong("first-byte-timeout"), help: "Seconds an upstream may take to start its answer.") var firstByteTimeout: Double = 30
    @Option(name: .customLong("idle-timeout"), help: "Seconds an answer may pause between chunks.") var idleTimeout: Double = 30
    @Option(name: .customLong("fail-after"), help: "Failed probe rounds before traffic leaves a target.") var failAfter = 1
    @Option(name: .customLong("failback-after"), help: "Good probe rounds before main counts as recovered.") var failbackAfter = 2
    @Option(help: "Failback to main: manual (POST /admin/switch-to-main) or auto.") var failback: FailbackMode = .manual
    @Option(name: .customLong("max-upstream-connections"), help: "Connections kept to each target (more requests at once wait for one).")
    var maxUpstreamConnections = 128
    @Option(name: .customLong("rotate-bytes"), help: "Rotate the log at this many bytes.") var rotateBytes = 64 << 20
    @Option(name: .customLong("admin-token"), help: "Require Authorization: Bearer TOKEN on /admin/* (else loopback clients only).")
    var adminToken: String?
    @Flag(name: .customLong("log-requests"), inversion: .prefixedNo,
          help: "Log every request (off when the servers log their own and both logs are followed: each would count twice).")
    var logRequests = true
    @Option(help: "Stop after this many seconds (for scripts).") var duration: Double?
    @Argument(help: "Targets as NAME=URL, main first.") var targets: [String] = []

    func validate() throws {
        try check(probeInterval, "--probe-interval", .probeInterval)
        try check(timeout, "--timeout", .timeout)
        try check(firstByteTimeout, "--first-byte-timeout", .timeout)
        try check(idleTimeout, "--idle-timeout", .timeout)
        try check(duration, "--duration", .runDuration)
        try check(failAfter, "--fail-after", 1...100)
        try check(failbackAfter, "--failback-after", 1...100)
        try check(rotateBytes, "--rotate-bytes", 4096...(1 << 40))
        try check(maxUpstreamConnections, "--max-upstream-connections", 1...65_536)
    }

    func run() throws {
        guard !targets.isEmpty else { fail("router: give the targets as NAME=URL, main first", code: 2) }
        let parsed = parseTargets(targets, command: "router")
        guard let (host, port) = ExportCommand.parseListen(listen) else {
            fail("router: --listen '\(listen)': expected HOST:PORT, e.g. 127.0.0.1:8080", code: 2)
        }
        var options = TTSRouter.Options(targets: parsed)
        options.probeInterval = probeInterval
        options.probeTimeout = timeout
        options.firstByteTimeout = .milliseconds(Int64(firstByteTimeout * 1000))
        options.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        options.failAfter = failAfter
        options.failbackAfter = failbackAfter
        options.failback = failback
        options.rotateBytes = rotateBytes
        options.adminToken = adminToken
        options.logsRequests = logRequests
        options.maxUpstreamConnections = maxUpstreamConnections
        let router = TTSRouter(options: options, logPath: log)
        let bound: Int
        do { bound = try blockingAsync { try await router.start(host: host, port: port) } } catch {
            fail("router: cannot listen on \(listen): \(error)", code: 1)
        }
        note("routing on http://\(host.contains(":") ? "[\(host)]" : host):\(bound) to \(parsed.map(\.name).joined(separator: ", "))")
        defer { try? blockingAsync { await router.stop() } }
        let stop = StopSignal.install()
        let started = Date()
        while !stop.requested {
            if let duration, Date().timeIntervalSince(started) >= duration { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
