import TTSMonCore

/// Where the user is: a stack of these, Enter pushes, Esc pops (k9s style).
public enum Route: Equatable, Sendable {
    case overview
    /// Recent requests that failed with this code.
    case errors(code: String)
    /// Recent requests whose text, voice or code contains the query.
    case search(query: String)
    /// One request's waterfall.
    case request(id: String)
    /// The live raw log, optionally filtered.
    case log(filter: String?)
    /// One probe target's last probe in full.
    case probe(target: String)
    /// One panel on the whole screen (`z`); its charts have a time cursor.
    case zoom(panel: Panel)
    /// The requests completed in `seconds` from `from`, slowest first (Enter on the cursor).
    case moment(from: LogTimestamp, seconds: Int)

    /// The breadcrumb text.
    public var title: String {
        switch self {
        case .overview: return "overview"
        case .errors(let code): return "errors: \(code)"
        case .search(let q): return "search: \(q)"
        case .request(let id): return "request \(id)"
        case .log(let f): return f.map { "log: \($0)" } ?? "log"
        case .probe(let t): return "probe \(t)"
        case .zoom(let panel): return panel.title
        case .moment(let from, let seconds): return "at \(from.logText.dropFirst(11).prefix(8)) +\(seconds)s"
        }
    }
}

/// What the `/` prompt searches: a request (anywhere) or the log's lines (in the log view).
public enum PromptPurpose: Sendable, Equatable { case request, logSearch }

/// The panels the overview can focus (Tab cycles them).
public enum Panel: Int, Sendable, CaseIterable {
    case alerts, traffic, latency, errors, stages, cache, failover, events, resources
    public var title: String {
        switch self {
        case .alerts: return "Alerts"
        case .traffic: return "Traffic"
        case .latency: return "Latency"
        case .errors: return "Errors"
        case .stages: return "Stages p95"
        case .cache: return "Cache"
        case .failover: return "Failover"
        case .events: return "Events"
        case .resources: return "Resources"
        }
    }
}

/// One source's figures for the split view.
public struct SplitColumn: Sendable {
    public var name: String
    public var format: String?
    public var snapshot: LiveSnapshot
    public init(name: String, format: String?, snapshot: LiveSnapshot) { self.name = name; self.format = format; self.snapshot = snapshot }
}

/// One followed source as the header shows it.
public struct SourceLine: Equatable, Sendable {
    public var name: String
    public var ageSeconds: Double?
    public var error: String?
    /// Records dated far ahead of the source's clock, held out of the figures.
    public var outOfOrder: Int
    /// The file's first lines were not understood (`ttsmon formats test` says why).
    public var notUnderstood: Bool
    /// How much of the history already there has been read, while it is still being caught up
    /// with (percent; nil once current): the figures are not yet the present's.
    public var catchingUpPercent: Int?
    public init(name: String, ageSeconds: Double?, error: String?, outOfOrder: Int = 0, notUnderstood: Bool = false,
                catchingUpPercent: Int? = nil) {
        self.name = name; self.ageSeconds = ageSeconds; self.error = error; self.outOfOrder = outOfOrder
        self.notUnderstood = notUnderstood; self.catchingUpPercent = catchingUpPercent
    }
}

/// One target as the failover panel shows it.
public struct TargetLine: Equatable, Sendable {
    public var name: String
    public var active: Bool
    public var up: Bool
    public var latencyMs: Int?
    public var lastError: String?
    public var ageSeconds: Double?
    /// A plain note after the figures (a fleet instance's cache fill).
    public var note: String?
    /// The last probe in full (checks, timings, reason, response snippet), for Enter.
    public var lastProbe: ProbeResult?
    public init(name: String, active: Bool, up: Bool, latencyMs: Int?, lastError: String?, lastProbe: ProbeResult? = nil,
                ageSeconds: Double?, note: String? = nil) {
        self.name = name; self.active = active; self.up = up; self.latencyMs = latencyMs; self.lastError = lastError; self.ageSeconds = ageSeconds
        self.note = note; self.lastProbe = lastProbe
    }
}

/// The history search for a request that is not in the recent index.
public enum LookupState: Equatable, Sendable {
    case idle
    case searching(id: String, filesDone: Int, filesTotal: Int)
    case notFound(id: String, files: Int)
}

/// Everything the dashboard draws: views are pure functions of this value.
public struct DashboardState: Sendable {
    /// The p95 latency alert's threshold (ms) and the error-rate alert's (a ratio), drawn on the
    /// charts (the rules in use; the built-in ones by default).
    public var latencyThresholdMs: Int? = AlertRule.builtIn.first { $0.name == "HighP95Latency" }.map { Int($0.threshold * 1000) }
    public var errorRateThreshold: Double? = AlertRule.builtIn.first { $0.name == "HighErrorRate" }?.threshold
    /// While older history for a long window is read: how much is in (the window's figures are
    /// not whole yet, and the header says so).
    public var historyPercent: Int?
    /// In a zoomed chart: the series slot under the time cursor (0 = the window's oldest).
    public var cursorSlot: Int?
    public var routes: [Route] = [.overview]
    public var window: LiveWindow = .fiveMinutes
    public var paused = false
    public var focus: Panel = .errors
    public var selectedRow = 0
    /// Lines scrolled in a text view: from the top in the request view, up from the newest line
    /// in the log view.
    public var scroll = 0
    /// Rows a page moves (PgUp/PgDn); the app sets it from the screen height.
    public var pageRows = 10
    /// Text being typed after `/` (nil: no prompt).
    public var prompt: String?
    public var helpVisible = false
    /// Rows the help overlay is scrolled by.
    public var helpScroll = 0
    /// A line at the foot of the help overlay (the locale the terminal draws with).
    public var helpNote: String?
    /// A one-line message in the footer ("saved to ...").
    public var status: String?
    public var snapshot: LiveSnapshot
    public var sources: [SourceLine] = []
    /// Seconds without a new line after which a source is marked stale (`--stale-after`).
    public var staleAfter: Double = AlertRule.defaultStaleSeconds
    /// Whether source `s` is stale: it has had lines, and none for `staleAfter`.
    public func isStale(_ s: SourceLine) -> Bool { s.error == nil && (s.ageSeconds ?? 0) > staleAfter }
    /// Every followed source is stale: the figures on screen are old.
    public var allSourcesStale: Bool { sources.contains { $0.ageSeconds != nil } && sources.allSatisfy { $0.ageSeconds == nil || isStale($0) } }
    public var targets: [TargetLine] = []
    public var failoverTimeline: [FailoverSwitch] = []
    /// Failback is manual and main is healthy again: `F` is offered.
    public var failbackOffered = false
    /// Firings acknowledged with `a` (`AlertStatus.ackKey`), still within `--ack-for`.
    public var acknowledged: Set<AlertKey> = []
    /// Firing alerts nobody acknowledged.
    public var firingAlerts: Int {
        snapshot.alerts.filter { $0.state == .firing && !acknowledged.contains($0.ackKey) }.count
    }
    /// Panels whose figures an unacknowledged firing alert reads (drawn with a red border).
    public var alertedPanels: Set<Panel> {
        Set(snapshot.alerts.filter { $0.state == .firing && !acknowledged.contains($0.ackKey) }.map(\.panel))
    }
    public var clock = ""
    /// Recent requests for list routes.
    public var list: [RecentRequest] = []
    /// The request shown by a request route.
    public var trace: RequestTrace?
    public var lookup: LookupState = .idle
    /// Recent raw lines for the log route.
    public var logLines: [LogViewLine] = []
    /// The log view shows only WARNING and ERROR records, tracebacks kept (`e`).
    public var logProblemsOnly = false
    /// The log view wraps long lines (`W`); otherwise they are cut at the screen's edge.
    public var logWrap = false
    /// The text searched for in the log (`/` there), and the match shown (an index into
    /// `LogViewModel.lines`).
    public var logSearch: String?
    public var logMatch: Int?
    /// What the open prompt asks for.
    public var promptPurpose: PromptPurpose = .request
    /// Extra keys shown in the footer (the demo's fault keys).
    public var extraKeys: [KeyBinding] = []
    public var noLog = false
    /// Fed by Prometheus for a fleet: the failover panel lists instances.
    public var fleet = false
    /// `v`: the overview split into one column per source (main beside standby).
    public var split = false
    public var splitColumns: [SplitColumn] = []
    /// The newest completed requests, newest first (the overview's Latest requests panel).
    public var latest: [RecentRequest] = []
    /// The newest failed requests, newest first (the Errors panel, under its codes).
    public var recentFailures: [RecentRequest] = []
    /// The host's, `--process`es' and GPUs' latest sample (nil: not sampled, no panel).
    public var resources: ResourceFigures?

    public init(snapshot: LiveSnapshot) { self.snapshot = snapshot }

    public var route: Route { routes.last ?? .overview }
}
