import TTSMonCore

/// The Resources panel: the host's CPU, load and memory, each `--process` (CPU, resident size
/// and its growth, threads, fds, with small charts when there is room) and the GPUs' use.
enum ResourcesPanel {
    /// Rows the panel would fill, borders included.
    static func wantedRows(_ r: ResourceFigures, charts: Bool) -> Int {
        // A process gets a chart row under it, unless it is gone.
        2 + 1 + r.processes.count + (charts ? r.processes.filter { !$0.gone }.count : 0) + r.gpus.count
            + (r.gpuProblem != nil && r.gpus.isEmpty ? 1 : 0)
    }

    static func render(_ grid: inout Grid, _ rect: Rect, _ s: DashboardState) {
        let inner = OverviewPanels.box(&grid, rect, .resources, s)
        guard !inner.isEmpty, let r = s.resources else { return }
        let right = inner.x + inner.width - 1
        var y = inner.y
        let bottom = inner.y + inner.height
        // Charts under each process only when every line still fits.
        let charts = wantedRows(r, charts: true) - 2 <= inner.height
        var x = inner.x + 1
        x += grid.put("host cpu ", x: x, y: y, role: .label)
        x += grid.put(percent(r.host.cpuPercent), x: x, y: y, role: role(r.host.cpuPercent, warn: 60, crit: 80), bold: true)
        x += grid.put("  load ", x: x, y: y, role: .label)
        x += grid.put(r.host.load1.map { LiveFormat.decimal($0, places: 2) } ?? "-", x: x, y: y, role: .value)
        x += grid.put("  mem ", x: x, y: y, role: .label)
        x += grid.put(percent(r.host.memoryUsedPercent), x: x, y: y, role: role(r.host.memoryUsedPercent, warn: 85, crit: 95),
                      maxWidth: max(0, right - x))
        if let free = r.host.diskFreePercent, x + 14 <= right {
            x += grid.put("  disk ", x: x, y: y, role: .label)
            x += grid.put(percent(free), x: x, y: y, role: free < 10 ? .crit : free < 20 ? .warn : .ok)
            grid.put(" free", x: x, y: y, role: .label, maxWidth: max(0, right - x))
        }
        y += 1
        for p in r.processes where y < bottom {
            process(&grid, p, x: inner.x + 1, y: y, right: right)
            y += 1
            if charts, y < bottom, !p.gone {
                let half = (right - inner.x - 2) / 2
                // CPU against one core; the resident size from its low point, so a steady size
                // is a low line and growth climbs (changes under 16 MB stay small).
                grid.put("cpu", x: inner.x + 2, y: y, role: .label)
                Widgets.sparkline(&grid, x: inner.x + 6, y: y, width: max(0, half - 6), values: p.recentCPU,
                                  top: max(100, p.recentCPU.max() ?? 0))
                grid.put("rss", x: inner.x + 2 + half, y: y, role: .label)
                let width = max(0, right - inner.x - 6 - half)
                let shown = p.recentRSS.suffix(width)
                let low = shown.min() ?? 0
                let rise = shown.map { $0 - low + 0.5 }
                Widgets.sparkline(&grid, x: inner.x + 6 + half, y: y, width: width, values: rise, top: max(16, rise.max() ?? 0))
                y += 1
            }
        }
        for g in r.gpus where y < bottom {
            gpu(&grid, g, x: inner.x + 1, y: y, right: right)
            y += 1
        }
        if r.gpus.isEmpty, let problem = r.gpuProblem, y < bottom {
            grid.put(problem, x: inner.x + 1, y: y, role: .muted, maxWidth: inner.width - 2)
        }
    }

    /// `GPU0 ████████│░ 98.0%  mem ██████░░ 14.9/16.0G`: utilisation and memory, each a bar when
    /// there is room (the utilisation's marks GPUSaturated's 95 %).
    static func gpu(_ grid: inout Grid, _ g: ResourceFigures.GPU, x start: Int, y: Int, right: Int) {
        var x = start
        x += grid.put("GPU\(g.index) ", x: x, y: y, role: .label)
        let util = percent(g.utilPercent)
        let memoryShare = g.memoryUsedMB.flatMap { used in g.memoryTotalMB.map { $0 > 0 ? used / $0 * 100 : 0 } }
        let memory = g.memoryUsedMB.map { used in
            LiveFormat.decimal(used / 1024, places: 1) + (g.memoryTotalMB.map { "/" + LiveFormat.decimal($0 / 1024, places: 1) } ?? "") + "G"
        } ?? "-"
        let utilRole = role(g.utilPercent, warn: 80, crit: 95), memoryRole = role(memoryShare, warn: 85, crit: 95)
        let bars = max(0, right - x - util.count - memory.count - 8) / 2
        if bars >= 4 {
            Widgets.gauge(&grid, x: x, y: y, width: min(20, bars), percent: g.utilPercent ?? 0, threshold: 95, role: utilRole)
            x += min(20, bars) + 1
        }
        x += grid.put(util, x: x, y: y, role: utilRole, bold: true)
        x += grid.put("  mem ", x: x, y: y, role: .label)
        if bars >= 4, let memoryShare {
            Widgets.gauge(&grid, x: x, y: y, width: min(20, bars), percent: memoryShare, threshold: nil, role: memoryRole)
            x += min(20, bars) + 1
        }
        grid.put(memory, x: x, y: y, role: memoryRole == .muted ? .value : memoryRole, maxWidth: max(0, right - x))
    }

    /// `uvicorn  cpu 98.0%  rss 312 MB  +240 MB/h  thr 12  fd 40  pid 1234`, or `uvicorn  gone`.
    static func process(_ grid: inout Grid, _ p: ResourceFigures.Process, x start: Int, y: Int, right: Int) {
        var x = start
        x += grid.put(String(p.name.prefix(18)), x: x, y: y, role: .value, bold: true)
        guard let pid = p.pid else {
            grid.put("  gone", x: x, y: y, role: .crit, maxWidth: max(0, right - x))
            return
        }
        let growth = p.rssGrowthMBPerHour
        // Most telling first: what does not fit at the right is left out.
        let parts: [(String, String, Role)] = [
            ("  cpu ", percent(p.cpuPercent), role(p.cpuPercent, warn: 80, crit: 95)),
            ("  rss ", p.rssMB.map { LiveFormat.decimal($0, places: 0) + " MB" } ?? "-", .value),
            ("  ", growth.map { ($0 >= 0 ? "+" : "") + LiveFormat.decimal($0, places: 0) + " MB/h" } ?? "", role(growth, warn: 50, crit: 200)),
            ("  thr ", p.threads.map(String.init) ?? "-", .value),
            ("  fd ", p.fds.map(String.init) ?? "-", .value),
            ("  pid ", "\(pid)", .muted),
        ]
        for (label, value, valueRole) in parts where !value.isEmpty {
            guard x + label.count + value.count <= right else { break }
            x += grid.put(label, x: x, y: y, role: .label)
            x += grid.put(value, x: x, y: y, role: valueRole)
        }
    }

    static func percent(_ v: Double?) -> String { v.map { LiveFormat.decimal($0, places: 1) + "%" } ?? "-" }

    static func role(_ v: Double?, warn: Double, crit: Double) -> Role {
        guard let v else { return .muted }
        return v >= crit ? .crit : v >= warn ? .warn : .ok
    }
}
