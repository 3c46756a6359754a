import TTSMonCore

/// `v`: the overview as one column per source — traffic, latency, errors and stages side by side
/// (main beside standby). Sources with requests come first; as many columns as fit (≥ 38 wide).
enum SplitView {
    static let minimumColumnWidth = 38

    static func render(_ grid: inout Grid, _ body: Rect, _ s: DashboardState) {
        let columns = s.splitColumns.enumerated()
            .sorted { a, b in
                let ra = a.element.snapshot.requests.total > 0, rb = b.element.snapshot.requests.total > 0
                return ra != rb ? ra : a.offset < b.offset
            }
            .map(\.element)
        let count = max(1, min(columns.count, body.width / minimumColumnWidth))
        let hidden = columns.count - count
        let note = hidden > 0 ? " +\(hidden) more " : ""
        var rest = body
        for (i, column) in columns.prefix(count).enumerated() {
            let (rect, remaining) = i == count - 1 ? (rest, Rect(x: 0, y: 0, width: 0, height: 0)) : rest.left(rest.width / (count - i))
            rest = remaining
            var sub = s
            sub.snapshot = column.snapshot
            sub.focus = .alerts   // no panel of a column is focused
            let name = column.name.split(separator: "/").last.map(String.init) ?? column.name
            let title = " " + name + (column.format.map { " · \($0)" } ?? "") + " "
            grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), role: .header)
            let last = i == count - 1
            grid.put(title, x: rect.x, y: rect.y, role: .header, bold: true, maxWidth: rect.width - (last ? DisplayWidth.of(note) : 0))
            if last, hidden > 0 { grid.put(note, x: rect.x + rect.width - DisplayWidth.of(note), y: rect.y, role: .header) }
            var (a, r) = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1).top(5)
            OverviewPanels.traffic(&grid, a, sub)
            (a, r) = r.top(5); OverviewPanels.latency(&grid, a, sub)
            (a, r) = r.top(max(5, r.height / 2)); OverviewPanels.errors(&grid, a, sub)
            // A row per GPU the source's log names (ChatTTS), so one bad card stands out.
            let gpus = column.snapshot.byGPU
            if !gpus.isEmpty, r.height >= 6 {
                (a, r) = r.top(min(gpus.count + 2, r.height - 3))
                let inner = Widgets.panel(&grid, a, title: "Failed by GPU")
                OverviewPanels.failedShareRows(&grid, inner, gpus.map { ("GPU\($0.gpuID)", $0.requests, $0.failed) })
            }
            // Processes named after this source (`--process main=:8000` under main.log).
            let stem = name.split(separator: ".").first.map(String.init) ?? name
            let mine = s.resources?.processes.filter { $0.name == stem } ?? []
            if !mine.isEmpty, r.height >= 6 {
                (a, r) = r.top(min(mine.count + 2, r.height - 3))
                let inner = OverviewPanels.box(&grid, a, .resources, sub)
                for (i, p) in mine.enumerated() where i < inner.height {
                    ResourcesPanel.process(&grid, p, x: inner.x + 1, y: inner.y + i, right: inner.x + inner.width - 1)
                }
            }
            OverviewPanels.stages(&grid, r, sub)
        }
    }
}
