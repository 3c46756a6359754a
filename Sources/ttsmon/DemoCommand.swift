import ArgumentParser
import Foundation
import TTSMonCore
import TTSMonDemo
import TTSMonUI

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The on-call view on an embedded TTS fleet: real HTTP on loopback, real logs with rotation, fault keys.",
        discussion: "Starts a main and a standby TTS server, `ttsmon router` in front of them (it probes them and fails over), and traffic through it, then opens the dashboard on their logs and the router's status. Fault keys: 1 main slows ×5, 2 error burst, 3 cache fills past 90 %, 4 kill main, 5 main answers HTML, 0 heal and fail back."
    )

    @Option(name: .customLong("port-base"), help: "Main listens here, standby on the next port (default: free ports).") var portBase: Int?
    @Flag(help: "Keep the temporary log directory.") var keep = false
    @Flag(help: "No curses: print watch snapshots (for scripts and tests).") var headless = false
    @Option(help: "With --headless: stop after S seconds.") var duration: Double?
    @Option(help: "With --headless: jsonl or text.") var format: WatchFormat = .jsonl
    @Option(help: "Fault keys by second, e.g. \"10:4,25:0\".") var faults: String?
    @Option(help: "Requests per second of demo traffic.") var rate: Double = 4
    @Option(help: "Theme name or file.") var theme: String = "default"
    @Option(name: .customLong("rotate-bytes"), help: "Rotate each demo log into NAME.N.gz at this size.") var rotateBytes: Int = 512 << 10
    @Option(name: .customLong("dir"), help: "Write the demo logs here instead of a temporary directory (kept).") var directory: String?
    @OptionGroup var rules: RuleOptions
    @OptionGroup var delivery: AlertDeliveryOptions
    @OptionGroup var screen: ScreenOptions

    func validate() throws {
        try check(duration, "--duration", .runDuration)
        try check(rate, "--rate", .requestRate)
    }

    func run() throws {
        let schedule = try parseFaults(faults)
        let dir = directory ?? NSTemporaryDirectory() + "ttsmon-demo-\(getpid())"
        let keep = self.keep || directory != nil
        if directory == nil { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fleet = DemoFleet(directory: dir, portBase: portBase, rate: rate, rotateBytes: rotateBytes)
        do { try blockingAsync { try await fleet.start() } } catch {
            fail("demo: cannot start the fleet: \(error)", code: 1)
        }
        defer {
            try? blockingAsync { await fleet.stop() }
            if !keep { try? FileManager.default.removeItem(atPath: dir) } else {
                note("demo logs kept in \(dir)")
            }
        }
        if headless {
            runHeadless(fleet, schedule: schedule)
        } else {
            guard isatty(0) == 1, isatty(1) == 1 else { fail("demo: needs a terminal (or --headless)", code: 2) }
            var options = DashboardApp.Options()
            options.logs = fleet.logs
            // The router logs only its switches: quiet by design, not stale.
            options.quietLogs = [fleet.routerLog]
            // The Failover panel is the fleet's router's own state (`dashboard --router`).
            options.router = fleet.routerURL
            options.window = .oneMinute
            options.failback = .auto
            options.rules = rules.load()
            options.staleAfter = rules.staleAfterSeconds ?? AlertRule.defaultStaleSeconds
            options.delivery = demoDelivery
            options.bell = screen.bell
            options.ackFor = screen.ackSeconds
            options.textMode = screen.textMode
            options.saveDirectory = screen.saveDirectory
            options.probeInterval = 2
            options.timeout = 2
            switch Theme.load(theme, directories: Theme.searchDirectories()) {
            case .success(let t): options.theme = t
            case .failure(let e): fail("demo: \(e.description)", code: 2)
            }
            options.extraKeys = DemoCommand.faultKeys
            let app = DashboardApp(options: options)
            app.onCustomKey = { key in try? blockingAsync { await fleet.apply(key) } ?? nil }
            let started = Date()
            app.onTick = {
                let second = Int(Date().timeIntervalSince(started))
                for (at, key) in schedule where at == second { _ = try? blockingAsync { await fleet.apply(key) } }
            }
            app.run()
        }
    }

    static let faultKeys: [KeyBinding] = [
        KeyBinding(["1"], "1", "fault: main slows down ×5", .custom("1"), short: "slow"),
        KeyBinding(["2"], "2", "fault: error burst (SCIPY_FFT_INVALID, MODEL_LOAD_TIMEOUT ~20 %)", .custom("2"), short: "errors"),
        KeyBinding(["3"], "3", "fault: cache fill climbs past 90 %", .custom("3"), short: "cache"),
        KeyBinding(["4"], "4", "fault: kill main (port refuses connections)", .custom("4"), short: "kill"),
        KeyBinding(["5"], "5", "fault: main answers 200 with text/html", .custom("5"), short: "html"),
        KeyBinding(["0"], "0", "heal everything and fail back to main", .custom("0"), short: "heal"),
    ]

    func parseFaults(_ text: String?) throws -> [(Int, String)] {
        guard let text, !text.isEmpty else { return [] }
        return try text.split(separator: ",").map { item in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let at = Int(parts[0]), ["0", "1", "2", "3", "4", "5"].contains(String(parts[1])) else {
                throw ValidationError("--faults: expected SECOND:KEY pairs like \"10:4,25:0\" (keys 0-5), got '\(item)'")
            }
            return (at, String(parts[1]))
        }
    }

    /// The demo's servers run in this process: it watches itself unless told otherwise.
    var demoDelivery: AlertDelivery {
        var settings = delivery.settings
        if settings.processes.isEmpty { settings.processes = [WatchedProcess(.pid(Int(getpid())))] }
        return settings
    }

    func runHeadless(_ fleet: DemoFleet, schedule: [(Int, String)]) {
        var configuration = LiveMetrics.Configuration()
        configuration.rules = rules.load()
        let collector = LiveCollector(paths: fleet.logs, configuration: configuration)
        collector.quietPaths = [fleet.routerLog]
        let relay = AlertRelay(demoDelivery)
        defer { relay.shutdown() }
        let stop = StopSignal.install()
        let started = Date()
        var nextPrint = started.addingTimeInterval(1)
        var applied = Set<Int>()
        while !stop.requested {
            let elapsed = Date().timeIntervalSince(started)
            for (i, (at, key)) in schedule.enumerated() where Double(at) <= elapsed && !applied.contains(i) {
                applied.insert(i)
                if let message = try? blockingAsync({ await fleet.apply(key) }) ?? nil {
                    note("\(message)")
                }
            }
            while collector.poll() {}
            _ = relay.tick(now: Date(), activeTargetUp: nil, evaluate: collector.evaluateProbeAlerts, drain: collector.drainAlertTransitions)
            let done = duration.map { elapsed >= $0 } ?? false
            if Date() >= nextPrint || done {
                var json = collector.snapshotJSON(window: .oneMinute)
                if case .object(var members) = json {
                    members.insert(("active", .string(fleet.active)), at: 2)
                    members.insert(("elapsed_s", .int(Int(elapsed))), at: 3)
                    json = .object(members)
                }
                json = json.adding(relay.resources?.jsonMembers ?? [])
                emit(format == .jsonl ? json.serialized()
                     : "\(Int(elapsed))s active=\(fleet.active ?? "none") " + collector.metrics.snapshot(window: .oneMinute).text)
                nextPrint = nextPrint.addingTimeInterval(1)
            }
            if done { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}

/// Runs async work to completion from synchronous code.
func blockingAsync<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = BlockingResult<T>()
    Task.detached {
        do { box.value = .success(try await work()) } catch { box.value = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.value!.get()
}

final class BlockingResult<T>: @unchecked Sendable { var value: Result<T, Error>? }
