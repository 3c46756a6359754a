import TTSMonCore

/// One panel on the whole screen (`z`): its charts get every row, the latency panel its
/// heatmap under it, and a time cursor (←/→) shows one moment's figures; Enter lists that
/// moment's requests, slowest first.
enum ZoomView {
    static func render(_ grid: inout Grid, _ body: Rect, _ s: DashboardState, panel: Panel) {
        var area = body
        if s.cursorSlot != nil {
            let (line, rest) = body.top(1)
            grid.put(cursorLine(s), x: line.x + 1, y: line.y, role: .selection, bold: true, maxWidth: line.width - 2)
            area = rest
        } else {
            let (line, rest) = body.top(1)
            grid.put("←/→ place a time cursor · ⏎ its requests · esc back", x: line.x + 1, y: line.y, role: .muted, maxWidth: line.width - 2)
            area = rest
        }
        switch panel {
        case .traffic, .alerts: OverviewPanels.traffic(&grid, area, s)
        case .latency:
            let (top, bottom) = area.top(max(8, area.height * 60 / 100))
            OverviewPanels.latency(&grid, top, s)
            OverviewPanels.heatmap(&grid, bottom, s)
        case .errors: OverviewPanels.errors(&grid, area, s)
        case .stages: OverviewPanels.stages(&grid, area, s)
        case .cache: OverviewPanels.cache(&grid, area, s)
        case .failover: OverviewPanels.failover(&grid, area, s)
        case .events: OverviewPanels.events(&grid, area, s)
        case .resources: ResourcesPanel.render(&grid, area, s)
        }
        drawCursor(&grid, area, s)
    }

    /// The figures of the cursor's moment: its requests, failures and p95.
    static func cursorLine(_ s: DashboardState) -> String {
        guard let slot = s.cursorSlot, let span = DashboardController.cursorSpan(s) else { return "" }
        let ok = s.snapshot.okSeries, failed = s.snapshot.failedSeries
        let range = slot..<min(ok.count, slot + max(1, span.seconds / s.snapshot.window.unitSeconds))
        let requests = range.reduce(0) { $0 + ok[$1] + failed[$1] }, failures = range.reduce(0) { $0 + failed[$1] }
        let block = ok.count / max(1, s.snapshot.p95Series.count)
        let p95 = slot / max(1, block) < s.snapshot.p95Series.count ? s.snapshot.p95Series[slot / max(1, block)] : nil
        let time = span.from.logText.dropFirst(11).prefix(8)
        return "▶ \(time) +\(span.seconds)s: \(requests) requests, \(failures) failed, p95 \(UIFormat.ms(p95))   ⏎ lists them, slowest first"
    }

    /// A vertical line at the cursor's column across the charts (glyphs keep their shape and
    /// take the cursor's colour; empty cells get the line).
    static func drawCursor(_ grid: inout Grid, _ area: Rect, _ s: DashboardState) {
        guard let slot = s.cursorSlot else { return }
        let count = s.snapshot.okSeries.count
        let plotX = area.x + 1 + Charts.scaleWidth, plotWidth = area.width - 2 - Charts.scaleWidth - 1
        guard count > 0, plotWidth > 0 else { return }
        let x = plotX + min(plotWidth - 1, slot * plotWidth / count)
        for y in (area.y + 1)..<(area.y + area.height - 1) {
            let cell = grid[x, y]
            guard let scalar = cell.text.unicodeScalars.first else { continue }
            let chart = (0x2800...0x28FF).contains(scalar.value) || (0x2581...0x2593).contains(scalar.value)
            if cell.text == " " { grid[x, y] = Cell("│", role: .selection) } else if chart { grid[x, y] = Cell(cell.text, role: .selection) }
        }
    }
}
