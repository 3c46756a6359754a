import ArgumentParser
import Foundation
import TTSMonCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarise TTS logs: requests, latency percentiles, errors, stages, cache, failovers.",
        discussion: "Files may be plain or gzip (detected by content), in any order; `-` reads standard input."
    )

    @Option(help: "Output format: text or json.") var format: OutputFormat = .text
    @Option(parsing: .unconditional, help: "Keep requests completed at or after T (YYYY-MM-DD HH:MM:SS, HH:MM[:SS], or -15m).") var from: String?
    @Option(parsing: .unconditional, help: "Keep requests completed before T (same forms as --from).") var to: String?
    @Option(parsing: .unconditional, help: "List only the N most frequent error codes.") var top: Int?
    @Flag(name: [.customShort("R"), .customLong("rotated")], help: "Add rotated siblings (NAME.N, NAME.N.gz) of each file.")
    var rotated = false
    @OptionGroup var rules: RuleOptions
    @OptionGroup var formatFiles: FormatFileOptions
    @Argument(help: "Log files (or - for standard input).") var files: [String] = []

    func validate() throws {
        try check(top, "--top", 0...1_000_000)
    }

    func run() throws {
        guard !files.isEmpty else { fail("report: no input files (use - for standard input)", code: 2) }
        var options = ReportOptions(inputs: expandInputs(files, rotated: rotated, formats: formatFiles.load()))
        options.from = try parseBound(from, name: "--from")
        options.to = try parseBound(to, name: "--to")
        options.rules = rules.load()
        let progress = ProgressDisplay.startIfTerminal(inputs: options.inputs)
        options.progress = progress?.counter
        let outcome: ReportOutcome
        do { outcome = try ReportRunner.run(options) } catch let error as InputError {
            progress?.stop()
            fail(error.description, code: 2)
        }
        progress?.stop()
        for warning in outcome.warnings { note("warning: " + warning) }
        let summary = ReportSummary(outcome, top: top)
        emit(format == .json ? summary.json.serialized() : summary.text)
    }
}

/// Adds rotated siblings when asked and removes duplicates, keeping the user's order.
func expandInputs(_ paths: [String], rotated: Bool, formats: [LogFormat] = []) -> [LogInput] {
    var seen = Set<String>()
    var inputs: [LogInput] = []
    for path in paths {
        let input = LogInput(path: path, formats: formats)
        for candidate in [input] + (rotated ? input.rotatedSiblings() : []) where seen.insert(candidate.path).inserted {
            inputs.append(candidate)
        }
    }
    return inputs
}

func parseBound(_ text: String?, name: String) throws -> TimeBound? {
    guard let text else { return nil }
    guard let bound = TimeBound(text) else {
        fail("\(name) '\(text)': expected YYYY-MM-DD HH:MM:SS, HH:MM[:SS] or a relative time like -15m", code: 2)
    }
    return bound
}
