import Foundation
import TTSMonCore
import TTSMonNet
import TTSMonUI

/// The whole fleet, from Prometheus: a background task runs the dashboard's PromQL every
/// `interval` seconds (each query bounded by a timeout) and posts readings; the screen shows
/// the latest one, marked stale when Prometheus stops answering. With `--log`, request lookups
/// and the log view still come from the local logs.
final class PromQLSource: DashboardSource {
    let client: PromQLClient
    let logs: LiveSource?
    let label: String
    private let mailbox = Mailbox<FleetReading>()
    private let splitMailbox = Mailbox<[String: FleetReading]>()
    private let wanted = WindowBox()
    /// Per-instance readings for the split view (queried only while it is on).
    private var perInstance: [String: FleetReading] = [:]
    private var reading: FleetReading?
    private var lastAnswer: Date?
    private var problem: String?
    private var task: Task<Void, Never>?

    init(url: String, selector: String?, window: LiveWindow, interval: Double = 2, timeout: Double = 3, logs: LiveSource?) {
        client = PromQLClient(base: url, timeout: timeout)
        self.logs = logs
        label = "prometheus " + (URL(string: url)?.host ?? url)
        wanted.window = window
        let client = self.client, mailbox = self.mailbox, splitMailbox = self.splitMailbox, wanted = self.wanted
        task = Task.detached {
            while !Task.isCancelled {
                let started = ContinuousClock.now
                let queries = FleetQueries(selector: selector, window: wanted.window)
                let fleet = await queries.read(client)
                mailbox.post(fleet)
                if wanted.splitRequested {
                    // The same queries narrowed to each instance, concurrently.
                    var readings: [String: FleetReading] = [:]
                    await withTaskGroup(of: (String, FleetReading).self) { group in
                        for instance in fleet.instances.map(\.instance) {
                            let narrowed = queries.narrowed(to: instance)
                            group.addTask { (instance, await narrowed.read(client)) }
                        }
                        for await (instance, reading) in group { readings[instance] = reading }
                    }
                    splitMailbox.post(readings)
                }
                try? await Task.sleep(until: started + .milliseconds(Int64(interval * 1000)))
            }
            await client.shutdown()
        }
    }

    deinit { task?.cancel() }

    func poll(wallSeconds: Double, paused: Bool) -> Bool {
        var changed = logs?.poll(wallSeconds: wallSeconds, paused: paused) ?? false
        for readings in splitMailbox.take() { perInstance = readings; changed = true }
        for r in mailbox.take() {
            changed = true
            if r.reachable {
                reading = r
                lastAnswer = Date()
                problem = r.problems.first.map { "prometheus: " + $0 }
            } else {
                problem = "prometheus unreachable: " + (r.problems.first ?? "no answer")
            }
        }
        return changed
    }

    func snapshot(window: LiveWindow) -> LiveSnapshot {
        wanted.window = window
        var snap = reading?.snapshot ?? LiveSnapshot(window: window)
        if let logs { snap.alerts = logs.snapshot(window: window).alerts }
        return snap
    }

    func sourceLines(wallNow: Date) -> [SourceLine] {
        [SourceLine(name: label, ageSeconds: lastAnswer.map { wallNow.timeIntervalSince($0) },
                    error: lastAnswer == nil && problem != nil ? problem : nil)]
            + (logs?.sourceLines(wallNow: wallNow) ?? [])
    }

    func drainNotes() -> [String] {
        var notes = logs?.drainNotes() ?? []
        if let problem { notes.append(problem); self.problem = nil }
        return notes
    }

    func recentRequests(matching query: String?, code: String?, limit: Int) -> [RecentRequest] {
        logs?.recentRequests(matching: query, code: code, limit: limit) ?? []
    }
    func indexedRequest(id: String) -> RecentRequest? { logs?.indexedRequest(id: id) }
    func recentLines(limit: Int) -> [LogViewLine] { logs?.recentLines(limit: limit) ?? [] }
    var lookupPaths: [String] { logs?.lookupPaths ?? [] }
    var clockOverride: String? { nil }
    func evaluateProbeAlerts(at time: LogTimestamp, activeTargetUp: Bool?, diskFreePercent: Double?) {
        logs?.evaluateProbeAlerts(at: time, activeTargetUp: activeTargetUp, diskFreePercent: diskFreePercent)
    }
    func drainAlertTransitions() -> [AlertTransition] { logs?.drainAlertTransitions() ?? [] }
    /// One column per instance of the fleet (their figures arrive with the next query round).
    func splitColumns(window: LiveWindow) -> [SplitColumn] {
        wanted.splitRequested = true
        guard let reading, !reading.instances.isEmpty else { return logs?.splitColumns(window: window) ?? [] }
        return reading.instances.map { i in
            SplitColumn(name: i.instance, format: "prometheus", snapshot: perInstance[i.instance]?.snapshot ?? LiveSnapshot(window: window))
        }
    }

    /// The fleet's instances for the instance panel.
    var instances: [TargetLine]? {
        (reading?.instances ?? []).map { i in
            TargetLine(name: i.instance, active: false, up: i.up, latencyMs: i.p95Ms,
                       lastError: !i.up ? "scrape failed" : i.onStandby == true ? "traffic on standby" : nil, ageSeconds: nil,
                       note: i.cachePercent.map { String(format: "cache %.1f%%", $0) })
        }
    }
}

/// The window the background queries should use (the screen can change it with `w`), and
/// whether the split view wants per-instance figures.
final class WindowBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: LiveWindow = .fiveMinutes
    private var splitAsked = Date.distantPast
    var window: LiveWindow {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
    /// Whether the split view asked for per-instance figures in the last 5 seconds.
    var splitRequested: Bool {
        get { lock.lock(); defer { lock.unlock() }; return Date().timeIntervalSince(splitAsked) < 5 }
        set { lock.lock(); splitAsked = newValue ? Date() : .distantPast; lock.unlock() }
    }
}
