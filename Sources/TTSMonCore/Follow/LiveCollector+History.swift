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

    /// While older history is read in the background: how much of it is in (percent).
    public var historyPercent: Int? { historyLoad.map { $0.percent } }

    /// Reads the files' history back to `seconds` before the newest record, in the background,
    /// when the figures hold less (a window of hours after a start on the recent stretch); its
    /// figures are merged by a later `poll`. Files that rotated since are not read again.
    public func extendHistory(to seconds: Double) {
        guard historyLoad == nil, let held = historySeconds, seconds > held, let newest = metrics.latest else { return }
        let target = newest.adding(milliseconds: -Int64(seconds * 1000))
        var ranges: [HistoryLoad.Range] = []
        for (i, start) in readFrom where start > 0 && sources[i].rotations == 0 {
            guard let parser = parsers[i] else { continue }
            let fd = open(sources[i].displayName, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            let from = TimeSeek.offset(of: target, in: fd, size: start, parser: LineParser(format: parser.format))
            if from < start { ranges.append(HistoryLoad.Range(source: i, fd: fd, from: from, to: start, format: parser.format)) } else { close(fd) }
        }
        guard !ranges.isEmpty else { historySeconds = seconds; return }
        var configuration = metrics.configuration
        configuration.recentRequests = 0
        configuration.rules = []
        configuration.observer = nil
        historyLoad = HistoryLoad(ranges: ranges, seconds: seconds, configuration: configuration)
    }
}

/// Older history read on a thread of its own into figures of its own, handed over when done.
final class HistoryLoad: @unchecked Sendable {
    struct Range: Sendable {
        var source: Int
        var fd: Int32
        var from: Int64, to: Int64
        var format: LogFormat
    }

    let seconds: Double
    let starts: [(Int, Int64)]
    private let lock = NSLock()
    private var done: Int64 = 0
    private let total: Int64
    private var finished: LiveMetrics?

    init(ranges: [Range], seconds: Double, configuration: LiveMetrics.Configuration) {
        self.seconds = seconds
        starts = ranges.map { ($0.source, $0.from) }
        total = max(1, ranges.reduce(0) { $0 + $1.to - $1.from })
        let thread = Thread { [self] in
            var metrics = LiveMetrics(configuration: configuration)
            var record = LogRecord(time: LogTimestamp(milliseconds: 0))
            for range in ranges {
                defer { close(range.fd) }
                let parser = LineParser(format: range.format)
                metrics.setFormat(range.format, source: range.source)
                let source = FileDescriptorSource(fd: range.fd, range: range.from..<range.to)
                var reported: Int64 = 0
                LineReader(source: source).forEachLine { line in
                    guard case .text(let bytes, let offset, _) = line else { return }
                    metrics.add(parser.parse(bytes, into: &record), record, source: range.source, file: "", offset: offset)
                    if source.rawBytesRead - reported >= 1 << 22 {
                        self.lock.withLock { self.done += source.rawBytesRead - reported }
                        reported = source.rawBytesRead
                    }
                }
                lock.withLock { done += source.rawBytesRead - reported }
            }
            lock.withLock { finished = metrics }
        }
        thread.qualityOfService = .utility
        thread.start()
    }

    var percent: Int { lock.withLock { Int(min(99, done * 100 / total)) } }
    var result: LiveMetrics? { lock.withLock { finished } }
}
