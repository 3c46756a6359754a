import Foundation

/// Runs independent jobs on a few threads and keeps their results in job order.
/// (A lock-protected queue; jobs are coarse, so contention is nil.)
final class ParallelWork<Result: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var results: [Result?]
    private let count: Int

    init(count: Int) {
        self.count = count
        results = Array(repeating: nil, count: count)
    }

    /// Runs `job(i)` for every i on up to `threads` threads; returns results in order.
    static func run(count: Int, threads: Int, _ job: @escaping @Sendable (Int) -> Result) -> [Result] {
        let work = ParallelWork(count: count)
        let workers = max(1, min(threads, count))
        let drain: @Sendable () -> Void = {
            while let i = work.take() { work.store(job(i), at: i) }
        }
        // Plain threads: libdispatch's concurrentPerform on Linux was seen running the
        // iterations one after another.
        let done = DispatchSemaphore(value: 0)
        for _ in 1..<workers {
            let thread = Thread { drain(); done.signal() }
            thread.stackSize = 1 << 20
            thread.start()
        }
        drain()
        for _ in 1..<workers { done.wait() }
        return work.results.map { $0! }
    }

    private func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    private func store(_ r: Result, at i: Int) {
        lock.lock(); results[i] = r; lock.unlock()
    }
}

/// Bytes done across threads, for progress display.
public final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done: Int64 = 0
    public let total: Int64

    public init(total: Int64) { self.total = total }

    public func add(_ n: Int64) { lock.lock(); done += n; lock.unlock() }
    public var completed: Int64 { lock.lock(); defer { lock.unlock() }; return done }
}
