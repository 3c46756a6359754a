import ArgumentParser
import Foundation
import TTSMonCore
import TTSMonUI

struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The on-call view: live QPS, latency, errors, stages, cache and failover; / jumps to a request.",
        discussion: "Settings come from $XDG_CONFIG_HOME/ttsmon/config.toml (or --config FILE); flags override them. Press ? for keys."
    )

    @Option(name: .customLong("log"), help: "A log to follow (repeatable; globs allowed).") var logs: [String] = []
    @Option(name: .customLong("probe"), help: "A target to probe as NAME=URL (repeatable; the first is main).") var probes: [String] = []
    @Option(help: "Window: 1m, 5m, 15m, 1h, 6h or 24h.") var window: LiveWindow?
    @Option(help: "Theme name (default, light, ansi16) or a .theme file.") var theme: String?
    @Option(help: "Show the failover state of this `ttsmon router` (its /admin/status) instead of probing targets.")
    var router: String?
    @Option(name: .customLong("router-token"), help: "The router's --admin-token, when it has one.") var routerToken: String?
    @Option(name: .customLong("probe-interval"), help: "Seconds between probe rounds (or router status reads).") var probeInterval: Double?
    @Option(help: "Seconds each probe request may take.") var timeout: Double?
    @Option(help: "Failback to main: auto or manual.") var failback: FailbackMode?
    @Option(help: "Config file (default $XDG_CONFIG_HOME/ttsmon/config.toml).") var config: String?
    @Flag(name: .customLong("from-end"), help: "Skip what the logs already hold.") var fromEnd = false
    @Flag(name: [.customShort("R"), .customLong("rotated")], help: "Windows of 1h and more also read each log's rotated siblings (NAME.N, NAME.N.gz), in the background.")
    var rotated = false
    @Option(help: "Feed the panels from this Prometheus (the whole fleet, by PromQL) instead of local logs.")
    var prometheus: String?
    @Option(help: "Label matchers every PromQL query adds, e.g. '{job=\"tts\"}'.") var selector: String?
    @OptionGroup var rules: RuleOptions
    @OptionGroup var delivery: AlertDeliveryOptions
    @OptionGroup var screen: ScreenOptions
    @OptionGroup var formatFiles: FormatFileOptions

    func validate() throws {
        try check(probeInterval, "--probe-interval", .probeInterval)
        try check(timeout, "--timeout", .timeout)
    }

    func run() throws {
        var settings = DashboardSettings()
        let configPath = config ?? DashboardSettings.defaultPath()
        if let configPath, FileManager.default.fileExists(atPath: configPath) || config != nil {
            switch DashboardSettings.load(path: configPath) {
            case .success(let loaded): settings = loaded
            case .failure(let error): fail(error.description, code: 2)
            }
        }
        if !logs.isEmpty { settings.logs = logs }
        if !probes.isEmpty { settings.probes = probes }
        if let window { settings.window = window }
        if let theme { settings.theme = theme }
        if let probeInterval { settings.probeInterval = probeInterval }
        if let timeout { settings.timeout = timeout }
        if let failback { settings.failback = failback }
        var options = DashboardApp.Options()
        options.logs = settings.logs
        options.window = settings.window
        options.probeInterval = settings.probeInterval
        options.timeout = settings.timeout
        options.failback = settings.failback
        options.fromEnd = fromEnd
        options.rotated = rotated
        options.formats = formatFiles.load()
        options.rules = rules.load(staleAfter: settings.staleAfter)
        options.staleAfter = rules.staleAfterSeconds ?? settings.staleAfter ?? AlertRule.defaultStaleSeconds
        options.delivery = delivery.settings
        options.bell = screen.bell
        options.ackFor = screen.ackSeconds
        options.textMode = screen.textMode
        options.saveDirectory = screen.saveDirectory
        // Flags override the config file: --probe drops its router, --router its probes.
        if router != nil, !probes.isEmpty { fail("dashboard: --router and --probe both decide the failover state: give one", code: 2) }
        if let router = router ?? (probes.isEmpty ? settings.router : nil) {
            guard ProbeTarget.isHTTPURL(router) else {
                fail("dashboard: --router '\(router)': expected the router's URL, e.g. http://127.0.0.1:8080", code: 2)
            }
            options.router = router
            options.routerToken = routerToken
        } else {
            options.probes += parseTargets(settings.probes, command: "dashboard")
        }
        switch Theme.load(settings.theme, directories: Theme.searchDirectories()) {
        case .success(let loaded): options.theme = loaded
        case .failure(let error): fail("dashboard: \(error.description)", code: 2)
        }
        var source: DashboardSource?
        if let prometheus {
            guard ProbeTarget.isHTTPURL(prometheus) else {
                fail("dashboard: --prometheus '\(prometheus)': expected an http:// URL such as http://127.0.0.1:9090", code: 2)
            }
            let logs = options.logs.isEmpty ? nil : LiveSource.following(options)
            source = PromQLSource(url: prometheus, selector: selector, window: options.window, timeout: options.timeout, logs: logs)
        }
        guard isatty(0) == 1, isatty(1) == 1 else { fail("dashboard: needs a terminal (try `ttsmon watch` for scripts)", code: 2) }
        DashboardApp(options: options, source: source).run()
    }
}
