import ArgumentParser
import Foundation
import TTSMonCore

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build the request index of log files (trace then reads only where an id is), or clear it.",
        discussion: """
            The index lives in $XDG_CACHE_HOME/ttsmon/index (default ~/.cache/ttsmon/index), one file per log, \
            keyed by the log's device, inode and first 4 KB: a rotated log keeps its index when renamed. \
            trace builds it on a file's first search anyway; this does it ahead of time. Exit 0, or 2 on a usage error.
            """
    )

    @Option(help: "Output format: text or json.") var format: OutputFormat = .text
    @Flag(name: [.customShort("R"), .customLong("rotated")], help: "Add rotated siblings (NAME.N, NAME.N.gz) of each file.")
    var rotated = false
    @Flag(help: "Remove every stored index.") var clear = false
    @OptionGroup var formatFiles: FormatFileOptions
    @Argument(help: "Log files.") var files: [String] = []

    func run() throws {
        guard let store = RequestIndexStore.standard() else { fail("index: no cache directory (set XDG_CACHE_HOME or HOME)", code: 2) }
        if clear {
            guard files.isEmpty else { fail("index: --clear takes no files", code: 2) }
            let removed = store.clear()
            emit("removed \(removed.files) index file\(removed.files == 1 ? "" : "s") (\(Format.bytes(removed.bytes))) from \(store.directory)")
            return
        }
        guard !files.isEmpty else { fail("index: no input files", code: 2) }
        let inputs = expandInputs(files, rotated: rotated, formats: formatFiles.load())
        let outcomes = RequestIndexer.run(inputs, store: store)
        if format == .json { emit(RequestIndexer.json(outcomes, directory: store.directory).serialized()) }
        else { write(RequestIndexer.text(outcomes, directory: store.directory)) }
    }
}
