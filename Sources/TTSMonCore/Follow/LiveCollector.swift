import Foundation

/// Follows several logs at once and folds their lines into live metrics: the collector under
/// `watch`, `export` and the dashboard. Time in the metrics is log time; the wall clock given to
/// `poll` is used only for freshness (seconds since each source last delivered data).
public final class LiveCollector {
    /// What one followed source looks like now.
    public struct SourceStatus: Sendable, Equatable {
        public var path: String
        public var format: String?
        public var bytes: Int64
        /// Wall-clock seconds since the source last delivered data (nil: nothing yet).
        public var lagSeconds: Double?
        public var rotations: Int
        public var error: String?
        /// Records dated far ahead of the source's clock, left out of the figures.
        public var outOfOrder: Int
        /// Bytes of history already there and not read yet (the figures are not current while
        /// there are many).
        public var unreadBytes: Int64
        /// Why the source's first lines were not understood, once judged (nil: they were).
        public var formatWarning: String?

        /// How much of the history there was has been read (percent), while over 1 MB of it is
        /// still unread; nil once caught up.
        public var catchingUpPercent: Int? {
            guard unreadBytes > 1 << 20 else { return nil }
            return Int(Double(bytes) * 100 / Double(bytes + unreadBytes))
        }
    }

    public let sources: [FollowedSource]
    public private(set) var metrics: LiveMetrics
    /// One more `LiveMetrics` per source, when `trackPerSource` is set (the dashboard's split
    /// view); nil otherwise, so other commands pay nothing for it.
    public private(set) var perSource: [LiveMetrics]?
    /// Records older than this are skipped (`--since`).
    public let cutoff: LogTimestamp?
    /// Each source's parser once its format is known.
    var parsers: [SourceParser?]
    var sniffed: [[[UInt8]]]
    var lastData: [Date?]
    var scratch = LogRecord(time: LogTimestamp(milliseconds: 0))
    /// How many recent raw lines to keep (sanitised) for a live log view; 0 keeps none.
    public var keepRecentLines = 0
    /// Kept raw lines with the index of their source; a slot's buffer is reused when the ring
    /// wraps, so following a busy log allocates nothing per line.
    var recent: [(source: Int, bytes: [UInt8])] = []
    var recentStart = 0
    static let sniffLines = 20
    /// Each source's first lines, judged once (see `FormatDiagnosis`).
    var diagnoses: [FormatDiagnosis]
    var diagnosed: [Bool]
    /// Notes of the collector's own (a file not understood), drained with the sources'.
    var ownNotes: [String] = []
    var formatWarnings: [String?]
    let userFormats: [LogFormat]
    /// Where each source's reading began, for plain files read from a recent stretch on.
    var readFrom: [Int: Int64] = [:]
    /// Seconds of log time before the newest record that the figures hold (nil: the whole files).
    public internal(set) var historySeconds: Double?
    /// Older history being read in the background (`extendHistory`).
    var historyLoad: HistoryLoad?
    /// Logs quiet by design (a router that logs only its switches): never stale, so LogStale
    /// and the header judge only the others.
    public var quietPaths: Set<String> = []
    /// `-R`: long windows also read the followed files' rotated siblings (`NAME.N`, `.N.gz`).
    public var readsRotatedSiblings = false
    /// Siblings already read into the figures (each is read once, whole), and the longest
    /// history they were looked for (not looked for again every tick).
    var siblingsRead: Set<String> = []
    var siblingsSeconds: Double = 0

    /// Follows `paths` (`-` is standard input). `since` (seconds) limits the history read at
    /// start to that much before the newest record of the files (records older are skipped);
    /// `history` (seconds) starts reading each plain file where that much log time before the
    /// newest record begins, found by `TimeSeek` (the dashboard: its longest window, not days of
    /// history). `startAtEnd` skips history entirely. `formats`: the user's formats, tried
    /// before the built-in ones.
    public init(paths: [String], startAtEnd: Bool = false, since: Int? = nil, history: Double? = nil,
                configuration: LiveMetrics.Configuration = .init(), formats: [LogFormat] = []) {
        userFormats = formats
        let seekSeconds = startAtEnd ? nil : [history, since.map(Double.init)].compactMap { $0 }.max()
        let starts = seekSeconds.map { LiveCollector.recentStarts(of: paths, seconds: $0, formats: formats) } ?? [:]
        sources = paths.map { path in
            if let start = starts[path] { return FileFollower(path: path, startOffset: start) }
            return LiveCollector.follower(for: path, startAtEnd: startAtEnd)
        }
        for (i, path) in paths.enumerated() { if let start = starts[path] { readFrom[i] = start } }
        historySeconds = starts.isEmpty ? nil : seekSeconds
        metrics = LiveMetrics(configuration: configuration)
        parsers = Array(repeating: nil, count: paths.count)
        sniffed = Array(repeating: [], count: paths.count)
        lastData = Array(repeating: nil, count: paths.count)
        diagnoses = Array(repeating: FormatDiagnosis(), count: paths.count)
        diagnosed = Array(repeating: false, count: paths.count)
        formatWarnings = Array(repeating: nil, count: paths.count)
        if let since, !startAtEnd {
            let last = paths.compactMap { LiveCollector.lastTimestamp(ofTailOf: $0) }.max()
            cutoff = last.map { $0.adding(milliseconds: -Int64(since) * 1000) }
        } else {
            cutoff = nil
        }
    }

    /// What follows `path`: standard input for `-`, a pipe follower for a FIFO, one reading of a
    /// compressed (rotated) file, else a `tail -F` follower.
    static func follower(for path: String, startAtEnd: Bool) -> FollowedSource {
        if path == "-" { return StandardInputFollower() }
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFIFO { return PipeFollower(path: path) }
            if (st.st_mode & S_IFMT) == S_IFREG, Compression.ofFile(path) != nil {
                // History only: skipped with the rest of the history by --from-end.
                let whole = WholeFileFollower(path: path)
                whole.finished = startAtEnd
                return whole
            }
        }
        return FileFollower(path: path, startAtEnd: startAtEnd)
    }

    /// Keeps figures per source as well as merged, from now on (set it before the first poll
    /// to have the whole history split too).
    public var trackPerSource: Bool {
        get { perSource != nil }
        set {
            guard newValue != (perSource != nil) else { return }
            guard newValue else { perSource = nil; return }
            // The merged figures' limits; no alerts and no request index (only snapshots are read).
            var configuration = metrics.configuration
            configuration.recentRequests = 0
            configuration.rules = []
            configuration.observer = nil
            perSource = sources.indices.map { i in
                var m = LiveMetrics(configuration: configuration)
                if let format = parsers[i]?.parser.format { m.setFormat(format, source: 0) }
                return m
            }
        }
    }

    /// Each source's figures over `window` (empty unless `trackPerSource`).
    public func sourceSnapshots(window: LiveWindow) -> [(path: String, format: String?, snapshot: LiveSnapshot)] {
        guard let perSource else { return [] }
        return sources.indices.map { (sources[$0].displayName, parsers[$0]?.parser.format.name, perSource[$0].snapshot(window: window)) }
    }

    /// Expands shell globs (`/var/log/tts/*.log`); a pattern that matches nothing is kept as a
    /// path to wait for.
    public static func expand(_ patterns: [String]) -> [String] {
        var out: [String] = []
        for pattern in patterns {
            guard pattern != "-", pattern.contains(where: { "*?[".contains($0) }) else { out.append(pattern); continue }
            var g = glob_t()
            defer { globfree(&g) }
            if glob(pattern, 0, nil, &g) == 0, g.gl_pathc > 0 {
                for i in 0..<Int(g.gl_pathc) { if let p = g.gl_pathv[i] { out.append(String(cString: p)) } }
            } else {
                out.append(pattern)
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// Reads whatever every source has; returns true when anything arrived.
    @discardableResult
    public func poll(wallNow: Date = Date(), budgetBytes: Int? = nil) -> Bool {
        var any = false
        if let load = historyLoad, let older = load.result {
            // The older history is in: its slots join the figures (each line was read once).
            metrics.mergeOlderHistory(older)
            if let olderSplit = load.resultPerSource, perSource != nil {
                for (i, o) in olderSplit.enumerated() where i < perSource!.count { perSource![i].mergeOlderHistory(o) }
            }
            for (i, start) in load.starts { readFrom[i] = start }
            historySeconds = load.seconds
            historyLoad = nil
            any = true
        }
        let wall = LogTimestamp(localTime: wallNow)
        metrics.wallClock = wall
        if perSource != nil { for i in perSource!.indices { perSource![i].wallClock = wall } }
        for i in sources.indices {
            let rotationsBefore = sources[i].rotations
            // The parser is taken once per poll: a line's parse borrows it from here, where a
            // parser read from `parsers` per line was copied (each table retained and released).
            let budget = budgetBytes.map { $0 / max(1, sources.count) }
            let got = if let parser = parsers[i]?.parser {
                sources[i].poll(budget: budget) { line in self.feed(line, source: i, parser: parser) }
            } else {
                sources[i].poll(budget: budget) { line in self.take(line, source: i) }
            }
            // A new file starts a new context: no traceback carries over a rotation.
            if sources[i].rotations != rotationsBefore {
                metrics.resetContext(source: i)
                perSource?[i].resetContext(source: 0)
            }
            if got { lastData[i] = wallNow; any = true }
            // A source still sniffing its format decides on what it has once it pauses.
            if !got, parsers[i] == nil, !sniffed[i].isEmpty { decideFormat(i) }
            if !diagnosed[i], diagnoses[i].judged(complete: !got) { judge(i) }
        }
        return any
    }

    /// Whether a source still has history already there to read (the figures are not yet the
    /// present's).
    public var catchingUp: Bool { sources.contains { $0.unreadBytes > 0 } }

    /// Evaluates the probe-clock alert rules (see `LiveMetrics.evaluateProbeAlerts`).
    /// The followed logs' staleness (`LogStale`) comes from the sources themselves.
    public func evaluateProbeAlerts(at time: LogTimestamp, activeTargetUp: Bool?, diskFreePercent: Double?,
                                    resources: ResourceAlertInputs = ResourceAlertInputs()) {
        metrics.evaluateProbeAlerts(at: time, activeTargetUp: activeTargetUp, diskFreePercent: diskFreePercent,
                                    logStaleSeconds: staleSeconds(wallNow: Date()), resources: resources)
    }

    /// Seconds since the most stale source last delivered a line (nil before any did).
    public func staleSeconds(wallNow: Date) -> Double? {
        sourceStatus(wallNow: wallNow).compactMap(\.lagSeconds).max()
    }

    /// Alert transitions since the last call.
    public func drainAlertTransitions() -> [AlertTransition] { metrics.drainAlertTransitions() }

    /// Warns once when source `i`'s first lines were not understood.
    func judge(_ i: Int) {
        diagnosed[i] = true
        if let warning = diagnoses[i].warning(file: sources[i].displayName, format: parsers[i]?.parser.format.name ?? "?") {
            ownNotes.append("warning: " + warning)
            formatWarnings[i] = warning
        }
    }

    /// Notes from the sources (waiting, unreadable, truncated) and the collector (a file not
    /// understood) since the last call.
    public func drainNotes() -> [String] {
        var out: [String] = ownNotes
        ownNotes.removeAll()
        for source in sources where !source.notes.isEmpty {
            out += source.notes
            source.notes.removeAll()
        }
        return out
    }

    /// When source `i` last got a line: the file's last write (so a log that stopped hours ago
    /// is stale from the start, though its history was just read), else the last poll with data.
    func lastNewLine(_ i: Int) -> Date? {
        guard let written = sources[i].lastWritten else { return lastData[i] }
        guard let read = lastData[i] else { return written }
        return min(written, read)
    }

    /// The sources' state for `sources` in snapshots.
    public func sourceStatus(wallNow: Date = Date()) -> [SourceStatus] {
        sources.indices.map { i in
            SourceStatus(path: sources[i].displayName, format: parsers[i]?.parser.format.name, bytes: sources[i].bytesRead,
                         lagSeconds: sources[i].isHistory || quietPaths.contains(sources[i].displayName)
                            ? nil : lastNewLine(i).map { max(0, wallNow.timeIntervalSince($0)) },
                         rotations: sources[i].rotations, error: sources[i].problem,
                         outOfOrder: metrics.lines(source: i).outOfOrder, unreadBytes: sources[i].unreadBytes,
                         formatWarning: formatWarnings[i])
        }
    }

    /// A snapshot as `watch` prints it: the metrics' JSON with `sources` before `lines`.
    public func snapshotJSON(window: LiveWindow, wallNow: Date = Date()) -> JSONValue {
        let snapshot = metrics.snapshot(window: window)
        guard case .object(var members) = snapshot.json else { return snapshot.json }
        let sources = JSONValue.array(sourceStatus(wallNow: wallNow).map { s in
            .object([("path", .string(Sanitizer.clean(s.path))), ("format", .string(s.format)), ("bytes", .int(Int(s.bytes))),
                     ("lag_s", .double(s.lagSeconds, places: 1)), ("rotations", .int(s.rotations)),
                     ("out_of_order", .int(s.outOfOrder)), ("format_warning", .string(s.formatWarning.map(Sanitizer.clean))),
                     ("error", .string(s.error.map(Sanitizer.clean)))])
        })
        let at = members.firstIndex { $0.0 == "lines" } ?? members.count
        members.insert(("sources", sources), at: at)
        return .object(members)
    }

    // MARK: - Lines

    func take(_ line: LineReader.Line, source i: Int) {
        if parsers[i] == nil {
            switch line {
            case .text(let bytes, let offset, _):
                sniffed[i].append(Array(bytes) + withUnsafeBytes(of: offset.littleEndian) { Array($0) })
            case .overlong:
                metrics.addOverlongLine(source: i)
                perSource?[i].addOverlongLine(source: 0)
                return
            }
            if sniffed[i].count >= LiveCollector.sniffLines { decideFormat(i) }
            return
        }
        feed(line, source: i)
    }

    func decideFormat(_ i: Int) {
        let lines = sniffed[i].map { Array($0.dropLast(8)) }
        let format = LogFormat.detect(firstLines: lines, user: userFormats)
        parsers[i] = SourceParser(LineParser(format: format, captureText: true))
        metrics.setFormat(format, source: i)
        perSource?[i].setFormat(format, source: 0)
        let held = sniffed[i]
        sniffed[i] = []
        for entry in held {
            let offset = entry.suffix(8).withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
            Array(entry.dropLast(8)).withUnsafeBufferPointer { feed(.text($0, offset: offset, checked: false), source: i) }
        }
    }

    func feed(_ line: LineReader.Line, source i: Int) {
        guard let source = parsers[i] else { return }
        feed(line, source: i, parser: source.parser)
    }

    /// Counts and folds one line of source `i`, read with its parser.
    func feed(_ line: LineReader.Line, source i: Int, parser: borrowing LineParser) {
        switch line {
        case .overlong:
            metrics.addOverlongLine(source: i)
            perSource?[i].addOverlongLine(source: 0)
        case .text(let bytes, let offset, _):
            if keepRecentLines > 0 { remember(bytes, source: i) }
            // Lines without a time of their own are stamped on arrival.
            parser.clock.arrival = metrics.wallClock
            let kind = parser.parse(bytes, into: &scratch)
            if let cutoff, case .record = kind, scratch.time < cutoff { return }
            let understood = metrics.add(kind, scratch, source: i, file: sources[i].displayName, offset: offset)
                && (kind != .record || parser.layoutMatched(scratch))
            if !diagnosed[i], !bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
                diagnoses[i].count(understood: understood, request: kind == .record && scratch.event == .synthesisComplete)
            }
            perSource?[i].add(kind, scratch, source: 0, file: sources[i].displayName, offset: offset)
        }
    }

    func remember(_ bytes: ByteSpan, source: Int) {
        // Sanitised only when shown.
        if recent.count < keepRecentLines { recent.append((source, Array(bytes))); return }
        recent[recentStart].source = source
        recent[recentStart].bytes.replaceSubrange(recent[recentStart].bytes.indices, with: bytes)
        recentStart = (recentStart + 1) % keepRecentLines
    }

    /// The most recent raw lines (sanitised), oldest first, with the file each came from.
    public func recentLines(limit: Int) -> [(file: String, text: String)] {
        let ordered = Array(recent[recentStart...] + recent[..<recentStart])
        return ordered.suffix(limit).map { line in
            (sources[line.source].displayName, line.bytes.withUnsafeBufferPointer { Sanitizer.clean(bytes: $0) })
        }
    }

    /// The last timestamp in the final 64 KiB of a plain file (for `--since`).
    static func lastTimestamp(ofTailOf path: String) -> LogTimestamp? {
        guard path != "-", let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 65_536 ? size - 65_536 : 0)
        guard let data = try? handle.readToEnd() else { return nil }
        var latest: LogTimestamp?
        let parsers = LogFormat.all.map { LineParser(format: $0) }
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        for line in data.split(separator: 10) {
            for parser in parsers {
                let kind = Array(line).withUnsafeBufferPointer { parser.parse($0, into: &record) }
                if case .record = kind { latest = max(latest ?? record.time, record.time); break }
            }
        }
        return latest
    }
}

/// A source's parser once its format is known (see `LiveCollector.parsers`).
final class SourceParser {
    let parser: LineParser
    init(_ parser: LineParser) { self.parser = parser }
}
