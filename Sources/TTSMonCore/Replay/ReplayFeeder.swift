import Foundation

/// Replays historical logs (rotated `.gz` included) into live metrics with log time running
/// `speed` times faster than the wall clock: a reader thread feeds records as the virtual clock
/// reaches them, so the figures at any moment are those of the window ending there.
public final class ReplayFeeder: @unchecked Sendable {
    private let condition = NSCondition()
    private var metrics: LiveMetrics
    private var clock: LogTimestamp?
    private var stopped = false
    public private(set) var finished = false
    public let inputs: [LogInput]
    public let from: LogTimestamp?
    public let to: LogTimestamp?
    /// Log seconds per wall second.
    public var speed: Double {
        get { condition.lock(); defer { condition.unlock() }; return rate }
        set { condition.lock(); rate = min(10_000, max(0.25, newValue)); condition.unlock() }
    }
    private var rate: Double
    public private(set) var problems: [String] = []
    /// True while the reader waits for the clock to reach its next record.
    private var waiting = false
    /// The latest record time fed so far.
    private var lastFed: LogTimestamp?

    /// Starts reading at once; the clock starts at `from`, or at the first record.
    public init(inputs: [LogInput], from: LogTimestamp? = nil, to: LogTimestamp? = nil, speed: Double = 20,
                configuration: LiveMetrics.Configuration = .init()) throws {
        metrics = LiveMetrics(configuration: configuration)
        self.inputs = LogInput.chronological(inputs)
        self.from = from
        self.to = to
        rate = speed
        clock = from
        for input in self.inputs { _ = try LogOpener.open(input) }   // fail early on a bad path
        let thread = Thread { [weak self] in self?.read() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// True when everything up to the clock has been read: the reader waits for a later record,
    /// or has finished.
    public var caughtUp: Bool { condition.lock(); defer { condition.unlock() }; return waiting || finished }

    /// The virtual log time now (nil before the first record).
    public var now: LogTimestamp? { condition.lock(); defer { condition.unlock() }; return clock }

    /// Moves the virtual clock by `wallSeconds × speed` and wakes the reader. Once everything
    /// is read the clock stays at the last record, so the last window's figures stay on screen
    /// instead of ageing out.
    public func advance(wallSeconds: Double) {
        condition.lock()
        if !finished, let c = clock {
            var next = c.adding(milliseconds: Int64(wallSeconds * rate * 1000))
            if let to, next > to { next = to }
            clock = next
            waiting = false   // until the reader has looked at the new time
        }
        condition.broadcast()
        condition.unlock()
    }

    public func stop() {
        condition.lock(); stopped = true; condition.broadcast(); condition.unlock()
    }

    /// Reads with the metrics locked.
    /// Alert transitions since the last call.
    public func drainAlertTransitions() -> [AlertTransition] {
        condition.lock(); defer { condition.unlock() }
        return metrics.drainAlertTransitions()
    }

    public func withMetrics<T>(_ body: (LiveMetrics) -> T) -> T {
        condition.lock(); defer { condition.unlock() }
        return body(metrics)
    }

    func read() {
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        for (index, input) in inputs.enumerated() {
            guard let log = try? LogOpener.open(input) else { continue }
            let parser = LineParser(format: log.format, captureText: true)
            condition.lock(); metrics.resetContext(source: 0); metrics.setFormat(log.format, source: 0); condition.unlock()
            var halt = false
            log.lines().forEachLine { line in
                guard !halt else { return }
                switch line {
                case .overlong:
                    condition.lock(); metrics.addOverlongLine(source: 0); condition.unlock()
                case .text(let bytes, let offset, _):
                    // A line without a time of its own arrives at the replayed moment.
                    condition.lock(); parser.clock.arrival = clock ?? LogTimestamp(localTime: Date()); condition.unlock()
                    let kind = parser.parse(bytes, into: &record)
                    condition.lock()
                    defer { condition.unlock() }
                    if case .record = kind {
                        if let from, record.time < from { return }
                        if let to, record.time >= to { halt = true; return }
                        if clock == nil { clock = record.time }
                        // Wait for the virtual clock to reach this record.
                        while !stopped, let c = clock, record.time > c { waiting = true; condition.wait(); waiting = false }
                        if stopped { halt = true; return }
                        if !record.untimed { lastFed = lastFed.map { max($0, record.time) } ?? record.time }
                    }
                    metrics.add(kind, record, source: 0, file: input.displayName, offset: offset)
                }
            }
            if let warning = log.source.warning { condition.lock(); problems.append("\(input.displayName): \(warning)"); condition.unlock() }
            if halt || index == inputs.count - 1 { break }
        }
        condition.lock()
        // A step of the clock may have run past the last record (at ×10000, a frame is minutes).
        if let last = lastFed, let c = clock, c > last { clock = last }
        finished = true
        condition.unlock()
    }
}
