import ArgumentParser
import Foundation
import TTSMonCore

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show one request's records and stage waterfall, wherever it sits (rotated .gz included)."
    )

    @Option(help: "Output format: text or json.") var format: OutputFormat = .text
    @Flag(name: [.customShort("R"), .customLong("rotated")], help: "Add rotated siblings (NAME.N, NAME.N.gz) of each file.")
    var rotated = false
    @Argument(help: "The request id.") var id: String
    @Argument(help: "Log files (or - for standard input).") var files: [String] = []

    func run() throws {
        fail("trace: not yet", code: 2)
    }
}

struct GenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gen", abstract: "Generate realistic TTS logs.")
    func run() throws { fail("gen: not yet", code: 2) }
}
