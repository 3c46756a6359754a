import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TTSMonCore

/// Posts alerts to an Alertmanager's v2 API (`POST /api/v2/alerts`) from a background task, so
/// the caller never waits: firing alerts are re-sent every `resendInterval` (Alertmanager
/// resolves an alert nobody repeats), resolved ones once, each post bounded by `timeout` and
/// retried with backoff; what could not be delivered is tried again on the next round.
public final class AlertmanagerNotifier: @unchecked Sendable {
    struct Alert: Sendable {
        var name, severity, summary, expr: String
        var value: String
        var startsAt: Date
        var endsAt: Date?
    }

    public let url: String
    let instance: String
    let fetcher: HTTPFetcher
    let timeout: TimeAmount
    let resendInterval: TimeInterval
    private let lock = NSLock()
    private var firing: [String: Alert] = [:]
    private var resolved: [Alert] = []
    private var dirty = false
    private var worker: Task<Void, Never>?
    private var _posts = 0, _failures = 0
    private var _lastError: String?

    /// `url` is the Alertmanager's base (`http://127.0.0.1:9093`); `instance` labels the alerts.
    public init(url: String, instance: String, timeout: Double = 5, resendInterval: TimeInterval = 30) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.instance = instance
        self.timeout = .milliseconds(Int64(timeout * 1000))
        self.resendInterval = resendInterval
        fetcher = HTTPFetcher(timeout: timeout, bodyLimit: 1 << 20)
        worker = Task.detached { [weak self] in await self?.loop() }
    }

    /// Successful posts, failed attempts, and the last failure (for a status line).
    public var posts: Int { lock.lock(); defer { lock.unlock() }; return _posts }
    public var failures: Int { lock.lock(); defer { lock.unlock() }; return _failures }
    public var lastError: String? { lock.lock(); defer { lock.unlock() }; return _lastError }

    /// Takes rule transitions (non-blocking); they are posted in the background.
    public func update(_ transitions: [AlertTransition]) {
        guard !transitions.isEmpty else { return }
        lock.lock(); defer { lock.unlock() }
        for t in transitions {
            let alert = Alert(name: t.rule.name, severity: t.rule.severity, summary: t.rule.summary, expr: t.rule.expression,
                              value: t.value.map(t.rule.signal.format) ?? "", startsAt: t.start.localDate,
                              endsAt: t.kind == .resolved ? max(t.time.localDate, t.start.localDate) : nil)
            switch t.kind {
            case .firing: firing[t.rule.name] = alert
            case .resolved:
                firing[t.rule.name] = nil
                if resolved.count >= 1000 { resolved.removeFirst() }
                resolved.append(alert)
            }
        }
        dirty = true
    }

    /// Stops the background task after one last, short attempt to deliver resolved alerts
    /// (at most about two seconds, so quitting is never held up by an unreachable Alertmanager).
    public func shutdown() async {
        worker?.cancel()
        _ = await worker?.value
        if lock.withLock({ !resolved.isEmpty }) { await deliver(attempts: 1, timeout: .seconds(2)) }
        await fetcher.shutdown()
    }

    func loop() async {
        var lastSend = Date.distantPast
        while !Task.isCancelled {
            let due: Bool = {
                lock.lock(); defer { lock.unlock() }
                return dirty || (!firing.isEmpty && Date().timeIntervalSince(lastSend) >= resendInterval)
            }()
            if due {
                await deliver()
                lastSend = Date()
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// One round: every firing alert and every resolved one not yet delivered.
    func deliver(attempts: Int = 3, timeout: TimeAmount? = nil) async {
        let (batch, resolvedCount): ([Alert], Int) = {
            lock.lock(); defer { lock.unlock() }
            dirty = false
            let until = Date().addingTimeInterval(4 * resendInterval)
            var batch = firing.values.map { a -> Alert in var a = a; a.endsAt = until; return a }
            batch += resolved
            return (batch, resolved.count)
        }()
        guard !batch.isEmpty else { return }
        let body = Data(payload(batch).serialized().utf8)
        var delay = 0.5
        for attempt in 1...attempts {
            if let problem = await post(body, timeout: timeout ?? self.timeout) {
                lock.withLock { _failures += 1; _lastError = problem }
                guard attempt < attempts, !Task.isCancelled else { break }
                try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                delay *= 2
                continue
            }
            lock.withLock {
                _posts += 1; _lastError = nil
                resolved.removeFirst(min(resolvedCount, resolved.count))
            }
            return
        }
        lock.withLock { dirty = true }   // try again next round
    }

    /// The v2 API's list of postable alerts.
    func payload(_ alerts: [Alert]) -> JSONValue {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return .array(alerts.map { a in
            var members: [(String, JSONValue)] = [
                ("labels", .object([("alertname", .string(a.name)), ("severity", .string(a.severity)),
                                    ("service", .string("ttsmon")), ("instance", .string(instance))])),
                ("annotations", .object([("summary", .string(a.summary)), ("expr", .string(a.expr)), ("value", .string(a.value))])),
                ("startsAt", .string(iso.string(from: a.startsAt))),
            ]
            if let end = a.endsAt { members.append(("endsAt", .string(iso.string(from: end)))) }
            return .object(members)
        })
    }

    /// Posts once; nil on a 2xx answer, else what went wrong.
    func post(_ body: Data, timeout: TimeAmount) async -> String? {
        switch await fetcher.post(url + "/api/v2/alerts", json: body, timeout: timeout) {
        case .success(let answer): return (200..<300).contains(answer.status) ? nil : "HTTP \(answer.status)"
        case .failure(let error): return error.description
        }
    }
}
