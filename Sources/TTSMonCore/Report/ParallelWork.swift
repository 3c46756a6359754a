import Foundation

/// Runs independent jobs on a few threads and keeps their results in job order.
/// (A lock-protected queue; jobs are coarse, so contention is nil.)
final class ParallelWork<Result: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var results: [Result?]
    private let count: Int
    /// Held by the one thread handing finished results to `consume`, in job order.
    private let consumerLock = NSLock()
    private var consumed = 0

    init(count: Int) {
        self.count = count
        results = Array(repeating: nil, count: count)
    }

    /// Runs `job(i)` for every i on up to `threads` threads; returns results in order.
    static func run(count: Int, threads: Int, _ job: @escaping @Sendable (Int) -> Result) -> [Result] {
        let work = ParallelWork(count: count)
        work.start(threads: threads, job: job, consume: nil)
        return work.results.map { $0! }
    }

    /// Runs `job(i)` for every i on up to `threads` threads and hands each result to `consume`
    /// in job order, as soon as it and all before it are done: folding results overlaps the
    /// jobs still running. `consume` is never called concurrently with itself.
    static func run(count: Int, threads: Int, _ job: @escaping @Sendable (Int) -> Result,
                    consume: @escaping @Sendable (Int, Result) -> Void) {
        ParallelWork(count: count).start(threads: threads, job: job, consume: consume)
    }

    private func start(threads: Int, job: @escaping @Sendable (Int) -> Result, consume: (@Sendable (Int, Result) -> Void)?) {
        let workers = max(1, min(threads, count))
        // Handing results over in order, no worker runs more than one job ahead of the others:
        // finished results waiting for an older one stay few (each may hold a day of seconds).
        let ahead = consume == nil ? Int.max : workers + 1
        let drain: @Sendable () -> Void = { [self] in
            while let i = take(ahead: ahead, consume: consume) {
                store(job(i), at: i)
                if let consume { handOver(consume, wait: false) }
            }
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
        if let consume {
            handOver(consume, wait: true)
            precondition(consumed == count, "ParallelWork: a result was never handed over")
        }
    }

    /// The next job, once fewer than `ahead` are taken and not yet handed over.
    private func take(ahead: Int, consume: (@Sendable (Int, Result) -> Void)?) -> Int? {
        while true {
            lock.lock()
            guard next < count else { lock.unlock(); return nil }
            if next - consumed < ahead {
                // Read while locked: another thread may take the next job as soon as it is free.
                let taken = next
                next += 1
                lock.unlock()
                return taken
            }
            lock.unlock()
            // Hand over what is done (perhaps this thread's own last result); if the oldest job
            // is still running elsewhere, wait a little for it.
            if let consume { handOver(consume, wait: true) }
            lock.lock()
            let blocked = next < count && next - consumed >= ahead
            lock.unlock()
            if blocked { usleep(1000) }
        }
    }

    private func store(_ r: Result, at i: Int) {
        lock.lock(); results[i] = r; lock.unlock()
    }

    /// Passes on the finished results that follow the last one passed on. Without `wait`, gives
    /// up at once when another thread is already doing it (that thread will see this result).
    private func handOver(_ consume: (Int, Result) -> Void, wait: Bool) {
        if wait { consumerLock.lock() } else if !consumerLock.try() { return }
        defer { consumerLock.unlock() }
        while true {
            lock.lock()
            guard consumed < count, let r = results[consumed] else { lock.unlock(); return }
            results[consumed] = nil      // the consumer owns it now
            let i = consumed
            consumed += 1
            lock.unlock()
            consume(i, r)
        }
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
