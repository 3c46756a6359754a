import Foundation
import TTSMonCore
import TTSMonNet
import TTSMonTerminal
import TTSMonUI

/// Wires the dashboard: the collector and probes feed state, the terminal shows it, keys drive
/// the controller. The UI loop never waits on the network or on history searches: probes and
/// lookups run in the background and post results to mailboxes.
final class DashboardApp {
    struct Options {
        var logs: [String] = []
        var probes: [ProbeTarget] = []
        var window: LiveWindow = .fiveMinutes
        var theme: Theme = .builtin
        var probeInterval: Double = 5
        var timeout: Double = 3
        var failback: FailbackMode = .manual
        var failAfter = 1
        var failbackAfter = 2
        var fromEnd = false
        /// Extra keys (the demo's fault keys) and their handler.
        var extraKeys: [KeyBinding] = []
        var rules = AlertRule.builtIn
        var delivery = AlertDelivery()
        /// UTF-8 or ASCII (`--utf8`, `--ascii`; chosen from the locale and TERM by default).
        var textMode: TextMode = .auto
        /// Where `s` saves screens (`--save-dir`; default `$XDG_STATE_HOME/ttsmon`).
        var saveDirectory: String?
        /// Seconds without a new line after which a followed log is marked stale.
        var staleAfter = AlertRule.defaultStaleSeconds
        /// Ring the terminal bell when an alert starts firing.
        var bell = false
        /// Seconds an acknowledgement lasts.
        var ackFor: Double = 3600
    }

    let options: Options
    let source: DashboardSource
    var state: DashboardState
    var failover: FailoverState
    let probeMailbox = Mailbox<[ProbeResult]>()
    let lookupMailbox = Mailbox<LookupOutcome>()
    var lookupCancel: CancelFlag?
    var probeTask: Task<Void, Never>?
    var lastProbeWall: Date?
    var onCustomKey: ((String) -> String?)?
    /// Called every loop turn (the demo's scheduled faults).
    var onTick: (() -> Void)?
    var recentLines: [String] = []
    let relay: AlertRelay
    /// Acknowledged firings (`AlertStatus.ackKey`) and when each acknowledgement ends.
    var acknowledgedUntil: [String: Date] = [:]

    enum LookupOutcome { case progress(String, Int, Int), found(RequestTrace), notFound(String, Int) }

    init(options: Options, source: DashboardSource? = nil) {
        self.options = options
        if let source {
            self.source = source
        } else {
            self.source = LiveSource.following(options)
        }
        relay = AlertRelay(options.delivery)
        state = DashboardState(snapshot: LiveSnapshot(window: options.window))
        state.window = options.window
        state.noLog = source == nil && options.logs.isEmpty
        state.extraKeys = options.extraKeys
        failover = FailoverState(targets: options.probes.map(\.name), failAfter: options.failAfter,
                                 failbackAfter: options.failbackAfter, mode: options.failback)
    }

    /// Runs until `q` or a signal; restores the terminal in every case.
    func run() {
        let stop = StopSignal.install([SIGINT, SIGTERM, SIGHUP])
        // The default theme's greys need 256 colours; with fewer, the 16-colour theme is used.
        let lowColor = options.theme.name == "default" ? (try? Theme.load("ansi16", directories: Theme.searchDirectories()).get()) : nil
        let terminal = Terminal(theme: options.theme, lowColorTheme: lowColor, text: options.textMode)
        state.helpNote = terminal.localeNote
        state.staleAfter = options.staleAfter
        defer { terminal.end() }
        startProbes()
        var lastRefresh = Date.distantPast
        var lastTick = Date()
        var dirty = true
        var frames = 0
        let began = Date()
        // For bench/dashboard.sh: frames drawn so far and seconds running, once a second.
        let statsPath = ProcessInfo.processInfo.environment["TTSMON_FRAME_STATS"]
        while !stop.requested {
            if let key = terminal.readKey() {
                if key == .resize { terminal.invalidate(); dirty = true } else if handle(key, terminal: terminal) { break }
                dirty = true
            }
            onTick?()
            let tick = Date()
            if source.poll(wallSeconds: tick.timeIntervalSince(lastTick), paused: state.paused) { dirty = true }
            lastTick = tick
            for results in probeMailbox.take() { applyProbes(results); dirty = true }
            for outcome in lookupMailbox.take() { applyLookup(outcome); dirty = true }
            let now = Date()
            let transitions = relay.tick(now: now, activeTargetUp: activeTargetUp, evaluate: source.evaluateProbeAlerts,
                                         drain: source.drainAlertTransitions)
            if !transitions.isEmpty {
                if options.bell, transitions.contains(where: { $0.kind == .firing }) { terminal.bell() }
                lastRefresh = .distantPast   // show the change now
            }
            if now.timeIntervalSince(lastRefresh) >= 1 {
                refresh(now: now); lastRefresh = now; dirty = true
                if let statsPath { try? "\(frames) \(now.timeIntervalSince(began))\n".write(toFile: statsPath, atomically: true, encoding: .utf8) }
            }
            if dirty {
                let size = terminal.size
                state.pageRows = max(1, size.height - 6)
                terminal.draw(DashboardView.render(state, width: size.width, height: size.height))
                frames += 1
                dirty = false
            }
        }
        probeTask?.cancel()
        lookupCancel?.cancel()
        relay.shutdown()
    }

    /// Whether the active target's last probe succeeded (nil without probes or before the first
    /// round; false when no target is active).
    var activeTargetUp: Bool? {
        guard !options.probes.isEmpty, failover.targets.contains(where: { $0.lastResult != nil }) else { return nil }
        guard let active = failover.active else { return false }
        return failover.targets.first { $0.name == active }?.lastResult?.up
    }

    /// Turns a terminal key into a controller key name; returns true to quit.
    func handle(_ key: Key, terminal: Terminal) -> Bool {
        guard let name = key.name else { return false }
        let wasPaused = state.paused
        for effect in DashboardController.handle(name, state: &state) {
            switch effect {
            case .quit: return true
            case .save: save(terminal: terminal)
            case .failback:
                if let entry = failover.failBackToMain(at: WallClock.logTime()) { state.status = "traffic back on \(entry.to ?? "main")" }
                updateTargets()
            case .submitQuery(let text): submit(text)
            case .openRequest(let id): open(id)
            case .refreshList: refreshList()
            case .cancelLookup: lookupCancel?.cancel(); lookupCancel = nil
            case .refreshSplit:
                state.splitColumns = state.split ? source.splitColumns(window: state.window) : []
                if state.split, state.splitColumns.isEmpty { state.split = false; state.status = "this view cannot split per source" }
            case .custom(let name): state.status = onCustomKey?(name)
            case .acknowledge(let key):
                acknowledgedUntil[key] = Date().addingTimeInterval(options.ackFor)
                let name = key.split(separator: "@").first.map(String.init) ?? key
                state.status = "\(name) acknowledged for \(UIFormat.age(options.ackFor))"
            }
        }
        if wasPaused != state.paused || !state.paused { refresh(now: Date()) }
        return false
    }

    // MARK: - State from the collector and probes

    func refresh(now: Date) {
        state.clock = source.clockOverride ?? clockText(now)
        state.sources = source.sourceLines(wallNow: now)
        for note in source.drainNotes() { state.status = Sanitizer.clean(note) }
        guard !state.paused else { return }
        DashboardController.apply(snapshot: source.snapshot(window: state.window), to: &state)
        if state.split { state.splitColumns = source.splitColumns(window: state.window) }
        acknowledgedUntil = acknowledgedUntil.filter { $0.value > now }
        state.acknowledged = Set(acknowledgedUntil.keys)
        if state.status == nil, let problem = relay.deliveryProblem { state.status = problem }
        for event in state.snapshot.failovers { failover.noteLogged(event) }
        updateTargets()
        if state.route != .overview { refreshList() }
        if case .log = state.route {
            // Scrolled back, the view stays on the lines it shows as new ones arrive.
            let before = state.logLines.count
            let newest = state.logLines.last
            state.logLines = source.recentLines(limit: 10_000)
            if state.scroll > 0, let newest, let at = state.logLines.lastIndex(of: newest) {
                state.scroll += state.logLines.count - 1 - at
            } else if state.scroll > 0 {
                state.scroll += max(0, state.logLines.count - before)
            }
        }
    }

    func clockText(_ now: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        return f.string(from: now)
    }

    func updateTargets() {
        if let instances = source.instances {
            state.targets = instances
            state.fleet = true
        } else if options.probes.isEmpty {
            // No probes: the failover panel shows what the logs say.
            let active = failover.timeline.last?.to ?? "main"
            let names = Array(Set(failover.timeline.flatMap { [$0.from, $0.to].compactMap { $0 } } + [active])).sorted()
            state.targets = failover.timeline.isEmpty ? [] : names.map {
                TargetLine(name: $0, active: $0 == active, up: true, latencyMs: nil, lastError: nil, ageSeconds: nil)
            }
        } else {
            let now = WallClock.logTime()
            state.targets = failover.targets.map { t in
                TargetLine(name: t.name, active: t.name == failover.active, up: t.up,
                           latencyMs: t.lastResult?.synthesis.ms, lastError: t.lastResult?.failureReason,
                           lastProbe: t.lastResult,
                           ageSeconds: t.lastProbe.map { Double(now.milliseconds - $0.milliseconds) / 1000 })
            }
        }
        state.failoverTimeline = failover.timeline
        state.failbackOffered = failover.failbackPending
    }

    func startProbes() {
        guard !options.probes.isEmpty else { return }
        probeTask = startProbeRounds(options.probes, every: options.probeInterval, timeout: options.timeout, into: probeMailbox)
    }

    func applyProbes(_ results: [ProbeResult]) {
        failover.record(results, at: WallClock.logTime())
        updateTargets()
    }

    // MARK: - Requests

    func submit(_ text: String) {
        if source.indexedRequest(id: text) != nil || (isValidRequestID(text) && text.contains(where: \.isNumber) && !text.contains(" ")) {
            state.routes.append(.request(id: text))
            state.scroll = 0
            state.trace = nil
            state.lookup = .idle
            open(text)
        } else {
            state.routes.append(.search(query: text))
            state.selectedRow = 0
            refreshList()
        }
    }

    func refreshList() {
        switch state.route {
        case .errors(let code): DashboardController.apply(list: source.recentRequests(matching: nil, code: code, limit: 500), to: &state)
        case .search(let q): DashboardController.apply(list: source.recentRequests(matching: q, code: nil, limit: 500), to: &state)
        default: break
        }
    }

    /// Finds a request: the file the index names and the live files first, then every rotated
    /// sibling (`PATH.N`, `PATH.N.gz`), newest first, in the background.
    func open(_ id: String) {
        lookupCancel?.cancel()
        let cancel = CancelFlag()
        lookupCancel = cancel
        let live = source.lookupPaths
        let rotated = live.flatMap { LogInput(path: $0).rotatedSiblings().map(\.path) }.filter { !live.contains($0) }
        let mailbox = lookupMailbox
        state.lookup = .searching(id: id, filesDone: 0, filesTotal: live.count + rotated.count)
        Thread.detachNewThread {
            var done = 0
            let total = live.count + rotated.count
            for batch in [live, rotated] where !batch.isEmpty {
                if cancel.cancelled { return }
                let result = try? RequestTracer.trace(id: id, inputs: batch.map(LogInput.init(path:)), cancelled: { cancel.cancelled })
                done += batch.count
                if cancel.cancelled { return }
                if let trace = result?.trace { mailbox.post(.found(trace)); return }
                mailbox.post(.progress(id, done, total))
            }
            mailbox.post(.notFound(id, total))
        }
    }

    func applyLookup(_ outcome: LookupOutcome) {
        guard case .request(let current) = state.route else { return }
        switch outcome {
        case .progress(let id, let done, let total) where id == current: state.lookup = .searching(id: id, filesDone: done, filesTotal: total)
        case .found(let trace) where trace.id == current: state.trace = trace; state.lookup = .idle
        case .notFound(let id, let files) where id == current: state.lookup = .notFound(id: id, files: files)
        default: break
        }
    }

    func save(terminal: Terminal) {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        let directory = options.saveDirectory ?? DashboardSettings.defaultSaveDirectory()
        let path = directory + "/ttsmon-screen-\(f.string(from: Date())).txt"
        let size = terminal.size
        let text = DashboardView.render(state, width: size.width, height: size.height).text
            .split(separator: "\n", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
            .joined(separator: "\n") + "\n"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            state.status = "saved to \(path)"
        } catch {
            state.status = "could not save: \(error.localizedDescription)"
        }
    }
}

/// A thread-safe list of values posted by background work and taken by the UI loop.
final class Mailbox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func post(_ item: T) { lock.lock(); items.append(item); lock.unlock() }
    func take() -> [T] { lock.lock(); defer { lock.unlock() }; let out = items; items.removeAll(); return out }
}

/// Probes `targets` every `interval` seconds in the background (each round concurrent, each
/// request bounded by `timeout`) and posts each round's results; cancel the task to stop.
func startProbeRounds(_ targets: [ProbeTarget], every interval: Double, timeout: Double,
                      into mailbox: Mailbox<[ProbeResult]>) -> Task<Void, Never> {
    Task.detached {
        let prober = HTTPProber(timeout: .milliseconds(Int64(timeout * 1000)))
        while !Task.isCancelled {
            let started = ContinuousClock.now
            mailbox.post(await prober.probeAll(targets))
            try? await Task.sleep(until: started + .milliseconds(Int64(interval * 1000)))
        }
        await prober.shutdown()
    }
}

/// A cancellation flag shared with a background search.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func cancel() { lock.lock(); flag = true; lock.unlock() }
    var cancelled: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}
