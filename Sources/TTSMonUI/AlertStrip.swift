import TTSMonCore

extension AlertStatus {
    /// Identifies one firing of a rule: an acknowledgement lasts until it resolves (or expires).
    public var ackKey: AlertKey { AlertKey(rule: rule.name, since: since) }

    /// The overview panel whose figures this rule reads.
    public var panel: Panel {
        switch rule.signal {
        case .p50LatencySeconds, .p90LatencySeconds, .p95LatencySeconds, .p99LatencySeconds, .rtfP95: return .latency
        case .errorRatio, .serverErrorRatio: return .errors
        case .cacheUsedPercent, .diskFreePercent: return .cache
        case .logStaleSeconds: return .traffic
        case .trafficOnStandby, .activeTargetUp: return .failover
        case .gpuQueueSlowRatio, .requestsPerSecond: return .traffic
        case .hostCPUPercent, .processRSSGrowthMBPerHour, .gpuUtilPercent: return .resources
        }
    }

    /// `HighErrorRate 22.3% > 5.0% 3m`: name, the comparison the rule made, time in this state;
    /// a resolved alert says `resolved 08:03:10` instead (its value no longer meets the rule).
    func stripText(now: LogTimestamp?) -> String {
        var text = rule.name
        if state == .resolved { return text + " resolved " + String(since.logText.dropFirst(11).prefix(8)) }
        if let comparison = comparisonText { text += " " + comparison }
        if let now { text += " " + UIFormat.age(Double(max(0, now.milliseconds - since.milliseconds)) / 1000) }
        return text
    }
}

/// The one-row alert strip under the header: firing alerts in the error colour, pending in amber,
/// resolved and acknowledged ones muted; with no alert, the newest early signal (or "no alerts").
enum AlertStrip {
    static func render(_ grid: inout Grid, y: Int, _ s: DashboardState) {
        let alerts = s.snapshot.alerts
        let focused = s.focus == .alerts && s.route == .overview
        grid.fill(Rect(x: 0, y: y, width: grid.width, height: 1), role: .normal)
        var x = 1
        if alerts.isEmpty {
            x += grid.put("✓ no alerts", x: x, y: y, role: focused ? .selection : .ok)
            if let signal = s.snapshot.signals.first {
                x += grid.put("   early signal: ", x: x, y: y, role: .label)
                grid.put(signal.summaryText, x: x, y: y, role: .warn, maxWidth: grid.width - x - 1)
            }
            return
        }
        for (i, alert) in alerts.enumerated() {
            let acked = s.acknowledged.contains(alert.ackKey)
            let role: Role
            switch alert.state {
            case .firing: role = acked ? .muted : .alertFiring
            case .pending: role = .alertPending
            default: role = .muted
            }
            let mark: String
            switch alert.state {
            case .firing: mark = acked ? "✓" : "●"
            case .pending: mark = "◔"
            default: mark = "○"
            }
            var text = "\(mark) " + alert.stripText(now: alert.rule.signal.clock == .log ? s.snapshot.time : nil)
            if acked { text += " (acked)" }
            let width = DisplayWidth.of(text)
            guard x + width + 1 < grid.width else {
                grid.put("+\(alerts.count - i)", x: x, y: y, role: .label)
                break
            }
            let selected = focused && s.selectedRow == i
            x += grid.put(text, x: x, y: y, role: selected ? .selection : role, bold: alert.state == .firing && !acked)
            x += grid.put("  ", x: x, y: y)
        }
    }
}
