import Foundation

/// Runs a server's tasks on threads of their own rather than on Swift's cooperative pool (one
/// thread per core), so other work in the same process that blocks those threads (a synchronous
/// wait, a long computation) never stalls a request being served.
///
/// A few threads take jobs from one queue. They start with the executor and end once it is shut
/// down and its queue is empty; a job enqueued after that runs on a thread of its own.
final class ServingExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var idle = 0
    private var stopped = false

    init(label: String, width: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)) {
        for i in 0..<max(1, width) {
            let thread = Thread { [self] in work() }
            thread.name = "\(label).\(i)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if stopped {
            condition.unlock()
            let executor = asUnownedTaskExecutor()
            Thread.detachNewThread { job.runSynchronously(on: executor) }
            return
        }
        jobs.append(job)
        if idle > 0 { condition.signal() }
        condition.unlock()
    }

    /// Lets the threads end once the jobs queued so far have run.
    func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        let executor = asUnownedTaskExecutor()
        condition.lock()
        while true {
            if head < jobs.count {
                let job = jobs[head]
                head += 1
                if head == jobs.count { jobs.removeAll(keepingCapacity: true); head = 0 }
                condition.unlock()
                job.runSynchronously(on: executor)
                condition.lock()
            } else if stopped {
                break
            } else {
                idle += 1
                condition.wait()
                idle -= 1
            }
        }
        condition.unlock()
    }
}
