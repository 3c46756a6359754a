import ArgumentParser
import Foundation
import TTSMonCore

extension LiveWindow: ExpressibleByArgument {}

/// Output of `watch`.
enum WatchFormat: String, ExpressibleByArgument, CaseIterable { case jsonl, text }

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow logs through rotation and print live metrics every interval (what the dashboard draws).",
        discussion: "Reads what the files already hold, then follows appends like `tail -F`. One JSON object per line (or one compact text line) per interval; SIGINT or SIGTERM prints a last snapshot and exits 0."
    )

    @Option(name: .customLong("log"), help: "A log to follow (repeatable; globs allowed; - for standard input).")
    var logs: [String] = []
    @Option(help: "Output: jsonl or text.") var format: WatchFormat = .jsonl
    @Option(help: "Seconds between snapshots.") var interval: Double = 1
    @Option(help: "Window: 1m, 5m, 15m, 1h, 6h or 24h.") var window: LiveWindow = .fiveMinutes
    @Option(parsing: .unconditional, help: "Read only this much history at start (e.g. 15m, 2h).") var since: String?
    @Flag(name: .customLong("from-end"), help: "Skip what the files already hold.") var fromEnd = false
    @Option(help: "Stop after this many seconds (for scripts).") var duration: Double?
    @OptionGroup var rules: RuleOptions
    @OptionGroup var delivery: AlertDeliveryOptions
    @OptionGroup var formatFiles: FormatFileOptions

    func validate() throws {
        try check(interval, "--interval", .snapshotInterval)
        try check(duration, "--duration", .runDuration)
    }

    func run() throws {
        guard !logs.isEmpty else { fail("watch: give at least one --log PATH", code: 2) }
        var sinceSeconds: Int?
        if let since {
            guard case .relative(let ms)? = TimeBound(since.hasPrefix("-") ? since : "-" + since) else {
                fail("watch: --since '\(since)': expected a duration like 15m or 2h", code: 2)
            }
            sinceSeconds = Int(ms / 1000)
        }
        var configuration = LiveMetrics.Configuration()
        configuration.rules = rules.load()
        let collector = LiveCollector(paths: LiveCollector.expand(logs), startAtEnd: fromEnd, since: sinceSeconds,
                                      configuration: configuration, formats: formatFiles.load())
        let relay = AlertRelay(delivery.settings)
        defer { relay.shutdown() }
        let stop = StopSignal.install()
        let started = Date()
        var nextPrint = started.addingTimeInterval(interval)
        while true {
            let now = Date()
            // Drain what is available before printing (history at start can be large), in
            // steps, so --duration, SIGINT and SIGTERM are honoured while catching up.
            while collector.poll(wallNow: Date(), budgetBytes: 4 << 20), !stop.requested,
                  duration.map({ Date().timeIntervalSince(started) < $0 }) ?? true {}
            for message in collector.drainNotes() { note(message) }
            _ = relay.tick(now: now, activeTargetUp: nil, evaluate: collector.evaluateProbeAlerts, drain: collector.drainAlertTransitions)
            let finished = stop.requested || (duration.map { now.timeIntervalSince(started) >= $0 } ?? false)
            if finished || now >= nextPrint {
                printSnapshot(collector, resources: relay.resources)
                nextPrint = now.addingTimeInterval(interval)
            }
            if finished { return }
            Thread.sleep(forTimeInterval: min(0.1, max(0.01, nextPrint.timeIntervalSinceNow)))
        }
    }

    func printSnapshot(_ collector: LiveCollector, resources: ResourceFigures?) {
        switch format {
        case .jsonl: emit(collector.snapshotJSON(window: window).adding(resources?.jsonMembers ?? []).serialized())
        case .text: emit(collector.metrics.snapshot(window: window).text + (resources.map { " | " + $0.text } ?? ""))
        }
    }
}

/// Turns SIGINT and SIGTERM into a flag the main loop checks (the default action would kill the
/// process before it prints its last snapshot).
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [DispatchSourceSignal] = []

    var requested: Bool { lock.lock(); defer { lock.unlock() }; return flag }

    static func install(_ signals: [Int32] = [SIGINT, SIGTERM]) -> StopSignal {
        let stop = StopSignal()
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.lock.lock(); stop.flag = true; stop.lock.unlock() }
            source.resume()
            stop.sources.append(source)
        }
        return stop
    }
}
