import Foundation
import Prometheus
import TTSMonCore

/// The metrics of `ttsmon export`, kept in a swift-prometheus registry: counters and histograms
/// fed request by request as the collector folds lines (`MetricsObserver`), gauges set from the
/// collector's state and the probes. Counters only grow while the process lives.
public final class PrometheusExporter: MetricsObserver, @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// End-to-end latency buckets, in seconds, that suit TTS (50 ms … 30 s).
    public static let latencyBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 7.5, 10, 15, 20, 30]
    /// GPU queue buckets: the 2 s line of the GPUQueueSlow rule is one of them.
    public static let queueBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10]
    /// Real-time-factor buckets: 1 (the SlowerThanRealTime line) is one of them.
    public static let rtfBuckets: [Double] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5]

    private let lock = NSLock()
    private var requests: [String: Counter] = [:]
    private var durations: [String: ValueHistogram] = [:]
    private var stages: [String: ValueHistogram] = [:]
    private var queues: [String: ValueHistogram] = [:]
    private var factors: [String: ValueHistogram] = [:]
    private var gauges: [String: Gauge] = [:]
    private var counters: [String: (counter: Counter, exported: Int)] = [:]

    public init() {}

    // MARK: - Fed by the collector

    public func requestCompleted(service: String, status: RequestStatus, code: String?, durationMs: Int?, queueMs: Int?, rtf: Int?) {
        let codeLabel = status == .success ? "none" : Sanitizer.clean(code ?? "UNKNOWN")
        let key = service + "\u{1}" + status.name + "\u{1}" + codeLabel
        lock.lock()
        let counter = requests[key] ?? {
            let c = registry.makeCounter(name: ExportMetric.requests,
                                         labels: [("service", service), ("status", status.name), ("code", codeLabel)],
                                         help: "Completed TTS requests by service, status and error code (none for successes).")
            requests[key] = c
            return c
        }()
        let histogram = durations[service] ?? {
            let h = registry.makeValueHistogram(name: ExportMetric.requestDuration, labels: [("service", service)],
                                                buckets: Self.latencyBuckets, help: "End-to-end TTS request latency in seconds.")
            durations[service] = h
            return h
        }()
        var queue: ValueHistogram?
        if queueMs != nil {
            queue = queues[service] ?? {
                let h = registry.makeValueHistogram(name: ExportMetric.gpuQueue, labels: [("service", service)],
                                                    buckets: Self.queueBuckets, help: "GPU queue time of TTS requests in seconds.")
                queues[service] = h
                return h
            }()
        }
        var factor: ValueHistogram?
        if rtf != nil {
            factor = factors[service] ?? {
                let h = registry.makeValueHistogram(name: ExportMetric.rtf, labels: [("service", service)], buckets: Self.rtfBuckets,
                                                    help: "Real-time factor of TTS requests (processing time / audio seconds).")
                factors[service] = h
                return h
            }()
        }
        lock.unlock()
        if let factor, let rtf { factor.record(Double(rtf) / 10_000) }
        counter.increment()
        if let durationMs { histogram.record(Double(durationMs) / 1000) }
        if let queue, let queueMs { queue.record(Double(queueMs) / 1000) }
    }

    public func stageTimed(service: String, stage: String, durationMs: Int) {
        let stageLabel = Sanitizer.clean(stage)
        let key = service + "\u{1}" + stageLabel
        lock.lock()
        let histogram = stages[key] ?? {
            let h = registry.makeValueHistogram(name: ExportMetric.stageDuration, labels: [("service", service), ("stage", stageLabel)],
                                                buckets: Self.latencyBuckets, help: "Duration of one TTS pipeline stage in seconds.")
            stages[key] = h
            return h
        }()
        lock.unlock()
        histogram.record(Double(durationMs) / 1000)
    }

    // MARK: - Set from state

    /// Sets a gauge (created on first use).
    public func set(_ name: String, labels: [(String, String)] = [], help: String, _ value: Double) {
        let key = name + labels.map { "\u{1}\($0.0)=\($0.1)" }.joined()
        lock.lock()
        let gauge = gauges[key] ?? {
            let g = registry.makeGauge(name: name, labels: labels, help: help)
            gauges[key] = g
            return g
        }()
        lock.unlock()
        gauge.set(value)
    }

    /// Drops a gauge (a process that is gone has no figures, not old ones).
    public func remove(_ name: String, labels: [(String, String)] = []) {
        let key = name + labels.map { "\u{1}\($0.0)=\($0.1)" }.joined()
        lock.lock(); defer { lock.unlock() }
        if let gauge = gauges.removeValue(forKey: key) { registry.unregisterGauge(gauge) }
    }

    /// Raises a counter to `total` (a since-start count kept elsewhere); it never goes down.
    public func count(_ name: String, labels: [(String, String)] = [], help: String, total: Int) {
        let key = name + labels.map { "\u{1}\($0.0)=\($0.1)" }.joined()
        lock.lock(); defer { lock.unlock() }
        var entry = counters[key] ?? (registry.makeCounter(name: name, labels: labels, help: help), 0)
        if total > entry.exported {
            entry.counter.increment(by: Int64(total - entry.exported))
            entry.exported = total
        }
        counters[key] = entry
    }

    /// The exposition text (`/metrics`).
    public func render() -> String { registry.emitToString() }
}
