import TTSMonCore

extension LiveSignal {
    /// One line for the events panel.
    var summaryText: String {
        let who = id.map { " " + $0 } ?? ""
        switch kind {
        case .fallbackUsed: return "fallback used\(who)" + (warningCode.map { " " + $0 } ?? "")
        case .warningCode: return (warningCode ?? "warning") + who
        case .cacheOverThreshold:
            guard let used = usedPercent else { return "cache over threshold" }
            return "cache " + String(format: "%.1f%%", used) + " over threshold"
        case .p95Rising: return detail
        }
    }
}

/// One request: its facts, the stage waterfall scaled to its total, the critical and failing
/// stage, its text intact (CJK lines up) and its raw records.
enum RequestView {
    static func render(_ grid: inout Grid, _ body: Rect, _ s: DashboardState) {
        guard case .request(let id) = s.route else { return }
        let inner = Widgets.panel(&grid, body, title: "Request \(id)")
        guard let t = s.trace, t.id == id else {
            let message: String
            switch s.lookup {
            case .searching(_, let done, let total): message = "searching history… \(done)/\(total) files (Esc cancels)"
            case .notFound(_, let files): message = "\(id) not found in the recent index or in \(files) file\(files == 1 ? "" : "s")"
            case .idle: message = "looking up \(id)…"
            }
            grid.put(message, x: inner.x + 1, y: inner.y + 1, role: s.lookup == .idle ? .muted : .warn, maxWidth: inner.width - 2)
            return
        }
        // Drawn on a page as tall as the request needs, then shown from `scroll`: a long
        // traceback's last line (the exception) is reachable on any screen.
        var page = Grid(width: inner.width, height: 12 + t.stages.count + t.rawLines.count)
        let used = content(&page, t)
        let top = min(s.scroll, max(0, used - inner.height))
        grid.blit(page, fromRow: top, into: inner)
        if used > inner.height {
            let where_ = " lines \(top + 1)–\(min(used, top + inner.height)) of \(used) · j/k PgUp/PgDn g/G "
            Widgets.putRight(&grid, where_, right: body.x + body.width - 2, y: body.y + body.height - 1, role: .muted)
        }
    }

    /// Draws the whole request from the page's top; returns the rows used.
    static func content(_ grid: inout Grid, _ t: RequestTrace) -> Int {
        let inner = grid.bounds
        var y = inner.y
        var x = inner.x + 1
        let statusRole: Role = t.status == .success ? .ok : t.status == .failed ? .crit : .warn
        x += grid.put(t.status.rawValue.uppercased(), x: x, y: y, role: statusRole, bold: true)
        if let code = t.errorCode { x += grid.put(" " + code, x: x, y: y, role: .crit, bold: true) }
        x += grid.put("  " + UIFormat.ms(t.durationMs), x: x, y: y, role: .value, bold: true)
        grid.put("  \(t.start?.logText ?? "-") → \(t.end?.logText ?? "-")", x: x, y: y, role: .label, maxWidth: inner.x + inner.width - x)
        y += 1
        var facts: [String] = []
        if let v = t.voice { facts.append("voice \(v)") }
        if let l = t.lang { facts.append("lang \(l)") }
        if let c = t.cacheHit { facts.append(c ? "cache hit" : "cache miss") }
        if let a = t.audioSizeKB { facts.append("audio \(a) KB") }
        if let n = t.textLen { facts.append("\(n) chars") }
        facts.append("file \(t.file ?? "-")")
        grid.put(facts.joined(separator: " · "), x: inner.x + 1, y: y, role: .label, maxWidth: inner.width - 2)
        y += 1
        if let text = t.text {
            let shown = "“" + text + "”"
            grid.put(shown, x: inner.x + 1, y: y, role: .value, maxWidth: inner.width - 2)
            y += 1
        }
        y += 1
        // Waterfall.
        var rows = t.stages.map { ($0.stage, $0.durationMs, $0.offsetMs, $0.stage == t.criticalStage ? Role.critical : Role.stage, $0.stage == t.criticalStage ? "critical" : "") }
        if let failed = t.failedStage {
            let start = t.stages.map { $0.offsetMs + $0.durationMs }.max() ?? 0
            rows.append((failed, max(0, (t.durationMs ?? start) - start), start, .failedStage, "✗ " + (t.errorCode ?? "failed")))
        }
        let total = max(t.durationMs ?? 0, rows.map { $0.2 + $0.1 }.max() ?? 0, 1)
        let barX = inner.x + 1 + 15 + 9 + 9
        let barWidth = max(10, inner.width - (barX - inner.x) - 26)
        grid.put("stage", x: inner.x + 1, y: y, role: .muted)
        grid.put("duration   offset", x: inner.x + 16, y: y, role: .muted)
        y += 1
        for row in rows {
            grid.put(row.0, x: inner.x + 1, y: y, role: row.3 == .stage ? .label : row.3, maxWidth: 14)
            Widgets.putRight(&grid, "\(row.1) ms", right: inner.x + 24, y: y, role: .value)
            Widgets.putRight(&grid, "+\(row.2)", right: inner.x + 32, y: y, role: .muted)
            let lead = min(barWidth - 1, Int(Double(row.2) / Double(total) * Double(barWidth)))
            let len = max(1, min(barWidth - lead, Int((Double(row.1) / Double(total) * Double(barWidth)).rounded())))
            grid.put("│", x: barX - 1, y: y, role: .border)
            Widgets.bar(&grid, x: barX + lead, y: y, width: len, fraction: 1, role: row.3)
            grid.put(row.4, x: barX + barWidth + 1, y: y, role: row.3 == .stage ? .muted : row.3, maxWidth: inner.x + inner.width - barX - barWidth - 2)
            y += 1
        }
        if rows.isEmpty { grid.put("(no stage timings logged)", x: inner.x + 1, y: y, role: .muted); y += 1 }
        y += 1
        grid.put("records", x: inner.x + 1, y: y, role: .title)
        y += 1
        for line in t.rawLines {
            grid.put(line, x: inner.x + 1, y: y, role: line.first?.isNumber == true ? .normal : .crit, maxWidth: inner.width - 2)
            y += 1
        }
        return y
    }
}

/// Recent requests of an error code or a search: time, id, duration, status, text snippet.
enum RequestListView {
    static func render(_ grid: inout Grid, _ body: Rect, _ s: DashboardState) {
        let title: String
        switch s.route {
        case .errors(let code): title = "Recent requests failing with \(code)"
        case .search(let q): title = "Recent requests matching “\(q)”"
        case .moment(let from, let seconds): title = "Requests completed \(from.logText.dropFirst(11).prefix(8)) +\(seconds)s, slowest first"
        default: title = "Requests"
        }
        // The list follows the log while open (paused: as it was).
        let inner = Widgets.panel(&grid, body, title: title + " (\(s.list.count))" + (s.paused ? " · paused" : " · live"))
        guard !inner.isEmpty else { return }
        grid.put("time          id                  duration  status              text", x: inner.x + 1, y: inner.y, role: .muted)
        if s.list.isEmpty { grid.put("no recent requests (Enter on an id searches history)", x: inner.x + 1, y: inner.y + 1, role: .muted) }
        let visible = inner.height - 1
        let first = max(0, min(s.selectedRow - visible + 1, s.list.count - visible))
        for (i, r) in s.list.enumerated().dropFirst(first).prefix(visible) {
            let y = inner.y + 1 + i - first
            let selected = i == s.selectedRow
            if selected { grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selection) }
            let base: Role = selected ? .selection : .normal
            grid.put(String(r.time.logText.dropFirst(11)), x: inner.x + 1, y: y, role: selected ? .selection : .muted)
            grid.put(r.id, x: inner.x + 15, y: y, role: base, maxWidth: 19)
            Widgets.putRight(&grid, UIFormat.ms(r.durationMs), right: inner.x + 43, y: y, role: base)
            grid.put(r.status == .success ? "ok" : (r.errorCode ?? "failed"), x: inner.x + 45, y: y,
                     role: selected ? .selection : (r.status == .success ? .ok : .crit), maxWidth: 19)
            grid.put(r.textSnippet ?? "", x: inner.x + 65, y: y, role: base, maxWidth: inner.width - 66)
        }
    }
}

/// The live raw log, newest at the bottom, tracebacks kept with their record: scrolls back
/// through the kept lines, shows each line's file when several are followed, wraps long lines
/// (`W`) or cuts them, filters (`e`) and highlights `/` matches.
enum LogView {
    static func render(_ grid: inout Grid, _ body: Rect, _ s: DashboardState) {
        guard case .log(let filter) = s.route else { return }
        let lines = LogViewModel.lines(s)
        var title = "Log" + (filter.map { " — filter: \($0)" } ?? (s.logProblemsOnly ? " — WARNING and ERROR" : " — all lines"))
        if s.scroll > 0 { title += " — \(s.scroll) lines up (G: newest)" }
        if let q = s.logSearch { title += " — /\(q)" }
        let inner = Widgets.panel(&grid, body, title: title)
        guard !inner.isEmpty else { return }
        if lines.isEmpty { grid.put(s.logLines.isEmpty ? "no lines yet" : "no lines match", x: inner.x + 1, y: inner.y, role: .muted); return }
        let end = max(0, lines.count - min(s.scroll, max(0, lines.count - 1)))
        // Rows from the bottom up, so the newest shown line sits on the last row.
        var rows: [(text: String, role: Role, line: Int, first: Bool)] = []
        var i = end - 1
        while i >= 0, rows.count < inner.height {
            let line = lines[i]
            let role: Role = line.text.contains("ERROR") || line.text.contains("CRITICAL") ? .crit
                : line.text.contains("WARNING") ? .warn : line.startsRecord ? .normal : .crit
            let text = (line.source.map { ($0.split(separator: "/").last.map(String.init) ?? $0) + " │ " } ?? "") + line.text
            let pieces = s.logWrap ? wrap(text, width: inner.width - 2) : [text]
            for (n, piece) in pieces.enumerated().reversed() where rows.count < inner.height {
                rows.append((piece, role, i, n == 0))
            }
            i -= 1
        }
        let query = s.logSearch
        for (k, row) in rows.reversed().enumerated() {
            let y = inner.y + inner.height - rows.count + k
            let current = s.logMatch == row.line
            grid.put(row.text, x: inner.x + 1, y: y, role: current ? .selection : row.role, maxWidth: inner.width - 2)
            if let query, !query.isEmpty { highlight(&grid, row.text, query, x: inner.x + 1, y: y, maxWidth: inner.width - 2) }
        }
    }

    /// Marks every match of `query` in a drawn row.
    static func highlight(_ grid: inout Grid, _ text: String, _ query: String, x: Int, y: Int, maxWidth: Int) {
        var search = text.startIndex..<text.endIndex
        while let r = text.range(of: query, options: .caseInsensitive, range: search) {
            let col = DisplayWidth.of(String(text[text.startIndex..<r.lowerBound]))
            guard col < maxWidth else { return }
            grid.put(String(text[r]), x: x + col, y: y, role: .key, bold: true, maxWidth: maxWidth - col)
            search = r.upperBound..<text.endIndex
        }
    }

    /// A line cut into pieces of at most `width` columns (wide characters never split).
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0, DisplayWidth.of(text) > width else { return [text] }
        var pieces: [String] = []
        var current = ""
        var used = 0
        for ch in text {
            let w = DisplayWidth.of(String(ch))
            if used + w > width { pieces.append(current); current = ""; used = 0 }
            current.append(ch)
            used += w
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
