import TTSMonCore

/// What the embedding app must do after a key.
public enum DashboardEffect: Equatable, Sendable {
    case quit
    case save
    case failback
    /// The user typed this after `/`: an id opens the request, other text searches.
    case submitQuery(String)
    /// The selected request should be looked up (recent index, then history).
    case openRequest(String)
    /// The list for the current route must be filled.
    case refreshList
    case cancelLookup
    /// The per-source figures must be read (the split view was turned on or off).
    case refreshSplit
    /// Mute this firing (`AlertStatus.ackKey`) for `--ack-for`.
    case acknowledge(AlertKey)
    case custom(String)
}

/// Applies keys to the dashboard state (a reducer) and says what else must happen.
public enum DashboardController {
    /// Handles one key, given as a name (`"q"`, `"enter"`, `"esc"`, `"tab"`, `"down"`...).
    public static func handle(_ key: String, state: inout DashboardState, keys: [KeyBinding] = Keymap.standard) -> [DashboardEffect] {
        if state.helpVisible {
            // The overlay scrolls when taller than the screen; any other key closes it.
            switch Keymap.command(for: key, in: keys) {
            case .down?: state.helpScroll += 1
            case .up?: state.helpScroll = max(0, state.helpScroll - 1)
            case .pageDown?: state.helpScroll += max(1, state.pageRows)
            case .pageUp?: state.helpScroll = max(0, state.helpScroll - max(1, state.pageRows))
            case .top?: state.helpScroll = 0
            case .bottom?: state.helpScroll = Int.max / 2
            default: state.helpVisible = false
            }
            return []
        }
        if state.prompt != nil { return handlePrompt(key, &state) }
        guard let command = Keymap.command(for: key, in: keys + state.extraKeys) else { return [] }
        state.status = nil
        switch command {
        case .quit:
            if state.route == .overview { return [.quit] }
            return back(&state)
        case .back:
            return back(&state)
        case .search:
            state.prompt = ""
            if case .log = state.route { state.promptPurpose = .logSearch } else { state.promptPurpose = .request }
        case .problemsOnly:
            guard case .log = state.route else { return [] }
            state.logProblemsOnly.toggle()
            state.scroll = 0
            state.logMatch = nil
            state.status = state.logProblemsOnly ? "log: WARNING and ERROR records only (e: all lines)" : "log: all lines"
        case .wrapLines:
            guard case .log = state.route else { return [] }
            state.logWrap.toggle()
        case .nextMatch, .previousMatch:
            guard case .log = state.route else { return [] }
            stepMatch(&state, older: command == .nextMatch)
        case .help:
            state.helpVisible = true
            state.helpScroll = 0
        case .pause:
            state.paused.toggle()
        case .cycleWindow:
            let all = LiveWindow.allCases
            state.window = all[((all.firstIndex(of: state.window) ?? 0) + 1) % all.count]
            if state.route != .overview { return [.refreshList] }
        case .failback:
            return state.failbackOffered ? [.failback] : []
        case .save:
            return [.save]
        case .log:
            state.routes.append(.log(filter: nil))
            state.selectedRow = 0
            state.scroll = 0
        case .acknowledge:
            let alerts = state.snapshot.alerts
            let chosen: AlertStatus?
            if state.focus == .alerts, state.route == .overview, state.selectedRow < alerts.count, alerts[state.selectedRow].state == .firing {
                chosen = alerts[state.selectedRow]
            } else {
                chosen = alerts.first { $0.state == .firing && !state.acknowledged.contains($0.ackKey) }
            }
            guard let alert = chosen else { state.status = "no firing alert to acknowledge"; return [] }
            state.acknowledged.insert(alert.ackKey)
            return [.acknowledge(alert.ackKey)]
        case .split:
            guard state.route == .overview else { return [] }
            guard state.split || state.sources.count > 1 || (state.fleet && state.targets.count > 1) else {
                state.status = "split view needs two or more logs or instances"
                return []
            }
            state.split.toggle()
            state.status = state.split ? "split per source (v merges)" : "merged view"
            return [.refreshSplit]
        case .zoom:
            guard state.route == .overview else { return [] }
            state.routes.append(.zoom(panel: state.focus == .alerts ? .traffic : state.focus))
            state.cursorSlot = nil
        case .nextPanel, .previousPanel:
            if case .zoom = state.route { moveCursor(&state, forward: command == .nextPanel); return [] }
            guard state.route == .overview else { return [] }
            let all = Panel.allCases.filter { ($0 != .alerts || !state.snapshot.alerts.isEmpty) && ($0 != .resources || state.resources != nil) }
            let step = command == .nextPanel ? 1 : all.count - 1
            state.focus = all[((all.firstIndex(of: state.focus) ?? 0) + step) % all.count]
            state.selectedRow = 0
        case .down: move(&state, by: 1)
        case .up: move(&state, by: -1)
        case .pageDown: move(&state, by: max(1, state.pageRows))
        case .pageUp: move(&state, by: -max(1, state.pageRows))
        case .top: move(&state, by: Int.min / 2)
        case .bottom: move(&state, by: Int.max / 2)
        case .open:
            return open(&state)
        case .custom(let name):
            return [.custom(name)]
        }
        return []
    }

    /// Takes new figures, keeping the selection on what was selected: the same error code when
    /// codes re-rank, the same request when a live list gains rows.
    public static func apply(snapshot: LiveSnapshot, to state: inout DashboardState) {
        let code = selectedErrorCode(state)
        state.snapshot = snapshot
        if let code, let row = snapshot.errors.firstIndex(where: { $0.code == code }) { state.selectedRow = row }
        state.selectedRow = min(state.selectedRow, max(0, rowCount(state) - 1))
    }

    /// Takes a list's new rows (a list opened from the overview updates while open), keeping
    /// the selection on the same request.
    public static func apply(list: [RecentRequest], to state: inout DashboardState) {
        let selected = state.selectedRow < state.list.count ? state.list[state.selectedRow] : nil
        state.list = list
        if let selected, let row = list.firstIndex(where: { $0.id == selected.id && $0.time == selected.time }) { state.selectedRow = row }
        state.selectedRow = min(state.selectedRow, max(0, list.count - 1))
    }

    /// The error code under the cursor in the overview's Errors panel.
    static func selectedErrorCode(_ state: DashboardState) -> String? {
        guard state.route == .overview, state.focus == .errors, state.selectedRow < state.snapshot.errors.count else { return nil }
        return state.snapshot.errors[state.selectedRow].code
    }

    /// Moves the selection in a list, or scrolls a text view, by `delta` lines (clamped). The
    /// log view counts up from its newest line, so "down" there is towards the newest.
    static func move(_ state: inout DashboardState, by delta: Int) {
        switch state.route {
        case .request:
            let lines = state.trace?.rawLines.count ?? 0
            state.scroll = min(max(0, state.scroll + delta), max(0, lines - 1))
        case .log:
            state.scroll = min(max(0, state.scroll - delta), max(0, LogViewModel.lines(state).count - 1))
        default:
            state.selectedRow = min(max(0, state.selectedRow + delta), max(0, rowCount(state) - 1))
        }
    }

    /// Moves the time cursor of a zoomed chart by about a sixtieth of the window (it starts at
    /// the newest slot).
    static func moveCursor(_ state: inout DashboardState, forward: Bool) {
        let count = state.snapshot.okSeries.count
        guard count > 0 else { return }
        let step = max(1, count / 60)
        let at = state.cursorSlot ?? count - 1
        state.cursorSlot = state.cursorSlot == nil ? count - 1 : min(count - 1, max(0, at + (forward ? step : -step)))
    }

    /// The time span of the cursor's slot (start, seconds), from the snapshot's end.
    public static func cursorSpan(_ state: DashboardState) -> (from: LogTimestamp, seconds: Int)? {
        guard let slot = state.cursorSlot, let end = state.snapshot.time else { return nil }
        let unit = state.snapshot.window.unitSeconds, count = state.snapshot.okSeries.count
        let step = max(1, count / 60)
        let endKey = unit == 1 ? end.second : (end.second >= 0 ? end.second / 60 : (end.second - 59) / 60)
        let key = endKey - Int64(count - 1 - slot)
        return (LogTimestamp(milliseconds: key * Int64(unit) * 1000), step * unit)
    }

    static func rowCount(_ state: DashboardState) -> Int {
        switch state.route {
        case .overview:
            switch state.focus {
            case .errors: return state.snapshot.errors.count
            case .alerts: return state.snapshot.alerts.count
            case .events: return EventRows.of(state).count
            case .failover: return state.targets.count
            default: return 0
            }
        case .errors, .search, .moment: return state.list.count
        default: return 0
        }
    }

    static func back(_ state: inout DashboardState) -> [DashboardEffect] {
        guard state.routes.count > 1 else { return [] }
        let left = state.routes.removeLast()
        state.selectedRow = 0
        state.scroll = 0
        if case .request = left { state.trace = nil; state.lookup = .idle; return [.cancelLookup] }
        return state.route == .overview ? [] : [.refreshList]
    }

    static func open(_ state: inout DashboardState) -> [DashboardEffect] {
        switch state.route {
        case .overview where state.focus == .alerts:
            return openAlert(&state)
        case .overview where state.focus == .events:
            // An event that names a request opens it.
            let rows = EventRows.of(state)
            guard state.selectedRow < rows.count, let id = rows[state.selectedRow].id else { return [] }
            state.routes.append(.request(id: id))
            state.scroll = 0
            state.trace = nil
            state.lookup = .idle
            return [.openRequest(id)]
        case .overview where state.focus == .failover:
            guard state.selectedRow < state.targets.count else { return [] }
            state.routes.append(.probe(target: state.targets[state.selectedRow].name))
            state.scroll = 0
            return []
        case .overview:
            guard state.focus == .errors, state.selectedRow < state.snapshot.errors.count else { return [] }
            state.routes.append(.errors(code: state.snapshot.errors[state.selectedRow].code))
            state.selectedRow = 0
            return [.refreshList]
        case .zoom:
            guard let span = cursorSpan(state) else { state.status = "←/→ place the time cursor first"; return [] }
            state.routes.append(.moment(from: span.from, seconds: span.seconds))
            state.selectedRow = 0
            return [.refreshList]
        case .errors, .search, .moment:
            guard state.selectedRow < state.list.count else { return [] }
            let id = state.list[state.selectedRow].id
            state.routes.append(.request(id: id))
            state.scroll = 0
            state.trace = nil
            state.lookup = .idle
            return [.openRequest(id)]
        case .log(let filter):
            // Enter in the log: the first error code on screen filters the log to its lines.
            if filter == nil, let code = state.logLines.reversed().compactMap({ errorCode(in: $0.text) }).first {
                state.routes.append(.log(filter: code))
            }
            return []
        case .request, .probe:
            return []
        }
    }

    /// Enter on an alert: error alerts open the failed requests of the top code (examples);
    /// others focus the panel whose figures tripped the rule.
    static func openAlert(_ state: inout DashboardState) -> [DashboardEffect] {
        let alerts = state.snapshot.alerts
        guard state.selectedRow < alerts.count else { return [] }
        let alert = alerts[state.selectedRow]
        state.status = alert.line
        if alert.panel == .errors, let top = state.snapshot.errors.first {
            state.routes.append(.errors(code: top.code))
            state.selectedRow = 0
            return [.refreshList]
        }
        state.focus = alert.panel
        state.selectedRow = 0
        return []
    }

    static func errorCode(in line: String) -> String? {
        guard let range = line.range(of: "error_code=") else { return nil }
        let code = line[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return code.isEmpty ? nil : String(code)
    }

    /// Moves to the next older (or newer) line matching the log search, wrapping around at
    /// either end, and scrolls it into view; the first search lands on the newest match.
    static func stepMatch(_ state: inout DashboardState, older: Bool) {
        let lines = LogViewModel.lines(state)
        let matches = LogViewModel.matches(lines, state.logSearch)
        guard let query = state.logSearch else { state.status = "no search: / then text"; return }
        guard !matches.isEmpty else { state.logMatch = nil; state.status = "“\(query)” not in the kept lines"; return }
        let next: Int
        var wrapped = false
        if let current = state.logMatch {
            if older {
                if let found = matches.last(where: { $0 < current }) { next = found } else { next = matches.last!; wrapped = true }
            } else {
                if let found = matches.first(where: { $0 > current }) { next = found } else { next = matches.first!; wrapped = true }
            }
        } else {
            next = matches.last!
        }
        state.logMatch = next
        state.scroll = LogViewModel.scroll(toShow: next, count: lines.count, pageRows: state.pageRows)
        let position = (matches.firstIndex(of: next) ?? 0) + 1
        state.status = "“\(query)” match \(matches.count - position + 1) of \(matches.count)" + (wrapped ? " (wrapped around)" : "")
    }

    static func handlePrompt(_ key: String, _ state: inout DashboardState) -> [DashboardEffect] {
        switch key {
        case "esc": state.prompt = nil
        case "enter":
            let text = (state.prompt ?? "").trimmingCharacters(in: .whitespaces)
            state.prompt = nil
            if state.promptPurpose == .logSearch {
                state.logSearch = text.isEmpty ? nil : text
                state.logMatch = nil
                stepMatch(&state, older: true)
                return []
            }
            return text.isEmpty ? [] : [.submitQuery(text)]
        case "backspace": if !(state.prompt ?? "").isEmpty { state.prompt!.removeLast() }
        default:
            if key.count == 1 || (key.unicodeScalars.count == 1 && !key.hasPrefix("f")) { state.prompt! += key }
            else if key == "space" { state.prompt! += " " }
        }
        return []
    }
}

import Foundation
