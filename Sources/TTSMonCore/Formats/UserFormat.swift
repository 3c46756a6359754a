import Foundation

/// A format a user describes in a TOML file, for what no built-in format knows (lnav's idea):
/// a regular expression for a record's first line, one per event on its message, and how the
/// records join into requests. Files live in `$XDG_CONFIG_HOME/ttsmon/formats/*.toml` or are
/// given with `--format-file`; they are tried before the built-in formats.
public struct UserFormat: Sendable, Equatable {
    /// What an event line tells.
    public enum Kind: String, CaseIterable, Sendable {
        /// A request begins.
        case start
        /// A stage of the open request took a duration (`stage` and a duration captured).
        case stage
        /// More about the open request (audio length, RTF, duration), kept for its end.
        case field
        /// The request ends: failed when `status` is failed/fail/error, `http_status` ≥ 400 or
        /// the record's level ERROR or CRITICAL; else a success.
        case end
        /// A whole request on one line.
        case request
    }

    public struct Event: Sendable {
        public var kind: Kind
        let pattern: NamedPattern
    }

    public var name: String
    /// The file it was read from.
    public var file: String
    let line: NamedPattern
    let timeFormat: TimeFormat?
    public var join: LogFormat.Join
    public var samples: [String]
    public var events: [Event]

    public static func == (a: UserFormat, b: UserFormat) -> Bool { a.name == b.name && a.file == b.file }

    /// Captures events may use.
    public static let knownCaptures = Set(Capture.allCases.filter { !Capture.lineOnly.contains($0) }.map(\.name))
    /// Captures the `line` pattern may use besides those.
    public static let lineCaptures = Set(Capture.lineOnly.map(\.name))

    /// The format as ttsmon reads it.
    public var logFormat: LogFormat {
        LogFormat(name: name, layout: .user(self), keys: [:], events: [:], join: join)
    }

    /// The directory user format files are read from: `$XDG_CONFIG_HOME/ttsmon/formats`, or
    /// `~/.config/ttsmon/formats`.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/ttsmon/formats" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.config/ttsmon/formats"
    }

    /// Every format of the user's directory (`*.toml`, by name) and of `files`, in that order.
    public static func loadAll(files: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws(FormatFileError) -> [UserFormat] {
        var paths: [String] = []
        if let dir = directory(environment: environment),
           let names = try? FileManager.default.contentsOfDirectory(atPath: dir) {
            paths += names.filter { $0.hasSuffix(".toml") }.sorted().map { dir + "/" + $0 }
        }
        paths += files
        var formats: [UserFormat] = []
        for path in paths {
            let format = try load(file: path)
            guard !formats.contains(where: { $0.name == format.name }) else {
                throw FormatFileError(file: path, line: nil, key: "name", message: "a format named \(format.name) is already loaded")
            }
            formats.append(format)
        }
        return formats
    }

    /// Reads and checks one format file.
    public static func load(file: String) throws(FormatFileError) -> UserFormat {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw FormatFileError(file: file, line: nil, key: nil, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FormatFileError(file: file, line: nil, key: nil, message: "not UTF-8 text")
        }
        return try load(text: text, file: file)
    }

    /// Parses and checks a format file's text: TOML, keys, patterns, captures, samples.
    public static func load(text: String, file: String) throws(FormatFileError) -> UserFormat {
        let doc: TOMLDocument
        do { doc = try TOMLDocument(text) } catch {
            throw FormatFileError(file: file, line: error.line, key: nil, message: "invalid TOML: " + error.message)
        }
        func fail(_ entry: TOMLDocument.Entry?, _ key: String, _ message: String) -> FormatFileError {
            FormatFileError(file: file, line: entry?.line, key: key, message: message)
        }
        func string(_ table: TOMLDocument.Table, _ key: String, required: Bool) throws(FormatFileError) -> String? {
            guard let entry = table[key] else {
                if required { throw fail(nil, key, "missing (required)") }
                return nil
            }
            guard case .string(let s) = entry.value else { throw fail(entry, key, "must be a string") }
            return s
        }
        let rootKeys: Set<String> = ["name", "line", "time_format", "join", "sample"]
        for (key, entry) in doc.root where !rootKeys.contains(key) {
            throw fail(entry, key, "unknown key (known: \(rootKeys.sorted().joined(separator: ", ")), and [[event]] tables)")
        }
        if let (name, section) = doc.sections.first {
            throw FormatFileError(file: file, line: section.line, key: name, message: "unknown table [\(name)] (only [[event]])")
        }
        for name in doc.tables.keys where name != "event" {
            throw FormatFileError(file: file, line: doc.tables[name]?.first?.line, key: name, message: "unknown table (only [[event]])")
        }
        guard let name = try string(doc.root, "name", required: true) else { throw fail(nil, "name", "missing") }
        guard !name.isEmpty, name.utf8.count <= 64, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) }) else {
            throw fail(doc.root["name"], "name", "use letters, digits, _ - . (at most 64)")
        }
        guard LogFormat.all.allSatisfy({ $0.name != name }) else { throw fail(doc.root["name"], "name", "\(name) is a built-in format's name") }
        let lineEntry = doc.root["line"]
        let line: NamedPattern
        do { line = try NamedPattern(try string(doc.root, "line", required: true)!) } catch let reason as FormatFileError.Reason {
            throw fail(lineEntry, "line", reason.message)
        } catch let error as FormatFileError { throw error } catch { throw fail(lineEntry, "line", "\(error)") }
        for capture in line.names where !knownCaptures.contains(capture) && !lineCaptures.contains(capture) {
            throw fail(lineEntry, "line", "unknown capture \(capture) (known: \((lineCaptures.union(knownCaptures)).sorted().joined(separator: ", ")))")
        }
        var timeFormat: TimeFormat?
        if let tf = try string(doc.root, "time_format", required: false) {
            do { timeFormat = try TimeFormat(tf) } catch { throw fail(doc.root["time_format"], "time_format", error.message) }
        }
        var join = LogFormat.Join.id
        switch try string(doc.root, "join", required: false) {
        case nil, "id": join = .id
        case "sequence": join = .sequence
        case let other?: throw fail(doc.root["join"], "join", "must be \"id\" or \"sequence\", not \"\(other)\"")
        }
        var samples: [String] = []
        if let entry = doc.root["sample"] {
            switch entry.value {
            case .string(let s): samples = [s]
            case .array(let items):
                for item in items {
                    guard case .string(let s) = item else { throw fail(entry, "sample", "must be strings") }
                    samples.append(s)
                }
            default: throw fail(entry, "sample", "must be a string or an array of strings")
            }
        }
        var events: [Event] = []
        for (tableLine, table) in doc.tables["event"] ?? [] {
            for (key, entry) in table where key != "kind" && key != "match" {
                throw fail(entry, "event." + key, "unknown key (an [[event]] has kind and match)")
            }
            guard let kindText = try string(table, "kind", required: false) else {
                throw FormatFileError(file: file, line: tableLine, key: "event.kind", message: "missing (required)")
            }
            guard let kind = Kind(rawValue: kindText) else {
                throw fail(table["kind"], "event.kind", "unknown kind \(kindText) (known: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let matchText = try string(table, "match", required: false) else {
                throw FormatFileError(file: file, line: tableLine, key: "event.match", message: "missing (required)")
            }
            let pattern: NamedPattern
            do { pattern = try NamedPattern(matchText) } catch let reason as FormatFileError.Reason {
                throw fail(table["match"], "event.match", reason.message)
            } catch { throw fail(table["match"], "event.match", "\(error)") }
            for capture in pattern.names where !knownCaptures.contains(capture) {
                throw fail(table["match"], "event.match", "unknown capture \(capture) (known: \(knownCaptures.sorted().joined(separator: ", ")))")
            }
            let captures = Set(pattern.names).union(line.names)
            if join == .id, kind != .request, !captures.contains("id") {
                throw fail(table["match"], "event.match", "a \(kind.rawValue) event needs an id capture to join its request (or join = \"sequence\")")
            }
            if kind == .stage, !captures.contains("stage") || captures.isDisjoint(with: ["duration_ms", "duration_s", "duration_us"]) {
                throw fail(table["match"], "event.match", "a stage event needs a stage capture and a duration (duration_ms, duration_s or duration_us)")
            }
            events.append(Event(kind: kind, pattern: pattern))
        }
        let format = UserFormat(name: name, file: file, line: line, timeFormat: timeFormat, join: join, samples: samples, events: events)
        for sample in samples {
            guard let captures = line.match(sample) else {
                throw fail(doc.root["sample"], "sample", "\"\(sample)\" does not match line")
            }
            if let time = captures["time"], format.time(String(time)) == nil {
                throw fail(doc.root["time_format"] ?? doc.root["sample"], "time_format", "the time \"\(time)\" of sample \"\(sample)\" does not fit")
            }
        }
        return format
    }

    /// A captured time, read with `time_format` or, without one, as any time ttsmon knows.
    func time(_ text: String) -> LogTimestamp? {
        var copy = text
        return copy.withUTF8 { UserFormat.time($0, format: timeFormat) }
    }

    /// A captured time's bytes, read with `format` or, without one, as any time ttsmon knows.
    static func time(_ span: ByteSpan, format: TimeFormat?) -> LogTimestamp? {
        if let format { return format.parse(span) }
        if let (ts, used) = LogTimestamp.parseZoned(span), used == span.count { return ts }
        if let (ts, used) = LogTimestamp.parseAccessLog(span), used == span.count { return ts }
        return nil
    }
}

/// An error in a user format file, naming the file, the line and the key.
public struct FormatFileError: Error, CustomStringConvertible {
    /// A reason without its place, filled in by the loader.
    public struct Reason: Error {
        public var message: String
        public init(_ message: String) { self.message = message }
    }

    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public var description: String {
        "\(file)" + (line.map { ":\($0)" } ?? "") + ": " + (key.map { "\($0): " } ?? "") + message
    }
}
