import Foundation

/// A task executor with one dedicated thread, so tests that wait synchronously for async work
/// never starve the cooperative pool that work would otherwise need.
final class TestExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = TestExecutor()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "test-executor"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// A task executor that runs each job on a thread of its own: for test bodies that block
/// (processes, tmux, sockets) for seconds.
final class ThreadPerJobExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ThreadPerJobExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let thread = Thread { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Runs a test's blocking body off the cooperative pool. Swift Testing runs test functions on
/// that pool, which has one thread per core (two here): a few end-to-end tests waiting on
/// processes there stalled every async test and in-process server for as long. At most two
/// such bodies run at once (as many as the pool used to allow), so the processes they start do
/// not crowd two cores.
func offThePool<T>(_ body: () throws -> T) async throws -> T {
    await BlockingTestSlots.shared.acquire()
    do {
        let result = try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try body() }
        await BlockingTestSlots.shared.release()
        return result
    } catch {
        await BlockingTestSlots.shared.release()
        throw error
    }
}

/// A counting semaphore that suspends (never blocks a thread) while all slots are taken.
actor BlockingTestSlots {
    static let shared = BlockingTestSlots(count: 2)
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = count }

    func acquire() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
