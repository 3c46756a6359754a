import Foundation
import Testing
@testable import TTSMonCore
@testable import TTSMonUI

@Suite struct ThemeAndKeysTests {
    static let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes")

    @Test func everyShippedThemeLoads() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.themes.path).filter { $0.hasSuffix(".theme") }
        #expect(files.count >= 3)
        for file in files {
            let result = Theme.load(Self.themes.appendingPathComponent(file).path, directories: [])
            guard case .success(let theme) = result else { Issue.record("\(file): \(result)"); continue }
            #expect(Set(theme.styles.keys) == Set(Role.allCases), "\(file) sets every role")
        }
        guard case .success(let byName) = Theme.load("light", directories: [Self.themes.path]) else { Issue.record("by name"); return }
        #expect(byName.style(.crit).fg == ThemeColor("#C62828"))
    }

    @Test func badThemesAreReportedWithTheLine() {
        guard case .failure(let unknown) = Theme.parse("title = red\nbogus_role = blue\n", name: "x.theme") else { Issue.record("accepted"); return }
        #expect(unknown.description.hasPrefix("x.theme:2: unknown role 'bogus_role'"))
        guard case .failure(let colour) = Theme.parse("title = #GGHHII\n", name: "y.theme") else { Issue.record("accepted"); return }
        #expect(colour.description.hasPrefix("y.theme:1: bad colour"))
        guard case .failure = Theme.load("nope", directories: ["/nonexistent"]) else { Issue.record("found nope"); return }
    }

    @Test func configFile() {
        let good = """
        # my daily view
        logs = ["/var/log/tts/app.log", "/var/log/tts/standby.log"]
        theme = "light"
        [probe]
        targets = ["main=http://127.0.0.1:8000", "standby=http://127.0.0.1:8001"]
        interval = 2
        failback = "auto"
        """
        guard case .success(let s) = DashboardSettings.parse(good, name: "c.toml") else { Issue.record("good config"); return }
        #expect(s.logs.count == 2 && s.theme == "light" && s.probes.count == 2 && s.probeInterval == 2 && s.failback == .auto)
        guard case .failure(let e) = DashboardSettings.parse("theme = \"x\"\nwindw = \"5m\"\n", name: "c.toml") else { Issue.record("typo"); return }
        #expect(e.description.hasPrefix("c.toml:2: unknown key 'windw'"))
        guard case .failure(let w) = DashboardSettings.parse("window = \"7m\"\n", name: "c.toml") else { Issue.record("bad window"); return }
        #expect(w.description.contains("key 'window'"))
        // Issue 14, item 6: the config file takes the same ranges as the flags.
        for bad in ["[probe]\ninterval = 0\n", "[probe]\ntimeout = 100000\n", "probe_interval = 0.001\n"] {
            guard case .failure(let e) = DashboardSettings.parse(bad, name: "c.toml") else { Issue.record("accepted \(bad)"); continue }
            #expect(e.description.contains("expected"), "\(e)")
        }
        // Issue 17: a router's status instead of probes; not both, and a URL.
        guard case .success(let r) = DashboardSettings.parse("[dashboard]\nrouter = \"http://127.0.0.1:8080\"\n", name: "c.toml") else { Issue.record("router"); return }
        #expect(r.router == "http://127.0.0.1:8080" && r.probes.isEmpty)
        guard case .failure(let both) = DashboardSettings.parse("router = \"http://127.0.0.1:8080\"\nprobes = [\"main=http://127.0.0.1:8000\"]\n", name: "c.toml") else { Issue.record("router and probes"); return }
        #expect(both.description.contains("give one"))
        guard case .failure(let url) = DashboardSettings.parse("router = \"8080\"\n", name: "c.toml") else { Issue.record("router not a URL"); return }
        #expect(url.description.contains("key 'router'"))
    }

    /// Issue 14, item 1: records held out of the figures for being far in the future are said
    /// beside their source in the header.
    @Test func headerSaysHowManyRecordsWereAhead() {
        var state = DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes))
        state.sources = [SourceLine(name: "/var/log/tts/app.log", ageSeconds: 2, error: nil, outOfOrder: 3)]
        let grid = DashboardView.render(state, width: 150, height: 45)
        #expect(grid.text.split(separator: "\n").first?.contains("app.log 2s 3 ahead") == true)
    }

    @Test func keysDriveTheRouteStack() {
        var state = DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes))
        state.snapshot.errors = [LiveSnapshot.ErrorRow(code: "SCIPY_FFT_INVALID", count: 3, share: 1, previous: 0, trend: .new)]
        #expect(DashboardController.handle("enter", state: &state) == [.refreshList])
        #expect(state.route == .errors(code: "SCIPY_FFT_INVALID"))
        #expect(DashboardController.handle("q", state: &state) == [], "q goes back below the overview")
        #expect(state.route == .overview)
        #expect(DashboardController.handle("q", state: &state) == [.quit])
        _ = DashboardController.handle("/", state: &state)
        for ch in "ts_1" { _ = DashboardController.handle(String(ch), state: &state) }
        #expect(DashboardController.handle("enter", state: &state) == [.submitQuery("ts_1")])
        _ = DashboardController.handle("w", state: &state)
        #expect(state.window == .fifteenMinutes)
        _ = DashboardController.handle("p", state: &state)
        #expect(state.paused)
        #expect(DashboardController.handle("F", state: &state) == [], "F only when failback is offered")
        state.failbackOffered = true
        #expect(DashboardController.handle("F", state: &state) == [.failback])
        _ = DashboardController.handle("?", state: &state)
        #expect(state.helpVisible)
        _ = DashboardController.handle("x", state: &state)
        #expect(!state.helpVisible)
    }
}

/// The dashboard's config is read by the same TOML reader as format and rule files: a comma
/// inside a quoted path is part of it, literal strings keep their backslashes.
@Suite struct ConfigFileTOMLTests {
    @Test func stringsAreReadWhole() throws {
        let settings = try DashboardSettings.parse("""
            logs = ["/var/log/tts/app, main.log", 'C:\\logs\\b.log']
            [probe]
            interval = 2
            """, name: "config").get()
        #expect(settings.logs == ["/var/log/tts/app, main.log", #"C:\logs\b.log"#] && settings.probeInterval == 2)
    }
}
