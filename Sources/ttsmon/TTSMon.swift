import ArgumentParser
import Foundation
import TTSMonCore

@main
struct TTSMon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttsmon",
        abstract: "On-call monitor for text-to-speech services: logs, latency, errors, failover.",
        version: TTSMonVersion.current,
        subcommands: [DashboardCommand.self, DemoCommand.self, ReplayCommand.self, BenchRenderCommand.self, ReportCommand.self, TraceCommand.self, WatchCommand.self, ExportCommand.self, ProbeCommand.self, RulesCommand.self, GenCommand.self]
    )
}

/// The tool's version string.
enum TTSMonVersion {
    static let current = "0.1.0"
}

/// Output format for headless commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Exits with a one-line message on stderr.
func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data(("ttsmon: " + message + "\n").utf8))
    exit(code)
}

/// Writes text to stdout with a trailing newline.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
