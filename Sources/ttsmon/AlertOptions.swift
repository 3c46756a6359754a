import ArgumentParser
import Foundation
import TTSMonCore
import TTSMonTerminal

/// `--rules FILE`: the built-in rules, changed or extended by a rule file; `--stale-after`.
struct RuleOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: "Alert rule file (TOML or YAML): change thresholds, add or disable rules.")
    var rulesFile: String?
    @Option(name: .customLong("stale-after"), help: "A followed log with no new line for this long is stale (LogStale fires), e.g. 60s, 5m.")
    var staleAfter: String?

    func validate() throws {
        if let staleAfter, staleAfterSeconds == nil {
            throw ValidationError("--stale-after '\(staleAfter)': expected a duration like 60s or 5m")
        }
    }

    /// `--stale-after` in seconds (nil when not given).
    var staleAfterSeconds: Double? {
        staleAfter.flatMap { ConfigText.duration($0) ?? Double($0) }.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
    }

    /// The rules to use; an invalid file ends the program with exit status 2. `staleAfter`
    /// (from a config file) sets LogStale's threshold unless `--stale-after` does.
    func load(staleAfter configured: Double? = nil) -> [AlertRule] {
        let base = AlertRule.builtIn(staleAfter: staleAfterSeconds ?? configured ?? AlertRule.defaultStaleSeconds)
        guard let rulesFile else { return base }
        switch AlertRuleFile.load(path: rulesFile, base: base) {
        case .success(let rules): return rules
        case .failure(let e): fail(e.description, code: 2)
        }
    }
}

/// Where alerts go besides the screen (`--alertmanager`), and the probe-clock inputs of live
/// commands: `--disk` and `--process` to watch (the host and GPUs are always sampled).
struct AlertDelivery {
    var disk: String?
    var alertmanager: String?
    var processes: [WatchedProcess] = []
}

struct AlertDeliveryOptions: ParsableArguments {
    @Option(name: .customLong("disk"), help: "Watch free space on the file system holding PATH (DiskLow below 10%).")
    var disk: String?
    @Option(name: .customLong("alertmanager"), help: "Post firing and resolved alerts to this Alertmanager (e.g. http://127.0.0.1:9093).")
    var alertmanager: String?
    @Option(name: .customLong("process"), help: "Watch a process's CPU, memory growth, threads and fds: PID, NAME (found in command lines) or :PORT (what listens there), optionally LABEL=… (shown under the source LABEL.log in the split view); repeatable.")
    var processes: [String] = []

    /// The parsed values as a plain value (a parsable definition cannot be made by hand).
    var settings: AlertDelivery {
        AlertDelivery(disk: disk, alertmanager: alertmanager, processes: processes.compactMap(WatchedProcess.init))
    }

    func validate() {
        if let alertmanager, !ProbeTarget.isHTTPURL(alertmanager) {
            fail("--alertmanager '\(alertmanager)': expected an http:// or https:// URL", code: 2)
        }
        for p in processes where WatchedProcess(p) == nil {
            fail("--process '\(p)': expected a PID, a NAME or :PORT (optionally LABEL=…)", code: 2)
        }
        if let disk, DiskSpace.freePercent(path: disk) == nil {
            fail("--disk '\(disk)': cannot read the file system's free space", code: 2)
        }
    }
}

/// `ttsmon rules`: the rules in effect, as text, JSON or a Prometheus rules file.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Print the alert rules in effect (built-in, or changed by --rules).",
        discussion: "`--format prometheus` writes them as a Prometheus alerting-rules file over the metrics of `ttsmon export`."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, prometheus }

    @Option(help: "text, json or prometheus.") var format: Format = .text
    @OptionGroup var rules: RuleOptions

    func run() {
        let list = rules.load()
        switch format {
        case .prometheus: write(PrometheusRules.file(list))
        case .json:
            emit(JSONValue.array(list.map { r in
                .object([("name", .string(r.name)), ("expr", .string(r.expression)), ("signal", .string(r.signal.rawValue)),
                         ("comparison", .string(r.comparison.rawValue)), ("threshold", .double(r.threshold)),
                         ("for_s", .int(r.forSeconds)), ("window_s", .int(r.windowSeconds)), ("clock", .string(r.signal.clock.rawValue)),
                         ("severity", .string(r.severity)), ("summary", .string(r.summary))])
            }).serialized())
        case .text:
            var t = TextTable(["rule", "expr", "for", "window", "severity", "summary"], alignments: [.left, .left, .right, .right, .left, .left])
            for r in list {
                t.add([r.name, r.expression, PrometheusRules.duration(r.forSeconds),
                       r.signal.isWindowed ? PrometheusRules.duration(r.windowSeconds) : "-", r.severity, r.summary])
            }
            emit(t.render())
        }
    }
}

/// How a drawing command uses the screen: a bell when an alert starts firing, how long `a`
/// mutes one, and whether text is drawn as UTF-8 or ASCII.
struct ScreenOptions: ParsableArguments {
    @Flag(help: "Ring the terminal bell when an alert starts firing.") var bell = false
    @Option(name: .customLong("ack-for"), help: "How long `a` acknowledges (mutes) an alert, e.g. 30m, 1h.") var ackFor: String = "1h"
    @Flag(help: "The terminal shows UTF-8 whatever TERM says (a UTF-8 locale is chosen if the inherited one is not).") var utf8 = false
    @Flag(help: "Draw ASCII only (box drawing and non-ASCII text replaced).") var ascii = false

    @Option(name: .customLong("save-dir"), help: "Where `s` saves screens (default $XDG_STATE_HOME/ttsmon).") var saveDirectory: String?

    var textMode: TextMode { ascii ? .ascii : utf8 ? .utf8 : .auto }

    var ackSeconds: Double { ConfigText.duration(ackFor) ?? 3600 }

    func validate() {
        guard let d = ConfigText.duration(ackFor), d > 0 else {
            fail("--ack-for '\(ackFor)': expected a duration like 30m or 1h", code: 2)
        }
    }
}
