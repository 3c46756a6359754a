import Foundation
import Testing
import TTSMonCore
import TTSMonNet
import TTSMonUI

/// Issue 9: a real Prometheus (Debian `prometheus`) on loopback scrapes two `ttsmon export`
/// processes fed by generated logs; PromQL over what it scraped agrees with `ttsmon report` on
/// the same logs, the rules of `ttsmon rules --format prometheus` load, and the dashboard's
/// fleet queries fill the panels.
@Suite(.serialized) struct FleetPrometheusTests {
    static let prometheus = Tmux.which("prometheus")
    static let promtool = Tmux.which("promtool")

    final class Processes {
        var all: [Process] = []
        func start(_ path: String, _ arguments: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = arguments
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            all.append(p)
        }
        deinit { for p in all where p.isRunning { p.terminate(); p.waitUntilExit() } }
    }

    /// What `ttsmon report` computes over these files (the engine, in process).
    static func report(_ paths: [String]) throws -> ReportSummary {
        ReportSummary(try ReportRunner.run(ReportOptions(inputs: paths.map(LogInput.init(path:)))))
    }

    @Test(.enabled(if: prometheus != nil, "prometheus is not installed (apt-get install prometheus; .ci/run does)"))
    func promQLAgreesWithReport() async throws { try await offThePool {
        let dir = ScratchDir()
        // Two instances: an IndexTTS log with an incident and a ChatTTS log (5xx codes).
        var paths: [String] = []
        for (name, format, seed) in [("a", GeneratedFormat.indexTTS, UInt64(5)), ("b", .chatTTS, 6)] {
            var options = GeneratorOptions(outputDirectory: dir.path + "/gen-" + name, requests: 3000)
            options.seed = seed
            options.format = format
            options.incident = format == .indexTTS
            _ = try LogGenerator.generate(options)
            paths.append(dir.path + "/gen-" + name + "/app.log")
        }
        let reports = try paths.map { try Self.report([$0]) }
        let both = try Self.report(paths)
        // The exported logs start with the first half of each and get the rest while scraped.
        let halves = try paths.map { path -> (Data, Data) in
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            var cut = data.count / 2
            while data[cut - 1] != 10 { cut += 1 }
            return (data.prefix(cut), data.suffix(from: cut))
        }
        let live = ["a", "b"].map { dir.path + "/\($0).log" }
        for (i, path) in live.enumerated() { try halves[i].0.write(to: URL(fileURLWithPath: path)) }

        let processes = Processes()
        let exportPorts = [freeLoopbackPort(), freeLoopbackPort()]
        for (i, path) in live.enumerated() {
            try processes.start(TTSMonBinary.url.path, ["export", "--log", path, "--listen", "127.0.0.1:\(exportPorts[i])", "--duration", "180"])
        }
        let (_, rules, _) = try TTSMonBinary.run(["rules", "--format", "prometheus"])
        try rules.write(toFile: dir.path + "/rules.yml", atomically: true, encoding: .utf8)
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: ["\(dir.path)/rules.yml"]
            scrape_configs:
              - job_name: tts
                static_configs:
                  - targets: ["127.0.0.1:\(exportPorts[0])", "127.0.0.1:\(exportPorts[1])"]
            """
        try config.write(toFile: dir.path + "/prometheus.yml", atomically: true, encoding: .utf8)
        let promPort = freeLoopbackPort()
        try processes.start(Self.prometheus!, ["--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/tsdb",
                                                "--web.listen-address=127.0.0.1:\(promPort)"])
        let client = PromQLClient(base: "http://127.0.0.1:\(promPort)", timeout: 3)
        defer { try? DashboardTmuxTests.blocking { await client.shutdown() } }
        func query(_ q: String) -> [PromSample] {
            (try? DashboardTmuxTests.blocking { await client.query(q) }.get()) ?? []
        }
        func value(_ q: String) -> Double? { query(q).first?.value }
        func waitFor(_ seconds: Double, _ what: String, _ condition: () -> Bool) {
            let deadline = Date().addingTimeInterval(seconds)
            while !condition(), Date() < deadline { Thread.sleep(forTimeInterval: 0.3) }
            #expect(condition(), "timed out waiting for \(what)")
        }
        waitFor(60, "both exporters up") { value("count(up{job=\"tts\"} == 1)") == 2 }
        waitFor(30, "the first halves") { (value("sum(ttsmon_requests_total)") ?? 0) > 0 }
        Thread.sleep(forTimeInterval: 2)
        for (i, path) in live.enumerated() {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try h.seekToEnd(); h.write(halves[i].1); try h.close()
        }
        waitFor(30, "every request scraped") { value("sum(ttsmon_requests_total)") == Double(both.total) }

        // Counts are exact: total, by status, by error code, 5xx, per instance.
        #expect(value("sum(ttsmon_requests_total)") == Double(both.total))
        #expect(value("sum(ttsmon_requests_total{status=\"failed\"})") == Double(both.failed))
        #expect(value("sum(ttsmon_requests_total{code=~\"5..\"})") == Double(both.serverErrors))
        let byCode = Dictionary(query("sum by (code) (ttsmon_requests_total{status=\"failed\"})").map { ($0.labels["code"]!, Int($0.value)) },
                                uniquingKeysWith: +)
        #expect(byCode == Dictionary(both.errors.map { ($0.code, $0.count) }, uniquingKeysWith: +))
        for (i, port) in exportPorts.enumerated() {
            #expect(value("sum(ttsmon_requests_total{instance=\"127.0.0.1:\(port)\"})") == Double(reports[i].total))
        }
        // Quantiles fall within the bucket that holds the exact value.
        let bounds = [0.0] + PrometheusExporter.latencyBuckets + [Double.infinity]
        for (q, exactMs) in [(0.5, both.latency.p50), (0.95, both.latency.p95), (0.99, both.latency.p99)] {
            let exact = Double(exactMs!) / 1000
            let estimate = value("histogram_quantile(\(q), sum by (le) (ttsmon_request_duration_seconds_bucket))")!
            let upper = bounds.first { $0 >= exact }!
            let lower = bounds.last { $0 < exact } ?? 0
            #expect(estimate >= lower && estimate <= upper, "q=\(q): exact \(exact)s, PromQL \(estimate)s, bucket \(lower)…\(upper)")
        }
        // The generated rules loaded and evaluate.
        Thread.sleep(forTimeInterval: 2)   // a rule evaluation or two
        let fetcher = HTTPFetcher(timeout: 3)
        defer { try? DashboardTmuxTests.blocking { await fetcher.shutdown() } }
        let rulesAnswer = try DashboardTmuxTests.blocking { await fetcher.get("http://127.0.0.1:\(promPort)/api/v1/rules") }.get()
        let rulesText = String(decoding: rulesAnswer.body, as: UTF8.self)
        for rule in AlertRule.builtIn { #expect(rulesText.contains("\"name\":\"\(rule.name)\""), "\(rule.name) loaded") }
        #expect(!rulesText.contains("\"health\":\"err\""), "a rule failed to evaluate: \(rulesText.prefix(2000))")
        // What the exporter serves passes promtool's lint.
        if let promtool = Self.promtool {
            let metrics = try DashboardTmuxTests.blocking { await fetcher.get("http://127.0.0.1:\(exportPorts[0])/metrics") }.get()
            let file = dir.path + "/metrics.txt"
            try metrics.body.write(to: URL(fileURLWithPath: file))
            let check = Process()
            check.executableURL = URL(fileURLWithPath: "/bin/sh")
            check.arguments = ["-c", "'\(promtool)' check metrics < '\(file)'"]
            let pipe = Pipe()
            check.standardOutput = pipe; check.standardError = pipe
            try check.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            check.waitUntilExit()
            #expect(check.terminationStatus == 0, "promtool check metrics: \(text)")
        }

        // The dashboard, fed by the fleet queries.
        let reading = try DashboardTmuxTests.blocking { await FleetQueries(selector: "{job=\"tts\"}", window: .fiveMinutes).read(client) }
        #expect(reading.reachable)
        #expect(reading.problems.isEmpty, "\(reading.problems)")
        #expect(reading.snapshot.requests.total == both.total)
        #expect(reading.snapshot.requests.qps > 0)
        #expect(reading.instances.count == 2 && reading.instances.allSatisfy(\.up))
        // The split view's per-instance queries: each instance's own figures.
        for (i, port) in exportPorts.enumerated() {
            let narrowed = FleetQueries(selector: "{job=\"tts\"}", window: .fiveMinutes).narrowed(to: "127.0.0.1:\(port)")
            let one = try DashboardTmuxTests.blocking { await narrowed.read(client) }
            #expect(one.snapshot.requests.total == reports[i].total)
        }
        var state = DashboardState(snapshot: reading.snapshot)
        state.fleet = true
        state.clock = "12:00:00"
        state.targets = reading.instances.map {
            TargetLine(name: $0.instance, active: false, up: $0.up, latencyMs: $0.p95Ms, lastError: nil, ageSeconds: nil,
                       note: $0.cachePercent.map { String(format: "cache %.1f%%", $0) })
        }
        let screen = DashboardView.render(state, width: 150, height: 45).text
        #expect(screen.contains("Instances (2/2 up)"))
        #expect(screen.contains("cache "), "cache fill per instance")
        for port in exportPorts { #expect(screen.contains("127.0.0.1:\(port)")) }
        #expect(screen.contains("total \(both.total)"))
        #expect(screen.contains(reading.snapshot.errors.first?.code ?? "no error code"))
        #expect(!screen.contains("p95 -"))
    } }
}
