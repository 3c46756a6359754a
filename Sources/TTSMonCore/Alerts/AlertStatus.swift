/// Where a rule is in its life: inactive → pending → firing → resolved.
public enum AlertState: String, Sendable {
    case inactive, pending, firing, resolved
}

/// One rule's current state, as snapshots and the dashboard show it.
public struct AlertStatus: Sendable, Equatable {
    public var rule: AlertRule
    public var state: AlertState
    /// When the rule entered `state` (log time, or probe time for probe rules).
    public var since: LogTimestamp
    /// The latest value (nil when the signal has none now, e.g. no requests in the window).
    public var value: Double?
    public var name: String { rule.name }
}

/// One stretch during which a rule fired.
public struct AlertInterval: Sendable, Equatable {
    public var rule: AlertRule
    public var start: LogTimestamp
    /// When it resolved; nil while still firing.
    public var end: LogTimestamp?
    /// The worst value while it fired.
    public var peak: Double
}

/// A rule starting or stopping to fire (what a bell or Alertmanager hears about).
public struct AlertTransition: Sendable, Equatable {
    public enum Kind: String, Sendable { case firing, resolved }
    public var rule: AlertRule
    public var kind: Kind
    /// When it started firing (for `.firing`) or resolved (for `.resolved`).
    public var time: LogTimestamp
    /// When the firing began (equals `time` for `.firing`).
    public var start: LogTimestamp
    public var value: Double?
}

/// One rule's state machine.
struct AlertTracker: Sendable {
    var state = AlertState.inactive
    var since = LogTimestamp(milliseconds: 0)
    var pendingSince = LogTimestamp(milliseconds: 0)
    var value: Double?
    var peak: Double?

    /// How long a resolved alert stays visible.
    static let resolvedVisibleSeconds: Int64 = 300

    /// A transition made by `evaluate`, without its rule (the engine adds it).
    struct Step {
        var kind: AlertTransition.Kind
        var time: LogTimestamp
        var start: LogTimestamp
        var value: Double?
    }

    /// Advances the machine to `time`; returns the transition it made into or out of firing.
    /// Takes the two facts of the rule it needs, so that the per-second sweep copies no rule.
    mutating func evaluate(forSeconds: Int, largerIsWorse: Bool, at time: LogTimestamp, value: Double?, holds: Bool) -> Step? {
        self.value = value
        func worse(_ v: Double?) {
            guard let v else { return }
            guard let p = peak else { peak = v; return }
            peak = largerIsWorse ? max(p, v) : min(p, v)
        }
        switch state {
        case .inactive, .resolved:
            if holds {
                pendingSince = time; peak = nil; worse(value)
                if forSeconds <= 0 {
                    state = .firing; since = time
                    return Step(kind: .firing, time: time, start: time, value: value)
                }
                state = .pending; since = time
            } else if state == .resolved, time.milliseconds - since.milliseconds >= Self.resolvedVisibleSeconds * 1000 {
                state = .inactive; since = time
            }
        case .pending:
            guard holds else { state = .inactive; since = time; return nil }
            worse(value)
            let fireAt = pendingSince.adding(milliseconds: Int64(forSeconds) * 1000)
            if time >= fireAt {
                state = .firing; since = fireAt
                return Step(kind: .firing, time: fireAt, start: fireAt, value: value)
            }
        case .firing:
            if holds { worse(value); return nil }
            let start = since
            state = .resolved; since = time
            return Step(kind: .resolved, time: time, start: start, value: value)
        }
        return nil
    }
}
