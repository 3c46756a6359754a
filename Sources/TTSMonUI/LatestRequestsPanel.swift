import Foundation
import TTSMonCore

/// The newest completed requests, one a row — time, id, duration as a bar, outcome, the text's
/// start — in the rows the Events panel does not need: what `tail -f` would show, readable.
enum LatestRequestsPanel {
    /// A request row's start, its time of day and its id in 12 columns; returns the next x.
    static func timeAndID(_ grid: inout Grid, _ r: RecentRequest, x start: Int, y: Int, right: Int) -> Int {
        var x = start
        x += grid.put(String(r.time.logText.dropFirst(11).prefix(8)) + " ", x: x, y: y, role: .muted)
        x += grid.put(Sanitizer.clean(String(r.id.prefix(12))).padding(toLength: 12, withPad: " ", startingAt: 0) + " ", x: x, y: y,
                      role: .value, maxWidth: max(0, right - x))
        return x
    }

    static func render(_ grid: inout Grid, _ rect: Rect, _ s: DashboardState) {
        let inner = Widgets.panel(&grid, rect, title: "Latest requests")
        guard !inner.isEmpty else { return }
        let rows = Array(s.latest.prefix(inner.height))
        guard !rows.isEmpty else { grid.put("no requests yet", x: inner.x + 1, y: inner.y, role: .muted); return }
        let slowest = max(1, rows.compactMap(\.durationMs).max() ?? 1)
        let right = inner.x + inner.width - 1
        for (i, r) in rows.enumerated() {
            let y = inner.y + i
            var x = timeAndID(&grid, r, x: inner.x + 1, y: y, right: right)
            let duration = UIFormat.ms(r.durationMs)
            x += grid.put(String(repeating: " ", count: max(0, 6 - duration.count)) + duration + " ", x: x, y: y,
                          role: OverviewPanels.latencyRole(r.durationMs, warn: 3000, crit: 5000), maxWidth: max(0, right - x))
            let barWidth = min(8, max(0, right - x - 4))
            if barWidth > 0 {
                // On a log scale from 10 ms: a 500 ms request is not a sliver beside an 8 s one.
                let fraction = log(max(1, Double(r.durationMs ?? 0) / 10)) / log(max(2, Double(slowest) / 10))
                Widgets.bar(&grid, x: x, y: y, width: barWidth, fraction: fraction,
                            role: OverviewPanels.latencyRole(r.durationMs, warn: 3000, crit: 5000))
                x += barWidth + 1
            }
            let outcome = r.status == .success ? "ok" : Sanitizer.clean(r.errorCode ?? "failed")
            x += grid.put(outcome, x: x, y: y, role: r.status == .success ? .ok : .crit, maxWidth: max(0, right - x))
            if let text = r.textSnippet, x + 3 < right {
                grid.put("  " + text, x: x, y: y, role: .muted, maxWidth: right - x)
            }
        }
    }
}
