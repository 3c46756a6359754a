import Foundation

/// Runs `body` on a thread of its own at once and then every `interval` seconds until stopped
/// (or until the owner goes away): work that may block — reading `/proc`, running nvidia-smi —
/// never runs on a screen's or a request's thread.
final class PeriodicThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopping = false

    init(name: String, interval: Double, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [weak self] in
            while true {
                guard let self, !self.isStopping else { return }
                body()
                if self.waitStopping(interval) { return }
            }
        }
        thread.name = name
        thread.qualityOfService = .utility
        thread.start()
    }

    deinit { stop() }

    func stop() {
        condition.lock(); stopping = true; condition.broadcast(); condition.unlock()
    }

    private var isStopping: Bool { condition.lock(); defer { condition.unlock() }; return stopping }

    /// Waits up to `seconds`; true when asked to stop.
    private func waitStopping(_ seconds: Double) -> Bool {
        condition.lock(); defer { condition.unlock() }
        if !stopping { _ = condition.wait(until: Date().addingTimeInterval(seconds)) }
        return stopping
    }
}

/// The latest resource sample, taken once a second in the background (`ResourceSampler` on a
/// `PeriodicThread`), for live commands to read without waiting.
public final class ResourceMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var figures: ResourceFigures?
    private let sampler: ResourceSampler
    private var thread: PeriodicThread?

    public init(_ sampler: ResourceSampler, interval: Double = 1) {
        self.sampler = sampler
        thread = PeriodicThread(name: "ttsmon-resources", interval: interval) { [weak self] in
            guard let self else { return }
            let sample = self.sampler.sample(now: ProcessInfo.processInfo.systemUptime)
            self.lock.withLock { self.figures = sample }
        }
    }

    deinit { stop() }

    /// The newest sample (nil before the first is in).
    public var latest: ResourceFigures? { lock.withLock { figures } }

    public func stop() {
        thread?.stop()
        sampler.gpu?.stop()
    }
}
