import TTSMonCore

/// The overview: traffic, latency, stages, errors, cache, failover and events panels, laid out
/// in three columns when wide (≥ 120) and two when narrow.
enum OverviewPanels {
    static func render(_ grid: inout Grid, _ body: Rect, _ s: DashboardState) {
        if body.width >= 120 {
            let (c1, rest) = body.left(body.width * 36 / 100)
            let (c2, c3) = rest.left(rest.width / 2)
            // The charts take what the lists leave: stages and text lengths as tall as their
            // rows, traffic and latency share the rest of the first column, the heatmap the rest
            // of the second.
            let stageRows = min(max(3, s.snapshot.stages.count + 2), c1.height / 3)
            let chartRows = c1.height - stageRows
            var (a, r) = c1.top(max(5, chartRows * 45 / 100)); traffic(&grid, a, s)
            (a, r) = r.top(max(6, r.height - stageRows)); latency(&grid, a, s)
            stages(&grid, r, s)
            let lengthRows = min(max(3, s.snapshot.byTextLength.filter { $0.requests > 0 }.count + 2), c2.height / 4)
            // The heatmap: a row per latency band (two when there is room), an axis and borders.
            let heatRows = min(2 * LatencyBands.upperMs.count + 3, max(0, c2.height - lengthRows - 14))
            (a, r) = c2.top(c2.height - lengthRows - (heatRows >= 6 ? heatRows : 0)); errors(&grid, a, s)
            if heatRows >= 6 { (a, r) = r.top(heatRows); heatmap(&grid, a, s) }
            textLength(&grid, r, s)
            // Failover and events as tall as their rows: the newest requests take what is left.
            (a, r) = c3.top(min(c3.height / 2, 2 + max(1, s.targets.count) + min(4, s.failoverTimeline.count))); failover(&grid, a, s)
            (a, r) = r.top(4); cache(&grid, a, s)
            if let resources = s.resources {
                (a, r) = r.top(min(ResourcesPanel.wantedRows(resources, charts: true), r.height / 2)); ResourcesPanel.render(&grid, a, s)
            }
            // Events as tall as they need, the newest requests below them.
            let eventRows = max(3, EventRows.of(s).count + 2)
            if !s.latest.isEmpty, r.height - eventRows >= 4 {
                (a, r) = r.top(eventRows); events(&grid, a, s)
                LatestRequestsPanel.render(&grid, r, s)
            } else {
                events(&grid, r, s)
            }
        } else {
            let (c1, c2) = body.left(body.width / 2)
            var (a, r) = c1.top(4); traffic(&grid, a, s)
            (a, r) = r.top(5); latency(&grid, a, s)
            (a, r) = r.top(max(3, r.height - 4)); stages(&grid, a, s)
            cache(&grid, r, s)
            (a, r) = c2.top(max(6, c2.height * 40 / 100)); errors(&grid, a, s)
            (a, r) = r.top(max(4, 3 + max(1, s.targets.count) + min(2, s.failoverTimeline.count))); failover(&grid, a, s)
            if let resources = s.resources, r.height >= 6 {
                (a, r) = r.top(min(ResourcesPanel.wantedRows(resources, charts: false), r.height - 3)); ResourcesPanel.render(&grid, a, s)
            }
            events(&grid, r, s)
        }
    }

    static func box(_ grid: inout Grid, _ rect: Rect, _ panel: Panel, _ s: DashboardState, title: String? = nil) -> Rect {
        // Focus is marked in the title too, so it shows on a border that an alert turned red.
        let focused = s.focus == panel && s.route == .overview
        return Widgets.panel(&grid, rect, title: (focused ? "▶ " : "") + (title ?? panel.title), highlighted: s.alertedPanels.contains(panel))
            .withFocus(focused, grid: &grid, rect: rect)
    }

    static func traffic(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        let inner = box(&grid, r, .traffic, s)
        guard !inner.isEmpty else { return }
        if s.noLog { grid.put("no log", x: inner.x + 1, y: inner.y, role: .muted); return }
        let q = s.snapshot.requests
        var x = inner.x + 1
        x += grid.put("QPS ", x: x, y: inner.y, role: .label)
        x += grid.put(UIFormat.rate(q.qps) + "/s", x: x, y: inner.y, role: .value, bold: true)
        x += grid.put("  \(q.window) req in \(s.window.rawValue)", x: x, y: inner.y, role: .label)
        let total = "  total \(q.total)"
        if x + total.count < inner.x + inner.width { grid.put(total, x: x, y: inner.y, role: .muted) }
        // Tall enough: requests per second as a chart (ok and failed stacked) under the
        // figures; else a sparkline between them.
        // The headline figures stay at any size: the chart shrinks to a sparkline, then goes.
        let charted = inner.height >= 6
        let figuresRow = charted || inner.height < 3 ? 1 : 2
        if inner.height >= 3, !charted {
            Widgets.sparkline(&grid, x: inner.x + 1, y: inner.y + 1, width: inner.width - 2, values: s.snapshot.qpsSeries)
        }
        if inner.height > figuresRow {
            let y = inner.y + figuresRow
            let failed = q.window > 0 ? Double(q.failed) / Double(q.window) : nil
            var fx = inner.x + 1
            fx += grid.put("failed ", x: fx, y: y, role: .label)
            fx += grid.put(UIFormat.percent(failed), x: fx, y: y, role: (failed ?? 0) > 0.05 ? .crit : (failed ?? 0) > 0.01 ? .warn : .ok)
            fx += grid.put("  cache hit ", x: fx, y: y, role: .label)
            fx += grid.put(UIFormat.percent(s.snapshot.cacheHitRatio), x: fx, y: y, role: .value)
            let inFlight = "  in flight \(q.inFlight)"
            if fx + DisplayWidth.of(inFlight) < inner.x + inner.width - 1 {
                fx += grid.put("  in flight ", x: fx, y: y, role: .label)
                fx += grid.put("\(q.inFlight)", x: fx, y: y, role: .value)
            }
            if let fivexx = s.snapshot.serverErrorRatio, q.serverErrors > 0 {
                fx += grid.put("  5xx ", x: fx, y: y, role: .label)
                grid.put(UIFormat.percent(fivexx), x: fx, y: y, role: fivexx > 0.01 ? .crit : .warn)
            }
        }
        if charted {
            Charts.stackedRate(&grid, Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: inner.height - 2),
                               ok: s.snapshot.okSeries, failed: s.snapshot.failedSeries, window: s.window)
        }
    }

    static func latencyRole(_ v: Int?, warn: Int, crit: Int) -> Role {
        guard let v else { return .muted }
        return v > crit ? .crit : v > warn ? .warn : .ok
    }

    static func latency(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        let inner = box(&grid, r, .latency, s)
        guard !inner.isEmpty, !s.noLog else { return }
        let l = s.snapshot.latency
        let cells: [(String, Int?, Role)] = [
            ("p50", l.p50, latencyRole(l.p50, warn: 2000, crit: 4000)), ("p90", l.p90, latencyRole(l.p90, warn: 3000, crit: 4000)),
            ("p95", l.p95, latencyRole(l.p95, warn: 3000, crit: 5000)), ("p99", l.p99, latencyRole(l.p99, warn: 5000, crit: 8000)),
            ("max", l.max, .value),
        ]
        var x = inner.x + 1
        for (name, value, role) in cells {
            guard x + name.count + 1 + UIFormat.ms(value).count <= inner.x + inner.width - 1 else { break }
            x += grid.put(name + " ", x: x, y: inner.y, role: .label)
            x += grid.put(UIFormat.ms(value), x: x, y: inner.y, role: role, bold: true) + 2
        }
        let charted = inner.height >= 7
        if inner.height > 1, !charted {
            grid.put("p95", x: inner.x + 1, y: inner.y + 1, role: .label)
            let series = s.snapshot.p95Series.map { Double($0 ?? 0) }
            Widgets.sparkline(&grid, x: inner.x + 5, y: inner.y + 1, width: inner.width - 6, values: series)
        }
        var noteRow = charted ? 1 : 2
        if let rtf = s.snapshot.rtf, inner.height > 2 {
            // The real-time factor: at 1 synthesis no longer keeps up with speech.
            var x = inner.x + 1
            x += grid.put("RTF ", x: x, y: inner.y + noteRow, role: .label)
            for (name, value) in [("p50", rtf.p50), ("p95", rtf.p95)] {
                let text = String(format: "%.3f", value)
                guard x + name.count + 1 + text.count <= inner.x + inner.width - 1 else { break }
                x += grid.put(name + " ", x: x, y: inner.y + noteRow, role: .label)
                x += grid.put(text, x: x, y: inner.y + noteRow, role: value >= 1 ? .crit : value >= 0.8 ? .warn : .ok, bold: true) + 2
            }
            noteRow += 1
        }
        if inner.height > noteRow {
            let note = l.errorBound.isNaN ? String(format: "%d requests, from histogram buckets", l.count)
                : String(format: "%d samples, ±%.1f%%", l.count, l.errorBound * 100)
            var x = inner.x + 1 + grid.put(note, x: inner.x + 1, y: inner.y + noteRow, role: .muted, maxWidth: inner.width - 2)
            if charted {
                // The chart's legend.
                for (name, role) in [("p50", Role.sparkline), ("p95", .value), ("p99", .warn), ("alert", .threshold)]
                where x + 4 + name.count <= inner.x + inner.width - 1 {
                    x += grid.put("  ⣀ ", x: x, y: inner.y + noteRow, role: role)
                    x += grid.put(name, x: x, y: inner.y + noteRow, role: .muted)
                }
            }
        }
        if charted {
            let top = noteRow + 1
            let toDouble = { (v: [Int?]) in v.map { $0.map(Double.init) } }
            Charts.lines(&grid, Rect(x: inner.x, y: inner.y + top, width: inner.width, height: inner.height - top),
                         [Charts.Line(toDouble(s.snapshot.p99Series), role: .warn), Charts.Line(toDouble(s.snapshot.p95Series), role: .value),
                          Charts.Line(toDouble(s.snapshot.p50Series), role: .sparkline, filled: true)],
                         threshold: s.latencyThresholdMs.map(Double.init), logScale: true, window: s.window,
                         band: (toDouble(s.snapshot.p50Series), toDouble(s.snapshot.p99Series))) { UIFormat.ms(Int($0)) }
        }
    }

    /// Time × latency: where the requests' latencies fell, second by second (lnav's spectrogram).
    static func heatmap(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        let inner = Widgets.panel(&grid, r, title: "Latency heatmap")
        guard !inner.isEmpty, !s.noLog else { return }
        Charts.heatmap(&grid, inner, s.snapshot.latencyHeat, window: s.window)
    }

    static func stages(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        let inner = box(&grid, r, .stages, s)
        guard !inner.isEmpty, !s.noLog else { return }
        let rows = s.snapshot.stages
        let top = rows.map(\.p95).max() ?? 1
        let valueWidth = 7
        // The median beside the p95 where the bar keeps 16 cells or more.
        let medianWidth = rows.contains { $0.p50 != nil } && inner.width - 17 - valueWidth - 12 >= 16 ? 12 : 0
        for (i, row) in rows.enumerated() where i < inner.height {
            let y = inner.y + i
            let isCritical = row.p95 == top && top > 0
            grid.put(row.stage, x: inner.x + 1, y: y, role: isCritical ? .critical : .label, maxWidth: 14)
            let barWidth = inner.width - 17 - valueWidth - medianWidth
            Widgets.bar(&grid, x: inner.x + 16, y: y, width: barWidth, fraction: Double(row.p95) / Double(max(1, top)),
                        role: isCritical ? .critical : .stage, track: true)
            if medianWidth > 0, let p50 = row.p50 {
                Widgets.putRight(&grid, "p50 " + UIFormat.ms(p50), right: inner.x + inner.width - 1 - valueWidth - 1, y: y, role: .muted)
            }
            Widgets.putRight(&grid, UIFormat.ms(row.p95), right: inner.x + inner.width - 1, y: y, role: .value)
        }
        if rows.isEmpty { grid.put("no stage timings yet", x: inner.x + 1, y: inner.y, role: .muted) }
    }

    static func errors(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        let inner = box(&grid, r, .errors, s, title: "Errors (\(s.snapshot.requests.failed) failed)")
        guard !inner.isEmpty, !s.noLog else { return }
        let rows = s.snapshot.errors
        if rows.isEmpty { grid.put("no failed requests in \(s.window.rawValue)", x: inner.x + 1, y: inner.y, role: .ok) }
        for (i, row) in rows.enumerated() where i < inner.height {
            let y = inner.y + i
            let selected = s.focus == .errors && s.selectedRow == i
            if selected { grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selection) }
            let arrow: String
            switch row.trend {
            case .up: arrow = "▲"
            case .down: arrow = "▼"
            case .flat: arrow = "="
            case .new: arrow = "new"
            }
            grid.put(row.code, x: inner.x + 1, y: y, role: selected ? .selection : .crit, maxWidth: inner.width - 20)
            let figures = String(format: "%5d %5.1f%% ", row.count, row.share * 100)
            Widgets.putRight(&grid, figures + arrow, right: inner.x + inner.width - 1, y: y, role: selected ? .selection : .value)
        }
        // Room under the list (wide layout): the latest failed requests (as many as leave the
        // chart 5 rows), then the error rate over the window with its alert line.
        let listRows = max(1, rows.count) + 1
        if grid.width >= 120, inner.height - listRows >= 5 {
            let shown = min(s.recentFailures.count, inner.height - listRows - 1 - 5)
            let failureRows = shown >= 1 ? shown + 1 : 0
            if failureRows > 0 {
                recentFailures(&grid, Rect(x: inner.x, y: inner.y + listRows - 1, width: inner.width, height: failureRows), s)
            }
            errorRateChart(&grid, Rect(x: inner.x, y: inner.y + listRows + failureRows, width: inner.width, height: inner.height - listRows - failureRows), s)
        }
        // Narrow layout: the text-length breakdown shares this panel, and where it leaves room
        // (the panel zoomed), the error rate chart.
        if grid.width < 120, inner.height > rows.count + 1 {
            let top = inner.y + rows.count + 1
            let lengthRows = textLengthRows(&grid, Rect(x: inner.x, y: top, width: inner.width, height: inner.height - rows.count - 1), s)
            let chartTop = top + lengthRows + 2
            if inner.y + inner.height - chartTop >= 5 {
                errorRateChart(&grid, Rect(x: inner.x, y: chartTop, width: inner.width, height: inner.y + inner.height - chartTop), s)
            }
        }
    }

    /// The error rate over the window (10-slot buckets) with its alert line, titled in the
    /// row above `chart`.
    static func errorRateChart(_ grid: inout Grid, _ chart: Rect, _ s: DashboardState) {
        let buckets = max(1, s.snapshot.okSeries.count / 10)
        let rate = (0..<buckets).map { i -> Double? in
            let lo = i * 10, hi = min(s.snapshot.okSeries.count, lo + 10)
            let ok = s.snapshot.okSeries[lo..<hi].reduce(0, +), failed = s.snapshot.failedSeries[lo..<hi].reduce(0, +)
            return ok + failed > 0 ? Double(failed) / Double(ok + failed) * 100 : nil
        }
        grid.put("error rate", x: chart.x + 1, y: chart.y - 1, role: .muted)
        Charts.lines(&grid, chart, [Charts.Line(rate, role: .crit, filled: true)], threshold: s.errorRateThreshold.map { $0 * 100 },
                     logScale: false, window: s.window) { String(format: $0 >= 10 ? "%.0f%%" : "%.1f%%", $0) }
    }

    /// "latest failures", then one a row: time, id, code, duration.
    static func recentFailures(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        grid.put("latest failures", x: r.x + 1, y: r.y, role: .muted)
        let right = r.x + r.width - 1
        for (i, f) in s.recentFailures.prefix(r.height - 1).enumerated() {
            let y = r.y + 1 + i
            let x = LatestRequestsPanel.timeAndID(&grid, f, x: r.x + 1, y: y, right: right)
            let duration = UIFormat.ms(f.durationMs)
            grid.put(Sanitizer.clean(f.errorCode ?? "failed"), x: x, y: y, role: .crit, maxWidth: max(0, right - x - duration.count - 1))
            Widgets.putRight(&grid, duration, right: right, y: y, role: .value)
        }
    }

    static func textLength(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        let inner = Widgets.panel(&grid, r, title: "Failed by text length")
        guard !inner.isEmpty, !s.noLog else { return }
        textLengthRows(&grid, inner, s)
    }

    /// The text-length rows; returns how many there are.
    @discardableResult
    static func textLengthRows(_ grid: inout Grid, _ inner: Rect, _ s: DashboardState) -> Int {
        let rows = s.snapshot.byTextLength.filter { $0.requests > 0 }
        failedShareRows(&grid, inner, rows.map { ($0.bucket.label, $0.requests, $0.failed) })
        return rows.count
    }

    /// The failed share of each group of requests (text lengths, GPUs) as a bar and a figure.
    static func failedShareRows(_ grid: inout Grid, _ inner: Rect, _ rows: [(label: String, requests: Int, failed: Int)]) {
        let texts = rows.map { String(format: "%5.1f%% of %d", Double($0.failed) / Double(max(1, $0.requests)) * 100, $0.requests) }
        // One bar width for all rows (the widest figure's), so the tracks line up.
        let barWidth = max(0, inner.width - 13 - (texts.map(DisplayWidth.of).max() ?? 0))
        for (i, (row, text)) in zip(rows, texts).enumerated() where i < inner.height {
            let share = Double(row.failed) / Double(max(1, row.requests))
            let y = inner.y + i
            grid.put(row.label.padding(toLength: 9, withPad: " ", startingAt: 0), x: inner.x + 1, y: y, role: .label)
            Widgets.bar(&grid, x: inner.x + 11, y: y, width: barWidth, fraction: share * 4,
                        role: share > 0.05 ? .crit : share > 0.01 ? .warn : .ok, track: true)
            Widgets.putRight(&grid, text, right: inner.x + inner.width - 1, y: y, role: .value)
        }
    }

    static func cache(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        let inner = box(&grid, r, .cache, s)
        guard !inner.isEmpty, !s.noLog else { return }
        let c = s.snapshot.cache
        guard let used = c.usedPercent else { grid.put("no cache readings", x: inner.x + 1, y: inner.y, role: .muted); return }
        let over = c.threshold.map { used > $0 } ?? (used > 90)
        let label = String(format: "%.1f%%", used)
        Widgets.gauge(&grid, x: inner.x + 1, y: inner.y, width: inner.width - DisplayWidth.of(label) - 3, percent: used,
                      threshold: c.threshold, role: over ? .crit : .gaugeFill)
        Widgets.putRight(&grid, label, right: inner.x + inner.width - 1, y: inner.y, role: over ? .crit : .value)
        if inner.height > 1 {
            var parts: [String] = []
            if let t = c.threshold { parts.append(String(format: "threshold %.0f%%", t)) }
            if let slope = c.slopePerMinute { parts.append(String(format: "%@%.2f%%/min", slope >= 0 ? "+" : "", slope)) }
            if let full = c.fullInSeconds { parts.append("full in " + UIFormat.age(full)) }
            grid.put(parts.joined(separator: "  "), x: inner.x + 1, y: inner.y + 1, role: over ? .warn : .label, maxWidth: inner.width - 2)
        }
    }

    static func failover(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        let inner = box(&grid, r, .failover, s, title: s.fleet ? "Instances (\(s.targets.filter(\.up).count)/\(s.targets.count) up)" : nil)
        guard !inner.isEmpty else { return }
        var y = inner.y
        // Probe targets are short names; a fleet's instances are host:port and get the room they need.
        let longest = s.targets.map { DisplayWidth.of($0.name) + 2 }.max() ?? 0
        let nameWidth = s.fleet ? max(14, min(inner.width - 22, longest)) : 14
        for (row, target) in s.targets.enumerated() where y < inner.y + inner.height {
            let mark = target.active ? "●" : target.up ? "○" : "✗"
            let selected = s.focus == .failover && s.route == .overview && s.selectedRow == row
            if selected { grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selection) }
            let role: Role = selected ? .selection : target.active ? .active : target.up ? .standby : .down
            var x = inner.x + 1
            x += grid.put("\(mark) \(target.name)", x: x, y: y, role: role, bold: target.active, maxWidth: nameWidth)
            x = max(x, inner.x + nameWidth - 2)
            x += grid.put(target.active ? " active" : target.up ? " up" : " down", x: x, y: y, role: role)
            x += grid.put("  " + UIFormat.ms(target.latencyMs), x: x, y: y, role: .value)
            if let error = target.lastError { x += grid.put("  " + error, x: x, y: y, role: .crit, maxWidth: inner.x + inner.width - x - 5) }
            if let note = target.note { x += grid.put("  " + note, x: x, y: y, role: .label, maxWidth: inner.x + inner.width - x - 5) }
            Widgets.putRight(&grid, UIFormat.age(target.ageSeconds), right: inner.x + inner.width - 1, y: y, role: .muted)
            y += 1
        }
        if s.targets.isEmpty {
            grid.put(s.fleet ? "no instances scraped yet" : "no probes (--probe NAME=URL)", x: inner.x + 1, y: y, role: .muted)
            y += 1
        }
        for entry in s.failoverTimeline.reversed() where y < inner.y + inner.height {
            let time = String(entry.time.logText.dropFirst(11).prefix(8))
            grid.put("\(time) \(entry.from ?? "none")→\(entry.to ?? "none") \(entry.reason)", x: inner.x + 1, y: y, role: .label, maxWidth: inner.width - 2)
            y += 1
        }
    }

    static func events(_ grid: inout Grid, _ r: Rect, _ s: DashboardState) {
        let inner = box(&grid, r, .events, s)
        guard !inner.isEmpty else { return }
        let items = EventRows.of(s)
        if items.isEmpty { grid.put(s.noLog ? "no log" : "no events", x: inner.x + 1, y: inner.y, role: .muted) }
        let selectedRow = s.focus == .events && s.route == .overview ? s.selectedRow : nil
        let first = max(0, min((selectedRow ?? 0) - inner.height + 1, items.count - inner.height))
        for (i, item) in items.enumerated().dropFirst(first) where i - first < inner.height {
            let y = inner.y + i - first
            let selected = selectedRow == i
            if selected { grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selection) }
            let time = String(item.time.logText.dropFirst(11).prefix(8))
            let x = inner.x + 1 + grid.put(time + " ", x: inner.x + 1, y: y, role: selected ? .selection : .muted)
            grid.put(item.text, x: x, y: y, role: selected ? .selection : item.role, maxWidth: inner.x + inner.width - x - 1)
        }
    }
}

extension Rect {
    /// Marks a focused panel by drawing its border in the selection colour.
    func withFocus(_ focused: Bool, grid: inout Grid, rect: Rect) -> Rect {
        guard focused, rect.width >= 2, rect.height >= 2 else { return self }
        for x in rect.x..<(rect.x + rect.width) {
            if grid[x, rect.y].role == .border { grid[x, rect.y].role = .key }
        }
        return self
    }
}
