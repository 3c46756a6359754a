/// How traffic returns to main after it recovers.
public enum FailbackMode: String, Sendable, CaseIterable {
    /// After main passes `failbackAfter` consecutive probes.
    case auto
    /// Only when someone asks (seed 003's choice: a restarted main needs warm-up).
    case manual
}

/// One switch of traffic between targets.
public struct FailoverSwitch: Sendable, Equatable {
    public var time: LogTimestamp
    public var from: String?
    public var to: String?
    public var reason: String
    /// Where it came from: a probe round, a user's key, or the router's own log.
    public var origin: Origin

    public enum Origin: String, Sendable { case probe, manual, log, router }
}

/// Seed 003's router as a value: targets are marked down after `failAfter` consecutive failed
/// probes; traffic goes to the first target that is up; failback to main is automatic after
/// `failbackAfter` passes, or manual. Time is whatever the caller says it is (probe time).
public struct FailoverState: Sendable, Equatable {
    /// What is known of one target.
    public struct TargetState: Sendable, Equatable {
        public var name: String
        public var up = true
        public var consecutiveFailures = 0
        public var consecutiveSuccesses = 0
        public var lastResult: ProbeResult?
        public var lastProbe: LogTimestamp?
        public var probed = false
    }

    public private(set) var targets: [TargetState]
    public private(set) var active: String?
    public private(set) var timeline: [FailoverSwitch] = []
    public let failAfter: Int
    public let failbackAfter: Int
    public let mode: FailbackMode
    public let timelineCapacity: Int

    public init(targets: [String], failAfter: Int = 1, failbackAfter: Int = 2, mode: FailbackMode = .manual, timelineCapacity: Int = 200) {
        self.targets = targets.map { TargetState(name: $0) }
        self.failAfter = max(1, failAfter)
        self.failbackAfter = max(1, failbackAfter)
        self.mode = mode
        self.timelineCapacity = timelineCapacity
        active = targets.first
    }

    /// The main target's name (the first).
    public var main: String? { targets.first?.name }

    /// True when main is up again but traffic waits for a manual failback.
    public var failbackPending: Bool {
        guard mode == .manual, let main = targets.first, main.up, active != main.name else { return false }
        return main.consecutiveSuccesses >= failbackAfter
    }

    /// Folds one probe round; returns the switch it caused, if any.
    @discardableResult
    public mutating func record(_ results: [ProbeResult], at time: LogTimestamp) -> FailoverSwitch? {
        for result in results {
            guard let i = targets.firstIndex(where: { $0.name == result.target.name }) else { continue }
            var t = targets[i]
            t.lastResult = result
            t.lastProbe = time
            t.probed = true
            if result.up {
                t.consecutiveSuccesses += 1
                t.consecutiveFailures = 0
                // Main must prove itself for failbackAfter rounds; others count at once.
                if !t.up, i > 0 || t.consecutiveSuccesses >= failbackAfter { t.up = true }
            } else {
                t.consecutiveFailures += 1
                t.consecutiveSuccesses = 0
                if t.consecutiveFailures >= failAfter { t.up = false }
            }
            targets[i] = t
        }
        return reconsider(at: time)
    }

    /// Chooses the active target after a round.
    mutating func reconsider(at time: LogTimestamp) -> FailoverSwitch? {
        let firstUp = targets.first { $0.up }?.name
        var wanted = firstUp
        // Manual failback: once off main, stay off main until asked (if the current one is up).
        if mode == .manual, let main, wanted == main, let current = active, current != main,
           targets.first(where: { $0.name == current })?.up == true {
            wanted = current
        }
        guard wanted != active else { return nil }
        let reason: String
        if let from = active, let state = targets.first(where: { $0.name == from }), !state.up {
            reason = "\(from) failed: \(state.lastResult?.failureReason ?? "down")"
        } else if wanted == main {
            reason = "\(main ?? "main") recovered (\(failbackAfter) good probes)"
        } else if wanted == nil {
            reason = "no target is up"
        } else {
            reason = "\(wanted ?? "?") is the first target up"
        }
        return switchTo(wanted, at: time, reason: reason, origin: .probe)
    }

    /// Switches traffic back to main when failback is manual (the dashboard's `F`).
    @discardableResult
    public mutating func failBackToMain(at time: LogTimestamp) -> FailoverSwitch? {
        guard let main, active != main, targets.first?.up == true else { return nil }
        return switchTo(main, at: time, reason: "manual failback to \(main)", origin: .manual)
    }

    /// Follows a router that probes and switches by itself (`dashboard --router`): its targets
    /// and their health become these, and a change of its active target is a switch (none for
    /// the first status seen).
    @discardableResult
    public mutating func adopt(_ status: RouterStatus, at time: LogTimestamp) -> FailoverSwitch? {
        let first = !targets.contains { $0.probed }
        if targets.map(\.name) != status.targets.map(\.name) { targets = status.targets.map { TargetState(name: $0.name) } }
        for (i, t) in status.targets.enumerated() {
            if targets[i].up != t.up { targets[i].consecutiveFailures = 0; targets[i].consecutiveSuccesses = 0 }
            targets[i].up = t.up
            targets[i].probed = true
            targets[i].lastProbe = time
            if t.up { targets[i].consecutiveSuccesses += 1 } else { targets[i].consecutiveFailures += 1 }
        }
        if first { active = status.active; return nil }
        guard status.active != active else { return nil }
        if timeline.contains(where: { $0.origin == .log && $0.to == status.active && Self.sameSwitch($0.time, time) }) {
            active = status.active      // its log line told it first
            return nil
        }
        let reason: String
        if let from = active, let down = status.targets.first(where: { $0.name == from }), !down.up {
            reason = "\(from) failed: \(down.reason ?? "down")"
        } else {
            reason = "the router switched to \(status.active ?? "none")"
        }
        return switchTo(status.active, at: time, reason: reason, origin: .router)
    }

    /// Merges a switch the router logged itself (`main instance failed, switching to standby`).
    public mutating func noteLogged(_ event: FailoverEvent) {
        let entry = FailoverSwitch(time: event.time, from: event.from, to: event.to, reason: event.message, origin: .log)
        guard !timeline.contains(entry) else { return }
        // The same switch seen first in the router's status: the log's time is the exact one.
        timeline.removeAll { $0.origin == .router && $0.to == event.to && Self.sameSwitch($0.time, event.time) }
        timeline.append(entry)
        timeline.sort { $0.time < $1.time }
        if timeline.count > timelineCapacity { timeline.removeFirst(timeline.count - timelineCapacity) }
        if targets.count < 1 || targets.allSatisfy({ !$0.probed }) { active = event.to }
    }

    /// Whether a router's status and its log line, this far apart, tell of one switch (the
    /// status is read every few seconds).
    static func sameSwitch(_ a: LogTimestamp, _ b: LogTimestamp) -> Bool { abs(a.milliseconds - b.milliseconds) <= 30_000 }

    mutating func switchTo(_ target: String?, at time: LogTimestamp, reason: String, origin: FailoverSwitch.Origin) -> FailoverSwitch {
        let entry = FailoverSwitch(time: time, from: active, to: target, reason: reason, origin: origin)
        active = target
        timeline.append(entry)
        if timeline.count > timelineCapacity { timeline.removeFirst(timeline.count - timelineCapacity) }
        return entry
    }
}
