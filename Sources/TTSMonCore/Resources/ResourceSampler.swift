import Foundation

/// Samples the host, the `--process` selections and (through a `GPUMonitor`) the GPUs, from
/// `/proc`; CPU shares are taken between consecutive samples. One thread calls `sample`.
public final class ResourceSampler {
    struct Watched {
        let selector: ProcessSelector
        let label: String?
        var pid: Int?
        var startTicks: UInt64 = 0
        var command: String?
        var lastCPU: (ticks: UInt64, at: Double)?
        var trend = GrowthTrend()
        var recentCPU: [Double] = []
        var recentRSS: [Double] = []
        /// When a selector that found nothing may look again (a port's scan reads every fd).
        var nextResolve: Double = 0
    }

    let root: String
    private var watched: [Watched]
    private var lastHost: ProcFS.CPUTimes?
    public let gpu: GPUMonitor?
    /// Samples kept per process for the panel's charts.
    static let recentCount = 120

    /// `procRoot` is `/proc` but for tests.
    public init(processes: [WatchedProcess], gpu: GPUMonitor? = nil, procRoot: String = "/proc") {
        root = procRoot
        watched = processes.map { Watched(selector: $0.selector, label: $0.label) }
        self.gpu = gpu
    }

    /// One sample at `now` (a monotonic or wall clock in seconds).
    public func sample(now: Double) -> ResourceFigures {
        var figures = ResourceFigures()
        if let times = ProcFS.text("\(root)/stat").flatMap(ProcFS.CPUTimes.parse) {
            figures.host.cpuPercent = lastHost.flatMap { times.percent(since: $0) }
            lastHost = times
        }
        figures.host.load1 = ProcFS.text("\(root)/loadavg").flatMap(ProcFS.load1)
        figures.host.memoryUsedPercent = ProcFS.text("\(root)/meminfo").flatMap(ProcFS.memoryUsedPercent)
        for i in watched.indices { figures.processes.append(sample(&watched[i], now: now)) }
        if let gpu { (figures.gpus, figures.gpuProblem) = gpu.latest }
        return figures
    }

    private func sample(_ w: inout Watched, now: Double) -> ResourceFigures.Process {
        var stat = w.pid.flatMap { pid in ProcFS.text("\(root)/\(pid)/stat").flatMap(ProcFS.ProcessStat.parse) }
        if stat?.ended == true { stat = nil }
        // Gone, or the pid now belongs to another process.
        if stat == nil || stat?.startTicks != w.startTicks {
            if w.pid != nil { w.pid = nil; w.lastCPU = nil; w.trend.reset(); w.recentCPU = []; w.recentRSS = [] }
            stat = nil
            if w.selector.resolvesAgain || w.nextResolve == 0, now >= w.nextResolve {
                w.nextResolve = now + 5
                if let pid = w.selector.resolve(procRoot: root),
                   let found = ProcFS.text("\(root)/\(pid)/stat").flatMap(ProcFS.ProcessStat.parse), !found.ended {
                    w.pid = pid; w.startTicks = found.startTicks; w.command = found.command; stat = found
                }
            }
        }
        var p = ResourceFigures.Process(name: name(w))
        guard let pid = w.pid, let stat else { return p }
        p.pid = pid
        p.threads = stat.threads
        let rss = Double(stat.residentPages) * ProcFS.pageBytes / 1_048_576
        p.rssMB = rss
        if let last = w.lastCPU, now > last.at, stat.cpuTicks >= last.ticks {
            p.cpuPercent = Double(stat.cpuTicks - last.ticks) / ProcFS.ticksPerSecond / (now - last.at) * 100
        }
        w.lastCPU = (stat.cpuTicks, now)
        w.trend.add(rss, at: now)
        p.rssGrowthMBPerHour = w.trend.slopePerHour
        p.fds = ProcFS.numericEntries("\(root)/\(pid)/fd")?.count
        if let cpu = p.cpuPercent { Self.keep(&w.recentCPU, cpu) }
        Self.keep(&w.recentRSS, rss)
        p.recentCPU = w.recentCPU
        p.recentRSS = w.recentRSS
        return p
    }

    private func name(_ w: Watched) -> String {
        if let label = w.label { return label }
        if case .pid = w.selector, let command = w.command { return command }
        return w.selector.description
    }

    private static func keep(_ series: inout [Double], _ value: Double) {
        if series.count >= recentCount { series.removeFirst(series.count - recentCount + 1) }
        series.append(value)
    }
}
