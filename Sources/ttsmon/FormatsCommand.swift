import ArgumentParser
import Foundation
import TTSMonCore

/// `ttsmon formats`: the formats ttsmon reads; `ttsmon formats test FILE…`: how a file reads.
struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formats",
        abstract: "List the log formats ttsmon reads, or test how files read (`formats test FILE…`).",
        subcommands: [ListFormats.self, TestFormats.self],
        defaultSubcommand: ListFormats.self
    )

    struct ListFormats: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The built-in and user formats, with a sample line each.")
        @OptionGroup var formatFiles: FormatFileOptions
        func run() { emit(FormatsListing.list(user: formatFiles.load())) }
    }

    struct TestFormats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "For each file: the format it is read with, what each of its first lines yielded, and why a line was not understood.")
        @Option(help: "How many lines to show per file.") var lines = 12
        @OptionGroup var formatFiles: FormatFileOptions
        @Argument(help: "Log files.") var files: [String] = []

        func validate() throws {
            try check(lines, "--lines", 1...10_000)
            if files.isEmpty { throw ValidationError("formats test: give one or more files") }
        }

        func run() {
            var blocks: [String] = []
            let formats = formatFiles.load()
            for file in files {
                do { blocks.append(try FormatsListing.test(LogInput(path: file, formats: formats), lines: lines)) } catch {
                    fail("\(error)", code: 2)
                }
            }
            emit(blocks.joined(separator: "\n\n"))
        }
    }
}
