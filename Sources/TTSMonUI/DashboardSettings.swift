import Foundation
import TTSMonCore

/// What a user runs with every day, from `config.toml`: logs, probes, theme and thresholds.
/// A small TOML subset (strings, numbers, booleans, arrays of strings, `[dashboard]` and
/// `[probe]` tables); an invalid file is an error naming the line and key.
public struct DashboardSettings: Equatable, Sendable {
    public var logs: [String] = []
    public var probes: [String] = []
    /// A `ttsmon router`'s URL whose status feeds the Failover panel (instead of `probes`).
    public var router: String?
    public var window: LiveWindow = .fiveMinutes
    public var theme = "default"
    public var probeInterval = 5.0
    public var timeout = 3.0
    public var failback: FailbackMode = .manual
    /// Seconds without a new line after which a followed log is stale (`stale_after`).
    public var staleAfter: Double?

    public init() {}

    /// `$XDG_CONFIG_HOME/ttsmon/config.toml` (or `~/.config/...`).
    public static func defaultPath() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/ttsmon/config.toml" }
        return env["HOME"].map { $0 + "/.config/ttsmon/config.toml" }
    }

    /// Where `s` saves screens: `$XDG_STATE_HOME/ttsmon` (or `~/.local/state/ttsmon`), never
    /// silently the current directory.
    public static func defaultSaveDirectory() -> String {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/ttsmon" }
        return (env["HOME"] ?? NSTemporaryDirectory()) + "/.local/state/ttsmon"
    }

    public static func load(path: String) -> Result<DashboardSettings, InputError> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(InputError("\(path): cannot read config file"))
        }
        return parse(text, name: path)
    }

    public static func parse(_ text: String, name: String) -> Result<DashboardSettings, InputError> {
        var settings = DashboardSettings()
        let doc: TOMLDocument
        do { doc = try TOMLDocument(text) } catch { return .failure(InputError("\(name):\(error.line): \(error.message)")) }
        if let (table, list) = doc.tables.first { return .failure(InputError("\(name):\(list.first?.line ?? 1): unknown table [[\(table)]]")) }
        var items = ConfigText.pairs(doc.root)
        for (table, section) in doc.sections {
            guard ["dashboard", "probe", "logs"].contains(table) else {
                return .failure(InputError("\(name):\(section.line): unknown table [\(table)]"))
            }
            items += ConfigText.pairs(section.table, prefix: table + ".")
        }
        items.sort { $0.entry.line < $1.entry.line }
        for (full, entry) in items {
            let at = "\(name):\(entry.line)"
            guard let value = ConfigText.value(entry.value) else {
                return .failure(InputError("\(at): key '\(full)': cannot read the value"))
            }
            func bad(_ why: String) -> Result<DashboardSettings, InputError> { .failure(InputError("\(at): key '\(full)': \(why)")) }
            switch (full, value) {
            case ("logs", .strings(let v)), ("dashboard.logs", .strings(let v)), ("logs.paths", .strings(let v)): settings.logs = v
            case ("logs", .string(let v)), ("dashboard.logs", .string(let v)): settings.logs = [v]
            case ("probes", .strings(let v)), ("probe.targets", .strings(let v)), ("dashboard.probes", .strings(let v)):
                for p in v { if case .failure(let e) = ProbeTarget.parse(p) { return bad(e.description) } }
                settings.probes = v
            case ("router", .string(let v)), ("dashboard.router", .string(let v)):
                guard ProbeTarget.isHTTPURL(v) else {
                    return bad("expected the router's URL, e.g. http://127.0.0.1:8080")
                }
                settings.router = v
            case ("theme", .string(let v)), ("dashboard.theme", .string(let v)): settings.theme = v
            case ("window", .string(let v)), ("dashboard.window", .string(let v)):
                guard let w = LiveWindow(rawValue: v) else { return bad("expected " + LiveWindow.names) }
                settings.window = w
            case ("probe_interval", .number(let v)), ("probe.interval", .number(let v)):
                if let problem = OptionLimit.probeInterval.problem(v, name: "value") { return bad(problem) }
                settings.probeInterval = v
            case ("timeout", .number(let v)), ("probe.timeout", .number(let v)):
                if let problem = OptionLimit.timeout.problem(v, name: "value") { return bad(problem) }
                settings.timeout = v
            case ("stale_after", .string(let v)), ("dashboard.stale_after", .string(let v)):
                guard let seconds = ConfigText.duration(v), seconds > 0 else { return bad("expected a duration like 60s or 5m") }
                settings.staleAfter = seconds
            case ("stale_after", .number(let v)), ("dashboard.stale_after", .number(let v)):
                guard v > 0, v.isFinite else { return bad("expected a positive number of seconds") }
                settings.staleAfter = v
            case ("failback", .string(let v)), ("probe.failback", .string(let v)):
                guard let f = FailbackMode(rawValue: v) else { return bad("expected auto or manual") }
                settings.failback = f
            default:
                return .failure(InputError("\(at): unknown key '\(full)' or wrong type (keys: logs, probes, router, theme, window, probe_interval, timeout, failback, stale_after)"))
            }
        }
        if settings.router != nil, !settings.probes.isEmpty {
            return .failure(InputError("\(name): 'router' and 'probes' both decide the failover state: give one"))
        }
        return .success(settings)
    }
}
