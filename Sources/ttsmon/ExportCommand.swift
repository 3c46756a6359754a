import ArgumentParser
import Foundation
import TTSMonCore
import TTSMonNet

/// `ttsmon export`: follows logs (and probes targets) and serves `/metrics` for Prometheus.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Serve the logs' and probes' figures as Prometheus metrics (/metrics).",
        discussion: """
            Reads what the logs hold at start, then follows them like `watch`. Counters survive log rotation and \
            never reset while the process lives. Binds 127.0.0.1 unless --listen names another address.
            """
    )

    @Option(name: .customLong("log"), help: "A log to follow (repeatable; globs allowed; - for standard input).")
    var logs: [String] = []
    @Option(name: .customLong("probe"), help: "A target to probe as NAME=URL (repeatable; the first is main).")
    var probes: [String] = []
    @Option(help: "Address to serve on, HOST:PORT.") var listen = "127.0.0.1:9464"
    @Option(name: .customLong("probe-interval"), help: "Seconds between probe rounds.") var probeInterval: Double = 5
    @Option(help: "Seconds each probe request may take.") var timeout: Double = 3
    @Option(name: .customLong("disk"), help: "Export free space of the file system holding PATH.") var disk: String?
    @Option(help: "Stop after this many seconds (for scripts).") var duration: Double?
    @Option(name: .customLong("process"), help: "Export a process's CPU and resident memory: PID, NAME (found in command lines) or :PORT; repeatable.")
    var processes: [String] = []
    @OptionGroup var formatFiles: FormatFileOptions

    func validate() throws {
        try check(probeInterval, "--probe-interval", .probeInterval)
        try check(timeout, "--timeout", .timeout)
        try check(duration, "--duration", .runDuration)
        for p in processes where WatchedProcess(p) == nil {
            throw ValidationError("--process '\(p)': expected a PID, a NAME or :PORT (optionally LABEL=…)")
        }
    }

    func run() throws {
        guard !logs.isEmpty || !probes.isEmpty else { fail("export: give at least one --log PATH or --probe NAME=URL", code: 2) }
        guard let (host, port) = Self.parseListen(listen) else {
            fail("export: --listen '\(listen)': expected HOST:PORT, e.g. 127.0.0.1:9464", code: 2)
        }
        let targets = parseTargets(probes, command: "export")
        let exporter = PrometheusExporter()
        var configuration = LiveMetrics.Configuration()
        configuration.observer = exporter
        let collector = LiveCollector(paths: LiveCollector.expand(logs), configuration: configuration, formats: formatFiles.load())
        let server = HTTPServer { request in
            guard request.path == "/metrics" else {
                return .respond(status: 404, contentType: "text/plain", body: Array("see /metrics\n".utf8))
            }
            return .respond(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(exporter.render().utf8))
        }
        let bound: Int
        do { bound = try blockingAsync { try await server.start(host: host, port: port) } } catch {
            fail("export: cannot listen on \(listen): \(error)", code: 1)
        }
        note("serving metrics on http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/metrics")
        defer { try? blockingAsync { await server.stop() } }

        var failover = FailoverState(targets: targets.map(\.name))
        let mailbox = Mailbox<[ProbeResult]>()
        let probeTask = targets.isEmpty ? nil : startProbeRounds(targets, every: probeInterval, timeout: timeout, into: mailbox)
        defer { probeTask?.cancel() }

        let stop = StopSignal.install()
        let started = Date()
        var lastGauges = Date.distantPast
        let monitor = ResourceMonitor(ResourceSampler(processes: processes.compactMap(WatchedProcess.init), gpu: GPUMonitor()))
        defer { monitor.stop() }
        var exportedGPUs = Set<Int>()
        while !stop.requested {
            // Read in bounded steps so the gauges stay fresh while a long history loads.
            let got = collector.poll(budgetBytes: 16 << 20)
            for message in collector.drainNotes() { note(message) }
            for results in mailbox.take() {
                _ = failover.record(results, at: WallClock.logTime())
                for r in results {
                    let labels = [("target", r.target.name)]
                    exporter.set(ExportMetric.probeUp, labels: labels, help: "1 when the target's last probe (health and synthesis) passed.", r.up ? 1 : 0)
                    if let ms = r.synthesis.ms {
                        exporter.set(ExportMetric.probeDuration, labels: labels, help: "Duration of the target's last synthesis probe in seconds.", Double(ms) / 1000)
                    }
                }
            }
            let now = Date()
            if now.timeIntervalSince(lastGauges) >= 1 {
                updateGauges(exporter, collector: collector, failover: failover, targets: targets, now: now)
                if let sample = monitor.latest { exportedGPUs = Self.export(sample, to: exporter, gpusBefore: exportedGPUs) }
                lastGauges = now
            }
            if let duration, now.timeIntervalSince(started) >= duration { break }
            if !got { Thread.sleep(forTimeInterval: 0.1) }
        }
    }

    func updateGauges(_ exporter: PrometheusExporter, collector: LiveCollector, failover: FailoverState,
                      targets: [ProbeTarget], now: Date) {
        let metrics = collector.metrics
        exporter.count(ExportMetric.linesTotal, help: "Log lines read since start.", total: metrics.lines.total)
        exporter.count(ExportMetric.unparsedLines, help: "Log lines that were neither a record nor part of a traceback.", total: metrics.lines.unparsed)
        exporter.set(ExportMetric.inFlight, help: "TTS requests started and not yet completed.", Double(metrics.requestsInFlight))
        let cache = metrics.latestCache
        if let used = cache.usedPercent {
            exporter.set(ExportMetric.cacheUsed, help: "Cache directory fill from the latest cache reading (0-1).", used / 100)
        }
        if let threshold = cache.threshold {
            exporter.set(ExportMetric.cacheThreshold, help: "The cache fill threshold the service logs (0-1).", threshold / 100)
        }
        let onStandby: Bool? = targets.isEmpty ? metrics.loggedActiveInstance.map { $0 != "main" } : failover.active.map { $0 != failover.main }
        exporter.set(ExportMetric.trafficOnStandby, help: "1 while traffic is not on main (from probes, or the router's failover lines).",
                     onStandby == true ? 1 : 0)
        for t in targets {
            exporter.set(ExportMetric.activeTarget, labels: [("target", t.name)], help: "1 for the target traffic is on.",
                         failover.active == t.name ? 1 : 0)
        }
        for s in collector.sourceStatus(wallNow: now) {
            if let lag = s.lagSeconds {
                exporter.set(ExportMetric.sourceLag, labels: [("source", Sanitizer.clean(s.path))],
                             help: "Seconds since the source last delivered a line.", lag)
            }
        }
        if let disk, let free = DiskSpace.freePercent(path: disk) {
            exporter.set(ExportMetric.diskFree, help: "Free share of the watched file system (0-1).", free / 100)
        }
    }

    /// The host's, processes' and GPUs' gauges (ratios and bytes, as Prometheus names them); a
    /// GPU no longer listed (nvidia-smi failing, a card gone) drops out. Returns the GPUs exported.
    static func export(_ r: ResourceFigures, to exporter: PrometheusExporter, gpusBefore: Set<Int>) -> Set<Int> {
        if let cpu = r.host.cpuPercent {
            exporter.set(ExportMetric.hostCPU, help: "Busy share of the host's CPUs (0-1).", cpu / 100)
        }
        for p in r.processes {
            let labels = [("process", Sanitizer.clean(p.name))]
            if let cpu = p.cpuPercent {
                exporter.set(ExportMetric.processCPU, labels: labels, help: "CPU of a watched process, in cores (1 = one core busy).", cpu / 100)
            } else if p.gone { exporter.remove(ExportMetric.processCPU, labels: labels) }
            if let rss = p.rssMB {
                exporter.set(ExportMetric.processResident, labels: labels, help: "Resident memory of a watched process in bytes.", rss * 1_048_576)
            } else if p.gone { exporter.remove(ExportMetric.processResident, labels: labels) }
        }
        for g in r.gpus {
            let labels = [("gpu", String(g.index))]
            if let util = g.utilPercent {
                exporter.set(ExportMetric.gpuUtilization, labels: labels, help: "GPU utilisation from nvidia-smi (0-1).", util / 100)
            } else { exporter.remove(ExportMetric.gpuUtilization, labels: labels) }
            if let used = g.memoryUsedMB {
                exporter.set(ExportMetric.gpuMemoryUsed, labels: labels, help: "GPU memory in use from nvidia-smi, in bytes.", used * 1_048_576)
            } else { exporter.remove(ExportMetric.gpuMemoryUsed, labels: labels) }
        }
        let now = Set(r.gpus.map(\.index))
        for gone in gpusBefore.subtracting(now) {
            exporter.remove(ExportMetric.gpuUtilization, labels: [("gpu", String(gone))])
            exporter.remove(ExportMetric.gpuMemoryUsed, labels: [("gpu", String(gone))])
        }
        return now
    }

    /// `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`.
    static func parseListen(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
