/// Hears every completed request and stage timing as live metrics fold them, in the order they
/// are folded (an exporter's histograms and counters; calls come from the folding thread).
public protocol MetricsObserver: AnyObject, Sendable {
    /// A request completed; `service` is its source's format (`indextts`, `chattts`, `jsonl`),
    /// `code` the joined error code of a failure.
    func requestCompleted(service: String, status: RequestStatus, code: String?, durationMs: Int?, queueMs: Int?, rtf: Int?)
    /// A pipeline stage of some request took `durationMs`.
    func stageTimed(service: String, stage: String, durationMs: Int)
}
