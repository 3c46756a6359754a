import ArgumentParser
import Foundation
import TTSMonCore
import TTSMonNet

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe TTS instances: GET /health and a real POST /tts whose answer must be audio.",
        discussion: "Targets are NAME=URL; the first is main, the next standby. Exit 0 when every target is up, 1 when any is down, 2 on a usage error. --watch S repeats every S seconds and prints the failover timeline as it changes."
    )

    @Option(help: "Output format: text or json.") var format: OutputFormat = .text
    @Option(help: "Seconds each request may take (connect, headers and body).") var timeout: Double = 3
    @Option(help: "Text to synthesise.") var text: String = "好"
    @Option(help: "Voice to ask for.") var voice: String = "female"
    @Option(help: "Repeat every S seconds and follow the failover state.") var watch: Double?
    @Option(name: .customLong("fail-after"), help: "Mark a target down after N consecutive failures.") var failAfter = 1
    @Option(name: .customLong("failback-after"), help: "Main must pass N consecutive probes to count as recovered.") var failbackAfter = 2
    @Option(help: "Failback to main: auto or manual.") var failback: FailbackMode = .manual
    @Argument(help: "Targets as NAME=URL.") var targets: [String] = []

    func validate() throws {
        try check(timeout, "--timeout", .timeout)
        try check(watch, "--watch", .probeInterval)
        try check(failAfter, "--fail-after", 1...1000)
        try check(failbackAfter, "--failback-after", 1...1000)
    }

    func run() async throws {
        guard !targets.isEmpty else { fail("probe: give at least one target as NAME=URL", code: 2) }
        let parsed = parseTargets(targets, command: "probe")
        let prober = HTTPProber(timeout: .milliseconds(Int64(timeout * 1000)), text: text, voice: voice)
        var state = FailoverState(targets: parsed.map(\.name), failAfter: failAfter, failbackAfter: failbackAfter, mode: failback)
        var allUp = true
        /// One round: probe, fold into the failover state, print; true when every target is up.
        func round() async -> Date {
            let started = Date()
            let results = await prober.probeAll(parsed)
            let now = WallClock.logTime(started)
            state.record(results, at: now)
            allUp = results.allSatisfy(\.up)
            emit(render(results, state: state, time: now))
            return started
        }
        if let watch {
            let stop = StopSignal.install()
            var shown = 0
            while !stop.requested {
                let started = await round()
                for entry in state.timeline.dropFirst(shown) {
                    emit("switch \(entry.time.logText): \(entry.from ?? "none") → \(entry.to ?? "none") (\(Sanitizer.clean(entry.reason)))")
                }
                shown = state.timeline.count
                while !stop.requested, Date().timeIntervalSince(started) < watch { try? await Task.sleep(for: .milliseconds(100)) }
            }
        } else {
            _ = await round()
        }
        await prober.shutdown()
        if !allUp { throw ExitCode(1) }
    }

    func render(_ results: [ProbeResult], state: FailoverState, time: LogTimestamp) -> String {
        let active = results.first(where: \.up)?.target.name
        if format == .json { return ProbeReport.json(results, active: active, time: time).serialized() }
        return ProbeReport.text(results, active: active, time: time)
    }
}

extension FailbackMode: ExpressibleByArgument {}

/// The wall clock as a log timestamp (local time, like the logs), for probe schedules only.
enum WallClock {
    static func logTime(_ date: Date = Date()) -> LogTimestamp { LogTimestamp(localTime: date) }
}

/// `NAME=URL` targets (main first); a bad or repeated one ends the program with exit status 2.
func parseTargets(_ specs: [String], command: String) -> [ProbeTarget] {
    var parsed: [ProbeTarget] = []
    for spec in specs {
        switch ProbeTarget.parse(spec) {
        case .success(let target): parsed.append(target)
        case .failure(let error): fail("\(command): \(error.description)", code: 2)
        }
    }
    guard Set(parsed.map(\.name)).count == parsed.count else { fail("\(command): target names must be unique", code: 2) }
    return parsed
}
