import ArgumentParser
import Foundation
import TTSMonCore

@main
struct TTSMon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttsmon",
        abstract: "On-call monitor for text-to-speech services: logs, latency, errors, failover.",
        version: TTSMonVersion.current,
        subcommands: [DashboardCommand.self, DemoCommand.self, ReplayCommand.self, BenchRenderCommand.self, ReportCommand.self, TraceCommand.self, IndexCommand.self, WatchCommand.self, ExportCommand.self, RouterCommand.self, ProbeCommand.self, RulesCommand.self, FormatsCommand.self, GenCommand.self]
    )

    /// Runs the command line; every usage error (argument-parser's own included) exits 2, the
    /// code each command's help states.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            // Messages may echo the command line: escape sequences from argv never reach the terminal.
            StandardStream.error.write(fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false)
                .map { Sanitizer.clean(String($0)) }.joined(separator: "\n") + "\n")
            Foundation.exit(usageErrorCode)
        }
    }
}

/// The exit code of a usage error.
let usageErrorCode: Int32 = 2

/// A usage error when a numeric option lies outside its sane range (see `OptionLimit`).
func check(_ value: Double?, _ name: String, _ limit: OptionLimit) throws {
    if let value, let problem = limit.problem(value, name: name) { throw ValidationError(problem) }
}

/// A usage error when a whole-number option lies outside `range`.
func check(_ value: Int?, _ name: String, _ range: ClosedRange<Int>) throws {
    if let value, let problem = CountLimit.problem(value, name: name, range: range) { throw ValidationError(problem) }
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
    StandardStream.error.write("ttsmon: " + Sanitizer.clean(message) + "\n")
    exit(code)
}

/// Writes a line to stderr (a failed write there is ignored: there is nowhere left to say so).
func note(_ message: String) {
    StandardStream.error.write("ttsmon: " + Sanitizer.clean(message) + "\n")
}

/// Writes text to stdout with a trailing newline. A reader that went away ends the program
/// quietly, as Unix tools end (by SIGPIPE); any other failure is an error message and exit 1.
func emit(_ text: String) {
    write(text + "\n")
}

/// Writes text to stdout as it is (see `emit`).
func write(_ text: String) {
    switch StandardStream.output.write(text) {
    case .written: return
    case .closedPipe:
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
        exit(141)
    case .failed(let reason):
        fail("cannot write the output: \(reason)", code: 1)
    }
}
