import ArgumentParser
import TTSMonCore

/// `--format-file FILE` (repeatable): user formats, with those of `$XDG_CONFIG_HOME/ttsmon/formats`.
struct FormatFileOptions: ParsableArguments {
    @Option(name: .customLong("format-file"), help: "A log format file (TOML) for what no built-in format reads; repeatable. Files in $XDG_CONFIG_HOME/ttsmon/formats/*.toml are read too.")
    var formatFiles: [String] = []

    /// The user's formats; a bad file ends the program with exit status 2, naming file, line and key.
    func load() -> [LogFormat] {
        do { return try UserFormat.loadAll(files: formatFiles).map(\.logFormat) } catch {
            fail("format file: \(error.description)", code: 2)
        }
    }
}
