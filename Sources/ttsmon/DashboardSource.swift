import Foundation
import TTSMonCore
import TTSMonUI

/// Where the dashboard's figures come from: logs followed live, or a replayed history.
protocol DashboardSource: AnyObject {
    /// Reads what arrived; true when anything did.
    func poll(wallSeconds: Double, paused: Bool) -> Bool
    func snapshot(window: LiveWindow) -> LiveSnapshot
    func sourceLines(wallNow: Date) -> [SourceLine]
    func drainNotes() -> [String]
    func recentRequests(matching query: String?, code: String?, limit: Int) -> [RecentRequest]
    func indexedRequest(id: String) -> RecentRequest?
    /// The requests completed in a stretch of log time, slowest first.
    func requests(completedFrom from: LogTimestamp, seconds: Int, limit: Int) -> [RecentRequest]
    func recentLines(limit: Int) -> [LogViewLine]
    /// Files whose rotated siblings a history lookup searches.
    var lookupPaths: [String] { get }
    /// A clock to show instead of the wall clock (replay's log time).
    var clockOverride: String? { get }
    /// Evaluates the probe-clock alert rules.
    func evaluateProbeAlerts(at time: LogTimestamp, activeTargetUp: Bool?, diskFreePercent: Double?, resources: ResourceAlertInputs)
    /// Alert transitions since the last call.
    func drainAlertTransitions() -> [AlertTransition]
    /// A fleet's instances for the instance panel (nil: the panel shows probe targets).
    var instances: [TargetLine]? { get }
    /// Each source's figures for the split view (empty when the source cannot split).
    func splitColumns(window: LiveWindow) -> [SplitColumn]
    /// History already there is still being read: the figures are not yet the present's.
    var catchingUp: Bool { get }
    /// Older history for a long window being read in the background: how much is in.
    var historyPercent: Int? { get }
}
extension DashboardSource {
    /// The newest failed requests among the last 500 completed, newest first.
    func recentFailures(limit: Int) -> [RecentRequest] {
        Array(recentRequests(matching: nil, code: nil, limit: 500).filter { $0.status == .failed }.prefix(limit))
    }
}


extension DashboardSource {
    var instances: [TargetLine]? { nil }
    var catchingUp: Bool { false }
    func requests(completedFrom from: LogTimestamp, seconds: Int, limit: Int) -> [RecentRequest] { [] }
    var historyPercent: Int? { nil }
    func splitColumns(window: LiveWindow) -> [SplitColumn] { [] }
}

/// Logs followed live.
final class LiveSource: DashboardSource {
    let collector: LiveCollector
    init(collector: LiveCollector) { self.collector = collector }

    /// The dashboard's collector for its `--log` options (alone, or beside Prometheus): figures
    /// per source too when more than one file is followed, for the split view.
    static func following(_ options: DashboardApp.Options) -> LiveSource {
        var configuration = LiveMetrics.Configuration()
        configuration.rules = options.rules
        // Only the history the longest window needs (and a margin for requests still open when
        // it begins), found from the end of each file: never days of it replayed as if current.
        // Two of the longest per-second window (the error trends compare with the window
        // before); an hour and more is read in the background when such a window is shown.
        let history = Double(2 * LiveWindow.longestPerSecond) + LiveSource.openRequestMargin
        let collector = LiveCollector(paths: LiveCollector.expand(options.logs), startAtEnd: options.fromEnd, history: history,
                                      configuration: configuration, formats: options.formats)
        collector.keepRecentLines = 10_000
        collector.trackPerSource = collector.sources.count > 1
        collector.readsRotatedSiblings = options.rotated
        collector.quietPaths = options.quietLogs
        return LiveSource(collector: collector)
    }
    /// Seconds of log time read before the longest window: a request's lines span less.
    static let openRequestMargin = 120.0

    /// 4 MB steps, for at most 150 ms a UI tick while history is being caught up with: the
    /// screen answers keys meanwhile, and the first correct frame comes soon.
    func poll(wallSeconds: Double, paused: Bool) -> Bool {
        let started = ContinuousClock.now
        var any = collector.poll(budgetBytes: 4 << 20)
        while collector.catchingUp, ContinuousClock.now - started < .milliseconds(150) {
            any = collector.poll(budgetBytes: 4 << 20) || any
        }
        return any
    }
    func snapshot(window: LiveWindow) -> LiveSnapshot {
        if !window.isPerSecond { collector.extendHistory(to: Double(2 * window.seconds) + LiveSource.openRequestMargin) }
        return collector.metrics.snapshot(window: window)
    }
    var historyPercent: Int? { collector.historyPercent }
    func sourceLines(wallNow: Date) -> [SourceLine] {
        collector.sourceStatus(wallNow: wallNow).map {
            SourceLine(name: $0.path, ageSeconds: $0.lagSeconds, error: $0.error, outOfOrder: $0.outOfOrder,
                       notUnderstood: $0.formatWarning != nil, catchingUpPercent: $0.catchingUpPercent)
        }
    }
    func drainNotes() -> [String] { collector.drainNotes() }
    func recentRequests(matching query: String?, code: String?, limit: Int) -> [RecentRequest] {
        collector.metrics.recentRequests(matching: query, code: code, limit: limit)
    }
    func indexedRequest(id: String) -> RecentRequest? { collector.metrics.indexedRequest(id: id) }
    func requests(completedFrom from: LogTimestamp, seconds: Int, limit: Int) -> [RecentRequest] {
        collector.metrics.requests(completedFrom: from, seconds: seconds, limit: limit)
    }
    func recentLines(limit: Int) -> [LogViewLine] {
        // The file is shown only when more than one is followed.
        let several = collector.sources.count > 1
        return collector.recentLines(limit: limit).map { LogViewLine(source: several ? $0.file : nil, text: $0.text) }
    }
    var lookupPaths: [String] { collector.sources.map(\.displayName).filter { $0 != "<stdin>" } }
    var clockOverride: String? { nil }
    var catchingUp: Bool { collector.catchingUp }
    func evaluateProbeAlerts(at time: LogTimestamp, activeTargetUp: Bool?, diskFreePercent: Double?, resources: ResourceAlertInputs) {
        collector.evaluateProbeAlerts(at: time, activeTargetUp: activeTargetUp, diskFreePercent: diskFreePercent, resources: resources)
    }
    func drainAlertTransitions() -> [AlertTransition] { collector.drainAlertTransitions() }
    func splitColumns(window: LiveWindow) -> [SplitColumn] {
        collector.sourceSnapshots(window: window).map { SplitColumn(name: $0.path, format: $0.format, snapshot: $0.snapshot) }
    }
}

/// A history replayed N× faster than the wall clock.
final class ReplaySource: DashboardSource {
    let feeder: ReplayFeeder
    var lastNow: LogTimestamp?
    init(feeder: ReplayFeeder) { self.feeder = feeder }
    func poll(wallSeconds: Double, paused: Bool) -> Bool {
        if !paused { feeder.advance(wallSeconds: wallSeconds) }
        let now = feeder.now
        defer { lastNow = now }
        return now != lastNow
    }
    func snapshot(window: LiveWindow) -> LiveSnapshot {
        let now = feeder.now
        return feeder.withMetrics { $0.snapshot(window: window, now: now) }
    }
    func sourceLines(wallNow: Date) -> [SourceLine] {
        feeder.inputs.map { SourceLine(name: $0.displayName, ageSeconds: nil, error: nil) }.prefix(1).map { $0 }
            + [SourceLine(name: "replay ×\(Int(feeder.speed))\(feeder.finished ? " (end)" : "")", ageSeconds: nil, error: nil)]
    }
    func drainNotes() -> [String] { [] }
    func recentRequests(matching query: String?, code: String?, limit: Int) -> [RecentRequest] {
        feeder.withMetrics { $0.recentRequests(matching: query, code: code, limit: limit) }
    }
    func indexedRequest(id: String) -> RecentRequest? { feeder.withMetrics { $0.indexedRequest(id: id) } }
    func requests(completedFrom from: LogTimestamp, seconds: Int, limit: Int) -> [RecentRequest] {
        feeder.withMetrics { $0.requests(completedFrom: from, seconds: seconds, limit: limit) }
    }
    func recentLines(limit: Int) -> [LogViewLine] { [] }
    var lookupPaths: [String] { feeder.inputs.map(\.path) }
    var clockOverride: String? { feeder.now.map { String($0.logText.prefix(19)) } }
    /// A replay has no probes: probe rules stay inactive.
    func evaluateProbeAlerts(at time: LogTimestamp, activeTargetUp: Bool?, diskFreePercent: Double?, resources: ResourceAlertInputs) {}
    func drainAlertTransitions() -> [AlertTransition] { feeder.drainAlertTransitions() }
}
