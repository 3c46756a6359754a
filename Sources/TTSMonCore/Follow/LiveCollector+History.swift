import Foundation

/// How much history the collector reads: a file's recent stretch first (found by log time from
/// its end), the hours before it in the background when a long window asks.
extension LiveCollector {
    /// Where each plain file's last `seconds` of log time (before the newest record of them all)
    /// begins; files without dated records, or whose history is all that recent, are absent
    /// (read whole).
    static func recentStarts(of paths: [String], seconds: Double, formats: [LogFormat]) -> [String: Int64] {
        struct Candidate { var path: String; var fd: Int32; var size: Int64; var parser: LineParser; var last: LogTimestamp }
        var candidates: [Candidate] = []
        for path in paths where path != "-" {
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 1 << 20,
                  Compression.ofFile(path) == nil,
                  let format = try? LogOpener.open(LogInput(path: path, formats: formats)).format else { continue }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            let parser = LineParser(format: format)
            guard let last = TimeSeek.lastTime(in: fd, size: Int64(st.st_size), parser: parser) else { close(fd); continue }
            candidates.append(Candidate(path: path, fd: fd, size: Int64(st.st_size), parser: parser, last: last))
        }
        defer { for c in candidates { close(c.fd) } }
        guard let newest = candidates.map(\.last).max() else { return [:] }
        let target = newest.adding(milliseconds: -Int64(seconds * 1000))
        var starts: [String: Int64] = [:]
        for c in candidates {
            let offset = TimeSeek.offset(of: target, in: c.fd, size: c.size, parser: c.parser)
            if offset > 0 { starts[c.path] = offset }
        }
        return starts
    }

    /// Source `i`'s rotated siblings not yet read, newest first, down to the first whose first
    /// record is older than `target` (it holds the window's start; older ones are all before it).
    func siblingsToRead(of i: Int, back target: LogTimestamp) -> [LogInput] {
        var out: [LogInput] = []
        for sibling in LogInput(path: sources[i].displayName, formats: userFormats).rotatedSiblings() {
            guard !siblingsRead.contains(sibling.path) else { continue }
            siblingsRead.insert(sibling.path)
            out.append(sibling)
            if let first = LiveCollector.firstTimestamp(of: sibling), first < target { break }
        }
        return out
    }

    /// The time of a file's first dated record (reading at most its first 1,000 lines).
    static func firstTimestamp(of input: LogInput) -> LogTimestamp? {
        guard let log = try? LogOpener.open(input) else { return nil }
        let parser = LineParser(format: log.format)
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        var found: LogTimestamp?
        var lines = 0
        // The first 256 KB at most (a sibling may be a large .gz).
        LineReader(source: CappedSource(log.source, limit: 256 << 10), chunkSize: 1 << 16).forEachLine { line in
            lines += 1
            guard found == nil, lines <= 1000, case .text(let bytes, _, _) = line,
                  case .record = parser.parse(bytes, into: &record), !record.untimed else { return }
            found = record.time
        }
        return found
    }

    /// While older history is read in the background: how much of it is in (percent).
    public var historyPercent: Int? { historyLoad.map { $0.percent } }

    /// Reads the files' history back to `seconds` before the newest record, in the background,
    /// when the figures hold less (a window of hours after a start on the recent stretch); its
    /// figures are merged by a later `poll`. Files that rotated since are not read again. With
    /// `readsRotatedSiblings`, a file whose own history does not reach that far back also has
    /// its rotated siblings read, newest first, down to the one that holds the window's start.
    public func extendHistory(to seconds: Double) {
        guard historyLoad == nil, let newest = metrics.latest else { return }
        let ownShort = historySeconds.map { seconds > $0 } ?? false
        let lookForSiblings = readsRotatedSiblings && seconds > siblingsSeconds
        guard ownShort || lookForSiblings else { return }
        if lookForSiblings { siblingsSeconds = seconds }
        let target = newest.adding(milliseconds: -Int64(seconds * 1000))
        var ranges: [HistoryLoad.Range] = []
        for i in sources.indices where sources[i].rotations == 0 {
            guard let parser = parsers[i]?.parser else { continue }
            var reachesBack = true   // the file's own history goes back past `target`
            var own: HistoryLoad.Range?
            if ownShort, let start = readFrom[i], start > 0 {
                let fd = open(sources[i].displayName, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { continue }
                let from = TimeSeek.offset(of: target, in: fd, size: start, parser: LineParser(format: parser.format))
                if from < start { own = HistoryLoad.Range(source: i, part: .bytes(fd: fd, from: from, to: start), format: parser.format) } else { close(fd) }
                reachesBack = from > 0
            } else if let start = readFrom[i], start > 0 {
                reachesBack = true   // the recent stretch already holds the window
            } else {
                reachesBack = false  // read whole: anything older is in its siblings
            }
            // Oldest first, so each request's lines are folded in order.
            let siblings = lookForSiblings && !reachesBack ? siblingsToRead(of: i, back: target) : []
            ranges += siblings.reversed().compactMap { sibling in
                HistoryLoad.identity(of: sibling.path).map { HistoryLoad.Range(source: i, part: .whole(sibling, $0), format: parser.format) }
            }
            if let own { ranges.append(own) }
        }
        guard !ranges.isEmpty else { historySeconds = seconds; return }
        var configuration = metrics.configuration
        configuration.recentRequests = 0
        configuration.rules = []
        configuration.observer = nil
        historyLoad = HistoryLoad(ranges: ranges, seconds: seconds, configuration: configuration,
                                  perSource: perSource != nil ? sources.count : nil)
    }
}

/// Older history read on a thread of its own into figures of its own, handed over when done.
final class HistoryLoad: @unchecked Sendable {
    struct Range: Sendable {
        /// Bytes of a followed file before where its reading began, or a rotated sibling whole.
        /// A sibling is read only if it is still the file it was when chosen (a rotation in
        /// between would make it one already counted).
        enum Part: Sendable { case bytes(fd: Int32, from: Int64, to: Int64), whole(LogInput, FileIdentity) }
        var source: Int
        var part: Part
        var format: LogFormat
        /// Bytes to read (on disk, compressed for gzip), for the percentage.
        var size: Int64 {
            switch part {
            case .bytes(_, let from, let to): return to - from
            case .whole(let input, _):
                var st = stat()
                return stat(input.path, &st) == 0 ? Int64(st.st_size) : 0
            }
        }
    }

    let seconds: Double
    let starts: [(Int, Int64)]
    private let lock = NSLock()
    private var done: Int64 = 0
    private let total: Int64
    private var finished: LiveMetrics?
    /// Each source's own older figures, for the split view (when it keeps them).
    private var finishedPerSource: [LiveMetrics]?

    /// `perSource`: the number of sources, when each one's figures are kept apart too.
    init(ranges: [Range], seconds: Double, configuration: LiveMetrics.Configuration, perSource: Int? = nil) {
        self.seconds = seconds
        starts = ranges.compactMap { range in
            if case .bytes(_, let from, _) = range.part { return (range.source, from) }
            return nil
        }
        total = max(1, ranges.reduce(0) { $0 + $1.size })
        let thread = Thread { [self] in
            var metrics = LiveMetrics(configuration: configuration)
            var split = perSource.map { n in (0..<n).map { _ in LiveMetrics(configuration: configuration) } }
            var record = LogRecord(time: LogTimestamp(milliseconds: 0))
            for range in ranges {
                let source: ByteSource
                var format = range.format
                switch range.part {
                case .bytes(let fd, let from, let to):
                    source = FileDescriptorSource(fd: fd, range: from..<to)
                case .whole(let input, let identity):
                    // A sibling in its own format (rotation may have changed the layout).
                    guard HistoryLoad.identity(of: input.path) == identity, let log = try? LogOpener.open(input) else { continue }
                    source = log.source
                    format = log.format
                }
                defer { if case .bytes(let fd, _, _) = range.part { close(fd) } }
                let parser = LineParser(format: format)
                metrics.setFormat(format, source: range.source)
                split?[range.source].setFormat(format, source: 0)
                var reported: Int64 = 0
                LineReader(source: source).forEachLine { line in
                    guard case .text(let bytes, let offset, _) = line else { return }
                    let kind = parser.parse(bytes, into: &record)
                    metrics.add(kind, record, source: range.source, file: "", offset: offset)
                    split?[range.source].add(kind, record, source: 0, file: "", offset: offset)
                    if source.rawBytesRead - reported >= 1 << 22 {
                        self.lock.withLock { self.done += source.rawBytesRead - reported }
                        reported = source.rawBytesRead
                    }
                }
                lock.withLock { done += source.rawBytesRead - reported }
            }
            lock.withLock { finished = metrics; finishedPerSource = split }
        }
        thread.qualityOfService = .utility
        thread.start()
    }

    static func identity(of path: String) -> FileIdentity? {
        var st = stat()
        return stat(path, &st) == 0 ? FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)) : nil
    }

    var percent: Int { lock.withLock { Int(min(99, done * 100 / total)) } }
    var result: LiveMetrics? { lock.withLock { finished } }
    var resultPerSource: [LiveMetrics]? { lock.withLock { finishedPerSource } }
}
