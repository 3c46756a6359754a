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
    @Flag(name: .customLong("no-index"), help: "Search every file whole; neither use nor build the request index.")
    var noIndex = false
    @OptionGroup var formatFiles: FormatFileOptions
    @Argument(help: "The request id.") var id: String
    @Argument(help: "Log files (or - for standard input).") var files: [String] = []

    func run() throws {
        guard !files.isEmpty else { fail("trace: no input files (use - for standard input)", code: 2) }
        guard isValidRequestID(id) else { fail("trace: '\(id)' is not a request id (letters, digits and _.:-)", code: 2) }
        let inputs = expandInputs(files, rotated: rotated, formats: formatFiles.load())
        let result: (trace: RequestTrace?, warnings: [String])
        do { result = try RequestTracer.trace(id: id, inputs: inputs, index: noIndex ? nil : RequestIndexStore.standard()) } catch let error as InputError {
            fail(error.description, code: 2)
        }
        for warning in result.warnings { note("warning: " + warning) }
        guard let trace = result.trace else {
            fail("trace: \(id) not found in \(inputs.count) file\(inputs.count == 1 ? "" : "s")", code: 1)
        }
        emit(format == .json ? trace.json.serialized() : trace.text(width: terminalWidth()))
    }
}

/// Columns of the terminal on stdout, or 100.
func terminalWidth() -> Int {
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
    return 100
}
