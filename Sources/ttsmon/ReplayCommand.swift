import ArgumentParser
import Foundation
import TTSMonCore
import TTSMonUI

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a past incident in the dashboard, log time running N× faster than the wall clock.",
        discussion: "Files may be rotated .gz, in any order. p pauses, + and - change the speed; the figures at any moment are those of the window ending at the replayed time."
    )

    @Option(help: "Log seconds per wall second.") var speed: Double = 20
    @Option(parsing: .unconditional, help: "Start at T (YYYY-MM-DD HH:MM:SS).") var from: String?
    @Option(parsing: .unconditional, help: "Stop at T.") var to: String?
    @Option(help: "Window: 1m, 5m, 15m, 1h, 6h or 24h.") var window: LiveWindow = .fiveMinutes
    @Option(help: "Theme name or file.") var theme: String = "default"
    @Flag(name: [.customShort("R"), .customLong("rotated")], help: "Add rotated siblings of each file.") var rotated = false
    @OptionGroup var rules: RuleOptions
    @OptionGroup var screen: ScreenOptions
    @OptionGroup var formatFiles: FormatFileOptions
    @Argument(help: "Log files.") var files: [String] = []

    func validate() throws {
        try check(speed, "--speed", .replaySpeed)
    }

    func run() throws {
        guard !files.isEmpty else { fail("replay: no input files", code: 2) }
        let fromTime = try from.map { try absolute($0, "--from") }
        let toTime = try to.map { try absolute($0, "--to") }
        let feeder: ReplayFeeder
        let formats = formatFiles.load()
        var configuration = LiveMetrics.Configuration()
        configuration.rules = rules.load()
        do { feeder = try ReplayFeeder(inputs: expandInputs(files, rotated: rotated, formats: formats), from: fromTime, to: toTime, speed: speed, configuration: configuration) } catch let error as InputError {
            fail(error.description, code: 2)
        }
        var options = DashboardApp.Options()
        options.window = window
        options.rules = configuration.rules
        options.formats = formats
        options.bell = screen.bell
        options.ackFor = screen.ackSeconds
        options.textMode = screen.textMode
        options.saveDirectory = screen.saveDirectory
        switch Theme.load(theme, directories: Theme.searchDirectories()) {
        case .success(let t): options.theme = t
        case .failure(let e): fail("replay: \(e.description)", code: 2)
        }
        options.extraKeys = [
            KeyBinding(["+", "="], "+", "replay faster (×2)", .custom("faster"), short: "faster"),
            KeyBinding(["-", "_"], "-", "replay slower (÷2)", .custom("slower"), short: "slower"),
        ]
        guard isatty(0) == 1, isatty(1) == 1 else { fail("replay: needs a terminal (use `report --from --to` for scripts)", code: 2) }
        let app = DashboardApp(options: options, source: ReplaySource(feeder: feeder))
        app.onCustomKey = { key in
            feeder.speed = key == "faster" ? feeder.speed * 2 : feeder.speed / 2
            return "replay speed ×\(feeder.speed)"
        }
        app.run()
        feeder.stop()
    }

    func absolute(_ text: String, _ name: String) throws -> LogTimestamp {
        guard case .absolute(let t)? = TimeBound(text) else {
            throw ValidationError("\(name) '\(text)': expected YYYY-MM-DD HH:MM:SS")
        }
        return t
    }
}
