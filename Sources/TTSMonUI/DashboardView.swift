import TTSMonCore

/// Renders the whole dashboard for a state into a grid: a pure function, snapshot-tested.
public enum DashboardView {
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public static func render(_ state: DashboardState, width: Int, height: Int, keys: [KeyBinding] = Keymap.standard) -> Grid {
        var grid = Grid(width: width, height: height)
        guard width >= minimumWidth, height >= minimumHeight else {
            let lines = ["terminal too small", "\(width)×\(height), need \(minimumWidth)×\(minimumHeight)"]
            for (i, line) in lines.enumerated() where height > 0 {
                let y = max(0, height / 2 - 1 + i)
                grid.put(line, x: max(0, (width - DisplayWidth.of(line)) / 2), y: min(y, height - 1), role: .warn)
            }
            return grid
        }
        header(&grid, state)
        AlertStrip.render(&grid, y: 1, state)
        // A status message gets a line of its own above the footer, never cut to fit the hints.
        let statusRows = state.status == nil || state.prompt != nil ? 0 : statusLines(state.status!, width: width).count
        let body = Rect(x: 0, y: 2, width: width, height: height - 3 - statusRows)
        switch state.route {
        case .overview where state.split && !state.splitColumns.isEmpty: SplitView.render(&grid, body, state)
        case .overview: OverviewPanels.render(&grid, body, state)
        case .errors, .search, .moment: RequestListView.render(&grid, body, state)
        case .zoom(let panel): ZoomView.render(&grid, body, state, panel: panel)
        case .request: RequestView.render(&grid, body, state)
        case .log: LogView.render(&grid, body, state)
        case .probe: ProbeView.render(&grid, body, state)
        }
        // Figures of logs that stopped are old: drawn muted, so they are not read as current.
        if state.allSourcesStale, state.route == .overview { mute(&grid, body) }
        footer(&grid, state, keys: keys)
        if state.helpVisible { HelpOverlay.render(&grid, keys: keys + state.extraKeys, note: state.helpNote, scroll: state.helpScroll) }
        return grid
    }

    static func header(_ grid: inout Grid, _ state: DashboardState) {
        grid.fill(Rect(x: 0, y: 0, width: grid.width, height: 1), role: .header)
        var x = grid.put(" ttsmon ", x: 0, y: 0, role: .header, bold: true)
        if state.routes.count > 1 {
            let crumbs = state.routes.map(\.title).joined(separator: " › ")
            x += grid.put(" " + crumbs + " ", x: x, y: 0, role: .header, maxWidth: grid.width / 2)
        }
        let history = state.historyPercent.map { " history \($0)%" } ?? ""
        let right = " \(state.window.rawValue)\(history) │ \(state.clock) │ " + (state.paused ? "❚❚ PAUSED" : "▶ live") + " │ "
        let firing = state.firingAlerts
        let acked = state.snapshot.alerts.filter { $0.state == .firing }.count - firing
        var alertText = firing > 0 ? "⚠ \(firing) firing" : "0 alerts"
        if acked > 0 { alertText += " (\(acked) acked)" }
        alertText += " "
        let rightWidth = DisplayWidth.of(right) + DisplayWidth.of(alertText)
        // Sources with the age of their last line: amber after 30 s, red after 2 min.
        var sx = x + 1
        for source in state.sources {
            let role: Role = source.error != nil ? .crit : source.catchingUpPercent != nil ? .warn : (source.ageSeconds ?? 0) > 120 ? .crit : (source.ageSeconds ?? 0) > 30 ? .warn : .header
            let name = source.name.split(separator: "/").last.map(String.init) ?? source.name
            let age = source.catchingUpPercent.map { "reading \($0)%" } ?? UIFormat.age(source.ageSeconds)
            let text = "\(name) \(source.error != nil ? "!" : age)\(state.isStale(source) ? " stale" : "") "
            // Records dated far in the future, left out of the figures: said, never hidden.
            let ahead = (source.notUnderstood ? "not understood " : "") + (source.outOfOrder > 0 ? "\(source.outOfOrder) ahead " : "")
            guard sx + DisplayWidth.of(text + ahead) < grid.width - rightWidth else { break }
            sx += grid.put(text, x: sx, y: 0, role: role == .header ? .header : role)
            if !ahead.isEmpty { sx += grid.put(ahead, x: sx, y: 0, role: .warn) }
        }
        if state.noLog { grid.put("no log", x: sx, y: 0, role: .header) }
        let rx = grid.width - rightWidth
        let ax = rx + grid.put(right, x: rx, y: 0, role: .header, bold: state.paused)
        grid.put(alertText, x: ax, y: 0, role: firing > 0 ? .alertFiring : .header, bold: firing > 0)
    }

    static func footer(_ grid: inout Grid, _ state: DashboardState, keys: [KeyBinding]) {
        let y = grid.height - 1
        grid.fill(Rect(x: 0, y: y, width: grid.width, height: 1), role: .footer)
        if let prompt = state.prompt {
            grid.fill(Rect(x: 0, y: y, width: grid.width, height: 1), role: .prompt)
            let ask = state.promptPurpose == .logSearch ? "search the log" : "find request id or text"
            grid.put(" \(ask): \(prompt)█", x: 0, y: y, role: .prompt, maxWidth: grid.width)
            return
        }
        var x = 1
        if let status = state.status {
            let lines = statusLines(status, width: grid.width)
            for (i, line) in lines.enumerated() {
                let row = y - lines.count + i
                grid.fill(Rect(x: 0, y: row, width: grid.width, height: 1), role: .footer)
                grid.put(line, x: 1, y: row, role: .footer, bold: true, maxWidth: grid.width - 2)
            }
        }
        // `? help` and `q quit` first: on a narrow screen the least important hints go.
        let shown = keys.filter { $0.inFooter && ($0.command != .failback || state.failbackOffered) && ($0.command != .quit || state.route == .overview) }
        var hints = shown.filter { $0.command == .help || $0.command == .quit } + shown.filter { $0.command != .help && $0.command != .quit }
        hints += state.extraKeys.filter(\.inFooter)
        for binding in hints {
            let short = binding.short
            let width = DisplayWidth.of(binding.label) + DisplayWidth.of(short) + 3
            guard x + width < grid.width else { break }
            x += grid.put(binding.label, x: x, y: y, role: .key)
            x += grid.put(" " + short + "  ", x: x, y: y, role: .footer)
        }
    }
}

extension DashboardView {
    /// Redraws every cell of `rect` but its borders in the muted role.
    static func mute(_ grid: inout Grid, _ rect: Rect) {
        for y in rect.y..<(rect.y + rect.height) {
            for x in rect.x..<(rect.x + rect.width) where grid[x, y].role != .border && grid[x, y].role != .title {
                var cell = grid[x, y]
                cell.role = .muted
                cell.bold = false
                grid[x, y] = cell
            }
        }
    }

    /// A status message broken into lines of the screen's width (at most three).
    static func statusLines(_ status: String, width: Int) -> [String] {
        let room = max(10, width - 2)
        var lines: [String] = []
        var current = ""
        // Words longer than a line (a saved file's path) are cut into line-long pieces.
        let words = Sanitizer.clean(status).split(separator: " ", omittingEmptySubsequences: false).flatMap { word in
            LogView.wrap(String(word), width: room)
        }
        for word in words {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if DisplayWidth.of(candidate) <= room || current.isEmpty {
                current = candidate
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return Array(lines.prefix(3))
    }
}

/// The `?` overlay, drawn from the keymap table.
enum HelpOverlay {
    static func render(_ grid: inout Grid, keys: [KeyBinding], note: String? = nil, scroll: Int = 0) {
        var rows = keys.map { ($0.keys.map(displayKey).joined(separator: " "), $0.help) }
        if let note { rows.append(("", note)) }
        let keyWidth = rows.map { DisplayWidth.of($0.0) }.max() ?? 4
        let width = min(grid.width - 4, max(50, keyWidth + 4 + (rows.map { DisplayWidth.of($0.1) }.max() ?? 20)))
        let height = min(grid.height - 2, rows.count + 4)
        let rect = Rect(x: (grid.width - width) / 2, y: (grid.height - height) / 2, width: width, height: height)
        grid.fill(rect)
        let visible = height - 3
        let overflow = rows.count > visible
        let inner = Widgets.panel(&grid, rect, title: overflow ? "Keys — j/k PgUp/PgDn scroll, any other key closes" : "Keys — any key closes")
        let first = min(scroll, max(0, rows.count - visible))
        rows = Array(rows.dropFirst(first))
        if overflow {
            let more = " \(first + 1)–\(min(rows.count + first, first + visible)) of \(rows.count + first) "
            Widgets.putRight(&grid, more, right: rect.x + rect.width - 2, y: rect.y + rect.height - 1, role: .muted)
        }
        for (i, row) in rows.enumerated() where i < inner.height - 1 {
            grid.put(row.0, x: inner.x + 1, y: inner.y + 1 + i, role: .key)
            grid.put(row.1, x: inner.x + keyWidth + 3, y: inner.y + 1 + i, role: .normal, maxWidth: inner.width - keyWidth - 4)
        }
    }

    static func displayKey(_ key: String) -> String {
        switch key {
        case "enter": return "Enter"
        case "esc": return "Esc"
        case "tab": return "Tab"
        case "backtab": return "S-Tab"
        case "down": return "↓"
        case "up": return "↑"
        case "left": return "←"
        case "right": return "→"
        case "l-panel": return ""
        case "pagedown": return "PgDn"
        case "pageup": return "PgUp"
        case "home": return "Home"
        case "end": return "End"
        default: return key.hasPrefix("ctrl-") ? "Ctrl-" + key.dropFirst(5) : key
        }
    }
}
