import TTSMonCore

/// The rows of the Events panel, newest first: failovers and early signals, with the request
/// id an event names (Enter opens it). One list for the panel and for the keys.
struct EventRows {
    var time: LogTimestamp
    var text: String
    var role: Role
    var id: String?

    static func of(_ s: DashboardState) -> [EventRows] {
        var items: [EventRows] = []
        for f in s.snapshot.failovers { items.append(EventRows(time: f.time, text: "failover \(f.from ?? "?")→\(f.to): \(f.message)", role: .crit)) }
        for sig in s.snapshot.signals { items.append(EventRows(time: sig.time, text: sig.summaryText, role: .warn, id: sig.id)) }
        return items.sorted { $0.time > $1.time }
    }
}

/// One target's last probe in full: both checks with status, timing and reason, the audio or
/// the sanitised body snippet (the Failover panel cuts the reason to fit).
enum ProbeView {
    static func render(_ grid: inout Grid, _ body: Rect, _ s: DashboardState) {
        guard case .probe(let name) = s.route else { return }
        let inner = Widgets.panel(&grid, body, title: "Probe \(name)")
        guard !inner.isEmpty else { return }
        guard let target = s.targets.first(where: { $0.name == name }) else {
            grid.put("no target \(name)", x: inner.x + 1, y: inner.y, role: .muted)
            return
        }
        var y = inner.y
        func line(_ label: String, _ value: String?, _ role: Role = .value) {
            guard let value, y < inner.y + inner.height else { return }
            grid.put(label, x: inner.x + 1, y: y, role: .label)
            grid.put(value, x: inner.x + 16, y: y, role: role, maxWidth: inner.width - 17)
            y += 1
        }
        let state = target.active ? "active" : target.up ? "up" : "down"
        line("target", "\(target.name)  \(state)", target.up ? .ok : .crit)
        guard let probe = target.lastProbe else {
            line("last probe", target.lastError ?? "none yet", target.lastError == nil ? .muted : .crit)
            return
        }
        line("url", probe.target.url)
        line("checked", UIFormat.age(target.ageSeconds) + " ago", .muted)
        line("reason", probe.failureReason ?? "both checks passed", probe.up ? .ok : .crit)
        y += 1
        let h = probe.health
        line("GET /health", h.ok ? "ok" : "failed", h.ok ? .ok : .crit)
        line("  status", h.status.map { "HTTP \($0)" })
        line("  time", h.ms.map { UIFormat.ms($0) })
        line("  error", h.error, .crit)
        line("  body", h.body)
        y += 1
        let t = probe.synthesis
        line("POST /tts", t.ok ? "ok" : "failed", t.ok ? .ok : .crit)
        line("  status", t.status.map { "HTTP \($0)" })
        line("  time", t.ms.map { UIFormat.ms($0) })
        line("  content type", t.contentType)
        line("  bytes", t.bytes.map(String.init))
        line("  audio", t.audio)
        line("  error", t.error, .crit)
        line("  body", t.snippet)
    }
}
