import Foundation
import TTSMonCore
import TTSMonNet
import TTSMonUI

/// The whole fleet, from Prometheus (`FleetPoller` polls in the background); the screen shows
/// the latest reading, marked stale when Prometheus stops answering. With `--log`, request
/// lookups and the log view still come from the local logs.
final class PromQLSource: DashboardSource {
    let poller: FleetPoller
    let logs: LiveSource?
    let label: String

    init(url: String, selector: String?, window: LiveWindow, interval: Double = 2, timeout: Double = 3, logs: LiveSource?) {
        poller = FleetPoller(url: url, selector: selector, window: window, interval: interval, timeout: timeout)
        self.logs = logs
        label = "prometheus " + (URL(string: url)?.host ?? url)
    }

    deinit { poller.stop() }

    func poll(wallSeconds: Double, paused: Bool) -> Bool {
        let changed = logs?.poll(wallSeconds: wallSeconds, paused: paused) ?? false
        return poller.take() || changed
    }

    func snapshot(window: LiveWindow) -> LiveSnapshot {
        poller.window = window
        var snap = poller.reading?.snapshot ?? LiveSnapshot(window: window)
        if let logs { snap.alerts = logs.snapshot(window: window).alerts }
        return snap
    }

    func sourceLines(wallNow: Date) -> [SourceLine] {
        [SourceLine(name: label, ageSeconds: poller.lastAnswer.map { wallNow.timeIntervalSince($0) },
                    error: poller.neverAnswered ? "no answer" : nil)]
            + (logs?.sourceLines(wallNow: wallNow) ?? [])
    }

    func drainNotes() -> [String] {
        (logs?.drainNotes() ?? []) + [poller.takeProblem()].compactMap { $0 }
    }

    func recentRequests(matching query: String?, code: String?, limit: Int) -> [RecentRequest] {
        logs?.recentRequests(matching: query, code: code, limit: limit) ?? []
    }
    func indexedRequest(id: String) -> RecentRequest? { logs?.indexedRequest(id: id) }
    func recentLines(limit: Int) -> [LogViewLine] { logs?.recentLines(limit: limit) ?? [] }
    var lookupPaths: [String] { logs?.lookupPaths ?? [] }
    var clockOverride: String? { nil }
    func evaluateProbeAlerts(at time: LogTimestamp, activeTargetUp: Bool?, diskFreePercent: Double?, resources: ResourceAlertInputs) {
        logs?.evaluateProbeAlerts(at: time, activeTargetUp: activeTargetUp, diskFreePercent: diskFreePercent, resources: resources)
    }
    func drainAlertTransitions() -> [AlertTransition] { logs?.drainAlertTransitions() ?? [] }
    /// One column per instance of the fleet (their figures arrive with the next query round).
    func splitColumns(window: LiveWindow) -> [SplitColumn] {
        poller.requestSplit()
        guard let reading = poller.reading, !reading.instances.isEmpty else { return logs?.splitColumns(window: window) ?? [] }
        return reading.instances.map { i in
            SplitColumn(name: i.instance, format: "prometheus", snapshot: poller.perInstance[i.instance]?.snapshot ?? LiveSnapshot(window: window))
        }
    }

    /// The fleet's instances for the instance panel.
    var instances: [TargetLine]? {
        (poller.reading?.instances ?? []).map { i in
            TargetLine(name: i.instance, active: false, up: i.up, latencyMs: i.p95Ms,
                       lastError: !i.up ? "scrape failed" : i.onStandby == true ? "traffic on standby" : nil, ageSeconds: nil,
                       note: i.cachePercent.map { String(format: "cache %.1f%%", $0) })
        }
    }
}
