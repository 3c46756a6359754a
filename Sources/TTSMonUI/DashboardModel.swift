import Foundation
import TTSMonCore

/// One firing of a rule, as an acknowledgement names it: typed, never formatted into a string
/// and parsed back. An acknowledgement lasts until that firing resolves (or `--ack-for` ends).
public struct AlertKey: Hashable, Sendable {
    public var rule: String
    public var since: LogTimestamp
    public init(rule: String, since: LogTimestamp) { self.rule = rule; self.since = since }
}

/// The figures the app read from its source for one refresh (what it reads depends on
/// `state`: the list of the open route, the split columns while split, the log while shown).
public struct DashboardFigures: Sendable {
    public var now: Date
    /// The header's clock (the replayed log time in a replay).
    public var clock: String
    public var sources: [SourceLine]
    /// Notes from the sources since the last refresh (waiting, unreadable…).
    public var notes: [String] = []
    public var snapshot: LiveSnapshot
    public var splitColumns: [SplitColumn]?
    /// A Prometheus-fed fleet's instances (instead of probe targets).
    public var instances: [TargetLine]?
    public var logLines: [LogViewLine]?
    public var list: [RecentRequest]?
    /// Why alerts are not delivered (Alertmanager unreachable), if so.
    public var deliveryProblem: String?
    /// While older history for a long window is read in the background: how much is in.
    public var historyPercent: Int?
    /// The newest completed requests, newest first.
    public var latest: [RecentRequest]?
    /// The newest failed requests, newest first (under the Errors panel's codes).
    public var recentFailures: [RecentRequest]?
    /// The latest resource sample (the Resources panel), when resources are sampled.
    public var resources: ResourceFigures?

    public init(now: Date, clock: String, sources: [SourceLine], snapshot: LiveSnapshot) {
        self.now = now; self.clock = clock; self.sources = sources; self.snapshot = snapshot
    }
}

/// Progress of a background history search for a request id.
public enum LookupOutcome: Sendable {
    case progress(id: String, done: Int, total: Int)
    case found(RequestTrace)
    case notFound(id: String, files: Int)
}

/// The dashboard's behaviour without a terminal or a network: the one owner of the UI state
/// and of the probes' failover state, driven by typed messages (keys, probe rounds, lookup
/// progress, refreshed figures). It answers with effects the app carries out (look a request
/// up, save the screen, quit…); the app only reads keys, polls, probes and searches in the
/// background, and draws `state`.
public struct DashboardModel: Sendable {
    public struct Configuration: Sendable {
        public var probes: [ProbeTarget] = []
        public var failAfter = 1
        public var failbackAfter = 2
        public var failback: FailbackMode = .manual
        /// Seconds an acknowledgement lasts (`--ack-for`).
        public var ackFor: Double = 3600
        /// The failover state comes from this router's `/admin/status` (`--router`) instead of
        /// probes of our own; failback asks the router.
        public var router: String?
        public init() {}
    }

    /// What a message is about.
    public enum Message: Sendable {
        /// A key, by its keymap name, at a wall-clock moment.
        case key(String, at: Date)
        /// A probe round's results.
        case probeRound([ProbeResult], at: Date)
        /// What the router answered on `/admin/status`, or why it could not be asked.
        case routerStatus(Result<RouterStatus, RouterProblem>, at: Date)
        case lookup(LookupOutcome)
        /// New figures from the source.
        case refreshed(DashboardFigures)
        /// The text typed after `/`, and whether the recent index knows it as an id.
        case query(String, indexed: Bool)
    }

    public private(set) var state: DashboardState
    public private(set) var failover: FailoverState
    public let configuration: Configuration
    /// Acknowledged firings and when each acknowledgement ends.
    var acknowledgedUntil: [AlertKey: Date] = [:]
    /// The router's last answer, when it was asked, and why the last ask failed (if it did).
    var router: (status: RouterStatus, at: Date)?
    var routerProblem: String?

    public init(state: DashboardState, configuration: Configuration) {
        self.state = state
        self.configuration = configuration
        failover = FailoverState(targets: configuration.probes.map(\.name), failAfter: configuration.failAfter,
                                 failbackAfter: configuration.failbackAfter, mode: configuration.failback)
    }

    /// Changes the state directly, for what only the app knows (the screen's page size, the
    /// locale note, a custom key's answer).
    public mutating func update(_ change: (inout DashboardState) -> Void) { change(&state) }

    /// Handles one message; returns what the app must do.
    public mutating func handle(_ message: Message) -> [DashboardEffect] {
        switch message {
        case .key(let name, let now):
            var out: [DashboardEffect] = []
            for effect in DashboardController.handle(name, state: &state) {
                switch effect {
                case .failback where configuration.router != nil:
                    state.status = "asking the router to switch to main…"
                    out.append(.failback)
                case .failback:
                    if let entry = failover.failBackToMain(at: LogTimestamp(localTime: now)) {
                        state.status = "traffic back on \(entry.to ?? "main")"
                    }
                    updateTargets(instances: nil, now: now)
                case .acknowledge(let key):
                    acknowledgedUntil[key] = now.addingTimeInterval(configuration.ackFor)
                    state.status = "\(key.rule) acknowledged for \(UIFormat.age(configuration.ackFor))"
                default:
                    out.append(effect)
                }
            }
            return out
        case .probeRound(let results, let now):
            failover.record(results, at: LogTimestamp(localTime: now))
            updateTargets(instances: nil, now: now)
            return []
        case .routerStatus(let answer, let now):
            switch answer {
            case .success(let status):
                if routerProblem != nil { state.status = "router answers again" }
                routerProblem = nil
                router = (status, now)
                if let entry = failover.adopt(status, at: LogTimestamp(localTime: now)) {
                    state.status = "router: traffic on \(entry.to ?? "none") (\(entry.reason))"
                }
            case .failure(let problem):
                if routerProblem == nil { state.status = "router unreachable: \(problem.reason)" }
                routerProblem = problem.reason
            }
            updateTargets(instances: nil, now: now)
            return []
        case .lookup(let outcome):
            applyLookup(outcome)
            return []
        case .refreshed(let figures):
            refresh(figures)
            return []
        case .query(let text, let indexed):
            return submit(text, indexed: indexed)
        }
    }

    /// Whether the active target's last probe succeeded (nil without probes or before the first
    /// round; false when no target is active).
    public var activeTargetUp: Bool? {
        if configuration.router != nil {
            guard let router else { return routerProblem == nil ? nil : false }
            if routerProblem != nil { return false }     // no way through it
            guard let active = router.status.active else { return false }
            return router.status.targets.first { $0.name == active }?.up
        }
        guard !configuration.probes.isEmpty, failover.targets.contains(where: { $0.lastResult != nil }) else { return nil }
        guard let active = failover.active else { return false }
        return failover.targets.first { $0.name == active }?.lastResult?.up
    }

    /// Whether `text` after `/` is a request id to open rather than text to search: one the
    /// index knows, or an id-shaped token with a digit in it (`ts_7f3a2b1c`, not `hello`).
    public static func looksLikeRequestID(_ text: String, indexed: Bool) -> Bool {
        indexed || (isValidRequestID(text) && text.contains(where: \.isNumber) && !text.contains(" "))
    }

    mutating func submit(_ text: String, indexed: Bool) -> [DashboardEffect] {
        if Self.looksLikeRequestID(text, indexed: indexed) {
            state.routes.append(.request(id: text))
            state.scroll = 0
            state.trace = nil
            state.lookup = .idle
            return [.openRequest(text)]
        }
        state.routes.append(.search(query: text))
        state.selectedRow = 0
        return [.refreshList]
    }

    mutating func applyLookup(_ outcome: LookupOutcome) {
        guard case .request(let current) = state.route else { return }
        switch outcome {
        case .progress(let id, let done, let total) where id == current: state.lookup = .searching(id: id, filesDone: done, filesTotal: total)
        case .found(let trace) where trace.id == current: state.trace = trace; state.lookup = .idle
        case .notFound(let id, let files) where id == current: state.lookup = .notFound(id: id, files: files)
        default: break
        }
    }

    mutating func refresh(_ f: DashboardFigures) {
        state.clock = f.clock
        state.sources = f.sources
        state.historyPercent = f.historyPercent
        if let r = f.resources { state.resources = r }
        if let latest = f.latest { state.latest = latest }
        if let failures = f.recentFailures { state.recentFailures = failures }
        for note in f.notes { state.status = Sanitizer.clean(note) }
        guard !state.paused else { return }
        DashboardController.apply(snapshot: f.snapshot, to: &state)
        if state.split, let columns = f.splitColumns { state.splitColumns = columns }
        acknowledgedUntil = acknowledgedUntil.filter { $0.value > f.now }
        state.acknowledged = Set(acknowledgedUntil.keys)
        if state.status == nil, let problem = f.deliveryProblem { state.status = problem }
        for event in state.snapshot.failovers { failover.noteLogged(event) }
        updateTargets(instances: f.instances, now: f.now)
        if let list = f.list { DashboardController.apply(list: list, to: &state) }
        if let lines = f.logLines { takeLogLines(lines) }
    }

    /// New log lines; scrolled back, the view stays on the lines it shows as new ones arrive.
    mutating func takeLogLines(_ lines: [LogViewLine]) {
        let before = state.logLines.count
        let newest = state.logLines.last
        state.logLines = lines
        if state.scroll > 0, let newest, let at = lines.lastIndex(of: newest) {
            state.scroll += lines.count - 1 - at
        } else if state.scroll > 0 {
            state.scroll += max(0, lines.count - before)
        }
    }

    /// The Failover panel's lines: a fleet's instances; else the probe targets; else, with no
    /// probes, what the logs' failover lines say.
    mutating func updateTargets(instances: [TargetLine]?, now: Date) {
        if let instances {
            state.targets = instances
            state.fleet = true
        } else if configuration.router != nil {
            if let router {
                let age = now.timeIntervalSince(router.at)
                state.targets = router.status.targets.map { t in
                    TargetLine(name: t.name, active: t.name == router.status.active, up: t.up, latencyMs: t.lastProbeMs,
                               lastError: routerProblem.map { "router unreachable: \($0)" } ?? t.reason, ageSeconds: age)
                }
            }
        } else if configuration.probes.isEmpty {
            let active = failover.timeline.last?.to ?? "main"
            let names = Array(Set(failover.timeline.flatMap { [$0.from, $0.to].compactMap { $0 } } + [active])).sorted()
            state.targets = failover.timeline.isEmpty ? [] : names.map {
                TargetLine(name: $0, active: $0 == active, up: true, latencyMs: nil, lastError: nil, ageSeconds: nil)
            }
        } else if !state.fleet {
            let wall = LogTimestamp(localTime: now)
            state.targets = failover.targets.map { t in
                TargetLine(name: t.name, active: t.name == failover.active, up: t.up,
                           latencyMs: t.lastResult?.synthesis.ms, lastError: t.lastResult?.failureReason,
                           lastProbe: t.lastResult,
                           ageSeconds: t.lastProbe.map { Double(wall.milliseconds - $0.milliseconds) / 1000 })
            }
        }
        state.failoverTimeline = failover.timeline
        state.failbackOffered = failover.failbackPending
    }
}
