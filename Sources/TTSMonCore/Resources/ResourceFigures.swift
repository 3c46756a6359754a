/// One sample of the host, the watched processes and the GPUs (`--process`, nvidia-smi).
public struct ResourceFigures: Sendable, Equatable {
    public struct Host: Sendable, Equatable {
        /// Busy share of all CPUs since the previous sample; nil on the first.
        public var cpuPercent: Double?
        public var load1: Double?
        public var memoryUsedPercent: Double?
        /// Free space on `--disk`'s file system, in percent (nil without `--disk`).
        public var diskFreePercent: Double?
        public init(cpuPercent: Double? = nil, load1: Double? = nil, memoryUsedPercent: Double? = nil, diskFreePercent: Double? = nil) {
            self.cpuPercent = cpuPercent; self.load1 = load1; self.memoryUsedPercent = memoryUsedPercent
            self.diskFreePercent = diskFreePercent
        }
    }

    public struct Process: Sendable, Equatable {
        /// How it was asked for (`--process`): the name, `:port`, or the pid's command.
        public var name: String
        /// Nil while no process matches (gone, or not started yet).
        public var pid: Int?
        /// Percent of one core since the previous sample (above 100 on several cores).
        public var cpuPercent: Double?
        public var rssMB: Double?
        /// Least-squares slope of the resident size over up to the last 10 minutes, once
        /// there are five samples.
        public var rssGrowthMBPerHour: Double?
        public var threads: Int?
        /// Open file descriptors (nil where `/proc/PID/fd` cannot be read).
        public var fds: Int?
        /// Recent samples, oldest first, for the panel's charts.
        public var recentCPU: [Double] = []
        public var recentRSS: [Double] = []

        public var gone: Bool { pid == nil }

        public init(name: String, pid: Int? = nil, cpuPercent: Double? = nil, rssMB: Double? = nil,
                    rssGrowthMBPerHour: Double? = nil, threads: Int? = nil, fds: Int? = nil) {
            self.name = name; self.pid = pid; self.cpuPercent = cpuPercent; self.rssMB = rssMB
            self.rssGrowthMBPerHour = rssGrowthMBPerHour; self.threads = threads; self.fds = fds
        }
    }

    public struct GPU: Sendable, Equatable {
        public var index: Int
        public var utilPercent: Double?
        /// MiB, as nvidia-smi prints it.
        public var memoryUsedMB: Double?
        public var memoryTotalMB: Double?
        public init(index: Int, utilPercent: Double?, memoryUsedMB: Double?, memoryTotalMB: Double?) {
            self.index = index; self.utilPercent = utilPercent; self.memoryUsedMB = memoryUsedMB; self.memoryTotalMB = memoryTotalMB
        }
    }

    public var host: Host
    public var processes: [Process]
    public var gpus: [GPU]
    /// Why there are no GPU figures (no nvidia-smi, it failed or hung), when there are none.
    public var gpuProblem: String?

    public init(host: Host = Host(), processes: [Process] = [], gpus: [GPU] = [], gpuProblem: String? = nil) {
        self.host = host; self.processes = processes; self.gpus = gpus; self.gpuProblem = gpuProblem
    }

    /// The probe-clock alert inputs: the host's CPU, the fastest-growing process, the busiest GPU.
    public var alertInputs: ResourceAlertInputs {
        ResourceAlertInputs(hostCPUPercent: host.cpuPercent,
                            rssGrowthMBPerHour: processes.compactMap(\.rssGrowthMBPerHour).max(),
                            gpuUtilPercent: gpus.compactMap(\.utilPercent).max())
    }

    /// `watch`'s `host`, `processes` and `gpus` members.
    public var jsonMembers: [(String, JSONValue)] {
        [
            ("host", .object([("cpu_percent", .double(host.cpuPercent, places: 1)), ("load1", .double(host.load1, places: 2)),
                              ("memory_used_percent", .double(host.memoryUsedPercent, places: 1)),
                              ("disk_free_percent", .double(host.diskFreePercent, places: 1))])),
            ("processes", .array(processes.map { p in
                .object([("name", .string(Sanitizer.clean(p.name))), ("pid", .int(p.pid)),
                         ("cpu_percent", .double(p.cpuPercent, places: 1)), ("rss_mb", .double(p.rssMB, places: 1)),
                         ("rss_growth_mb_per_hour", .double(p.rssGrowthMBPerHour, places: 1)),
                         ("threads", .int(p.threads)), ("fds", .int(p.fds)), ("gone", .bool(p.gone))])
            })),
            ("gpus", .array(gpus.map { g in
                .object([("index", .int(g.index)), ("util_percent", .double(g.utilPercent, places: 1)),
                         ("memory_used_mb", .double(g.memoryUsedMB, places: 1)), ("memory_total_mb", .double(g.memoryTotalMB, places: 1))])
            })),
            ("gpu_problem", .string(gpus.isEmpty ? gpuProblem : nil)),
        ]
    }
}

/// What the resource rules compare (nil where nothing is known).
public struct ResourceAlertInputs: Sendable, Equatable {
    public var hostCPUPercent: Double?
    public var rssGrowthMBPerHour: Double?
    public var gpuUtilPercent: Double?
    public init(hostCPUPercent: Double? = nil, rssGrowthMBPerHour: Double? = nil, gpuUtilPercent: Double? = nil) {
        self.hostCPUPercent = hostCPUPercent; self.rssGrowthMBPerHour = rssGrowthMBPerHour; self.gpuUtilPercent = gpuUtilPercent
    }
}

extension ResourceFigures {
    /// `cpu 34.0% load 1.20 mem 61.0%; uvicorn cpu 98.0% rss 312MB +240MB/h` (watch's text line).
    public var text: String {
        func pct(_ v: Double?) -> String { v.map { LiveFormat.decimal($0, places: 1) + "%" } ?? "-" }
        var parts = ["cpu \(pct(host.cpuPercent)) load \(host.load1.map { LiveFormat.decimal($0, places: 2) } ?? "-") mem \(pct(host.memoryUsedPercent))"]
        for p in processes {
            guard !p.gone else { parts.append("\(Sanitizer.clean(p.name)) gone"); continue }
            var s = "\(Sanitizer.clean(p.name)) cpu \(pct(p.cpuPercent)) rss \(p.rssMB.map { LiveFormat.decimal($0, places: 0) } ?? "-")MB"
            if let g = p.rssGrowthMBPerHour { s += " \(g >= 0 ? "+" : "")\(LiveFormat.decimal(g, places: 0))MB/h" }
            parts.append(s)
        }
        for g in gpus { parts.append("gpu\(g.index) \(pct(g.utilPercent))") }
        return parts.joined(separator: "; ")
    }
}
