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
        /// A `ttsmon router` whose `/admin/status` feeds the Failover panel (instead of probes).
        var router: String?
        var routerToken: String?
        var window: LiveWindow = .fiveMinutes
        var theme: Theme = .builtin
        var probeInterval: Double = 5
        var timeout: Double = 3
        var failback: FailbackMode = .manual
        var failAfter = 1
        var failbackAfter = 2
        var fromEnd = false
        /// `-R`: long windows read the logs' rotated siblings too.
        var rotated = false
        /// Logs quiet by design, never judged stale (the demo's router log).
        var quietLogs: Set<String> = []
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
        /// The user's formats (`--format-file`, the formats directory).
        var formats: [LogFormat] = []
    }

    let options: Options
    let source: DashboardSource
    /// The dashboard's behaviour and state (library, unit-tested); this class only wires it.
    var model: DashboardModel
    var state: DashboardState { model.state }
    let probeMailbox = Mailbox<[ProbeResult]>()
    let routerMailbox = Mailbox<Result<RouterStatus, RouterProblem>>()
    var routerClient: RouterStatusClient?
    let lookupMailbox = Mailbox<LookupOutcome>()
    var lookupCancel: CancelFlag?
    var probeTask: Task<Void, Never>?
    var onCustomKey: ((String) -> String?)?
    /// Called every loop turn (the demo's scheduled faults).
    var onTick: (() -> Void)?
    let relay: AlertRelay

    init(options: Options, source: DashboardSource? = nil) {
        self.options = options
        if let source {
            self.source = source
        } else {
            self.source = LiveSource.following(options)
        }
        relay = AlertRelay(options.delivery)
        var state = DashboardState(snapshot: LiveSnapshot(window: options.window))
        state.window = options.window
        state.noLog = source == nil && options.logs.isEmpty
        state.extraKeys = options.extraKeys
        state.staleAfter = options.staleAfter
        var configuration = DashboardModel.Configuration()
        configuration.probes = options.probes
        configuration.router = options.router
        configuration.failAfter = options.failAfter
        configuration.failbackAfter = options.failbackAfter
        configuration.failback = options.failback
        configuration.ackFor = options.ackFor
        model = DashboardModel(state: state, configuration: configuration)
    }

    /// Runs until `q` or a signal; restores the terminal in every case.
    func run() {
        let stop = StopSignal.install([SIGINT, SIGTERM, SIGHUP])
        // The default theme's greys need 256 colours; with fewer, the 16-colour theme is used.
        let lowColor = options.theme.name == "default" ? (try? Theme.load("ansi16", directories: Theme.searchDirectories()).get()) : nil
        let terminal = Terminal(theme: options.theme, lowColorTheme: lowColor, text: options.textMode)
        model.update { $0.helpNote = terminal.localeNote }
        defer { terminal.end() }
        startProbes()
        let indexing = CancelFlag()
        defer { indexing.cancel() }
        if let store = RequestIndexStore.standard() {
            RequestIndexer.startInBackground(live: source.lookupPaths, formats: options.formats, store: store, cancelled: { indexing.cancelled })
        }
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
            let wasCatchingUp = source.catchingUp
            if source.poll(wallSeconds: tick.timeIntervalSince(lastTick), paused: state.paused) { dirty = true }
            // Caught up: the present's figures at once, not at the next second.
            if wasCatchingUp, !source.catchingUp { lastRefresh = .distantPast }
            lastTick = tick
            for results in probeMailbox.take() { _ = model.handle(.probeRound(results, at: Date())); dirty = true }
            for answer in routerMailbox.take() { _ = model.handle(.routerStatus(answer, at: Date())); dirty = true }
            for outcome in lookupMailbox.take() { _ = model.handle(.lookup(outcome)); dirty = true }
            let now = Date()
            let transitions = relay.tick(now: now, activeTargetUp: model.activeTargetUp, evaluate: source.evaluateProbeAlerts,
                                         drain: source.drainAlertTransitions)
            if !transitions.isEmpty {
                if options.bell, transitions.contains(where: { $0.kind == .firing }) { terminal.bell() }
                lastRefresh = .distantPast   // show the change now
            }
            if now.timeIntervalSince(lastRefresh) >= (source.catchingUp ? 0.25 : 1) {
                refresh(now: now); lastRefresh = now; dirty = true
                if let statsPath { try? "\(frames) \(now.timeIntervalSince(began))\n".write(toFile: statsPath, atomically: true, encoding: .utf8) }
            }
            if dirty {
                let size = terminal.size
                model.update { $0.pageRows = max(1, size.height - 6) }
                terminal.draw(DashboardView.render(state, width: size.width, height: size.height))
                frames += 1
                dirty = false
            }
        }
        probeTask?.cancel()
        lookupCancel?.cancel()
        relay.shutdown()
    }

    /// Turns a terminal key into a model message and carries out its effects; true to quit.
    func handle(_ key: Key, terminal: Terminal) -> Bool {
        guard let name = key.name else { return false }
        let wasPaused = state.paused
        var effects = model.handle(.key(name, at: Date()))
        while !effects.isEmpty {
            var next: [DashboardEffect] = []
            for effect in effects {
                switch effect {
                case .quit: return true
                case .save: save(terminal: terminal)
                case .submitQuery(let text):
                    next += model.handle(.query(text, indexed: source.indexedRequest(id: text) != nil))
                case .openRequest(let id): open(id)
                case .refreshList: refresh(now: Date())
                case .refreshSplit:
                    // The columns are read once: none means this source cannot split.
                    let columns = state.split ? source.splitColumns(window: state.window) : []
                    model.update { state in
                        state.splitColumns = columns
                        if state.split, columns.isEmpty { state.split = false; state.status = "this view cannot split per source" }
                    }
                case .cancelLookup: lookupCancel?.cancel(); lookupCancel = nil
                case .custom(let name):
                    let answer = onCustomKey?(name)
                    model.update { $0.status = answer }
                case .failback:
                    // Only with a router: without one the model fails back itself.
                    if let client = routerClient {
                        let mailbox = routerMailbox
                        Task.detached { mailbox.post(await client.switchToMain()) }
                    }
                case .acknowledge: break   // the model's own
                }
            }
            effects = next
        }
        if wasPaused != state.paused || !state.paused { refresh(now: Date()) }
        return false
    }

    // MARK: - Figures from the source, for the model

    func refresh(now: Date) {
        var figures = DashboardFigures(now: now, clock: source.clockOverride ?? clockText(now),
                                       sources: source.sourceLines(wallNow: now), snapshot: source.snapshot(window: state.window))
        figures.notes = source.drainNotes()
        figures.deliveryProblem = relay.deliveryProblem
        figures.historyPercent = source.historyPercent
        figures.resources = relay.resources
        figures.latest = source.recentRequests(matching: nil, code: nil, limit: 60)
        figures.recentFailures = source.recentFailures(limit: 20)
        figures.instances = source.instances
        if state.split { figures.splitColumns = source.splitColumns(window: state.window) }
        switch state.route {
        case .errors(let code): figures.list = source.recentRequests(matching: nil, code: code, limit: 500)
        case .search(let q): figures.list = source.recentRequests(matching: q, code: nil, limit: 500)
        case .moment(let from, let seconds): figures.list = source.requests(completedFrom: from, seconds: seconds, limit: 500)
        case .log: figures.logLines = source.recentLines(limit: 10_000)
        default: break
        }
        _ = model.handle(.refreshed(figures))
    }

    func clockText(_ now: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        return f.string(from: now)
    }

    func startProbes() {
        if let router = options.router {
            let client = RouterStatusClient(url: router, token: options.routerToken, timeout: options.timeout)
            routerClient = client
            probeTask = startRouterPolls(client, every: options.probeInterval, into: routerMailbox)
            return
        }
        guard !options.probes.isEmpty else { return }
        probeTask = startProbeRounds(options.probes, every: options.probeInterval, timeout: options.timeout, into: probeMailbox)
    }

    // MARK: - Requests

    /// Finds a request: the file the index names and the live files first, then every rotated
    /// sibling (`PATH.N`, `PATH.N.gz`), newest first, in the background.
    func open(_ id: String) {
        lookupCancel?.cancel()
        let cancel = CancelFlag()
        lookupCancel = cancel
        let live = source.lookupPaths
        let formats = options.formats
        let mailbox = lookupMailbox
        let total = HistoryLookup.batches(live: live).reduce(0) { $0 + $1.count }
        _ = model.handle(.lookup(.progress(id: id, done: 0, total: total)))
        Thread.detachNewThread {
            let trace = HistoryLookup.run(id: id, live: live, formats: formats, index: RequestIndexStore.standard(),
                                          cancelled: { cancel.cancelled }) { done, total in
                mailbox.post(.progress(id: id, done: done, total: total))
            }
            if cancel.cancelled { return }
            mailbox.post(trace.map { .found($0) } ?? .notFound(id: id, files: total))
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
            model.update { $0.status = "saved to \(path)" }
        } catch {
            model.update { $0.status = "could not save: \(error.localizedDescription)" }
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

/// Asks the router for its state every `interval` seconds in the background and posts each
/// answer; cancel the task to stop.
func startRouterPolls(_ client: RouterStatusClient, every interval: Double,
                      into mailbox: Mailbox<Result<RouterStatus, RouterProblem>>) -> Task<Void, Never> {
    Task.detached {
        while !Task.isCancelled {
            let started = ContinuousClock.now
            mailbox.post(await client.status())
            try? await Task.sleep(until: started + .milliseconds(Int64(interval * 1000)))
        }
        await client.shutdown()
    }
}

/// A cancellation flag shared with a background search.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func cancel() { lock.lock(); flag = true; lock.unlock() }
    var cancelled: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}
