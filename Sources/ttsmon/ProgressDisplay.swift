import Foundation
import TTSMonCore

/// Progress on stderr while a long read runs, only when stderr is a terminal: bytes and files
/// done of total, and the rate. Never touches stdout.
final class ProgressDisplay: @unchecked Sendable {
    let counter: ProgressCounter
    let fileCount: Int
    private let lock = NSLock()
    private var running = true
    private var drawn = false
    private let thread: Thread?

    static func startIfTerminal(inputs: [LogInput]) -> ProgressDisplay? {
        guard isatty(2) == 1 else { return nil }
        var total: Int64 = 0
        for input in inputs where !input.isStandardInput {
            if let attrs = try? FileManager.default.attributesOfItem(atPath: input.path), let size = attrs[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return ProgressDisplay(total: total, files: inputs.count)
    }

    private init(total: Int64, files: Int) {
        counter = ProgressCounter(total: total)
        fileCount = files
        let box = WeakBox()
        thread = Thread { box.object?.loop() }
        box.object = self
        thread?.start()
    }

    private final class WeakBox: @unchecked Sendable { weak var object: ProgressDisplay? }

    private func loop() {
        let start = Date()
        while true {
            Thread.sleep(forTimeInterval: 0.2)
            lock.lock()
            let keepGoing = running
            lock.unlock()
            guard keepGoing else { return }
            let elapsed = Date().timeIntervalSince(start)
            guard elapsed > 0.8 else { continue }
            let done = counter.completed
            let rate = Double(done) / elapsed / 1e6
            let line = String(format: "\r\u{1B}[Kreading %.0f / %.0f MB of %d file%@, %.0f MB/s",
                              Double(done) / 1e6, Double(counter.total) / 1e6, fileCount, fileCount == 1 ? "" : "s", rate)
            lock.lock()
            if running { StandardStream.error.write(line); drawn = true }
            lock.unlock()
        }
    }

    func stop() {
        lock.lock()
        running = false
        if drawn { StandardStream.error.write("\r\u{1B}[K") }
        lock.unlock()
    }
}
