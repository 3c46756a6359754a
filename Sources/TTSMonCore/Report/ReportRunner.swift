import CTextScan
import Foundation

/// What `report` reads, and how.
public struct ReportOptions: Sendable {
    public var inputs: [LogInput]
    public var from: TimeBound?
    public var to: TimeBound?
    /// Threads to use (ranges of large plain files and whole compressed files run in parallel).
    public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Plain files larger than this are split into ranges read in parallel.
    public var splitThreshold: Int64 = 32 << 20
    /// The smallest range a split file is cut into.
    public var rangeSize: Int64 = 4 << 20
    public var progress: ProgressCounter?
    /// Alert rules whose firing intervals the report lists.
    public var rules = AlertRule.builtIn

    public init(inputs: [LogInput]) { self.inputs = inputs }
}

/// Per-file facts for the report.
public struct ReportFile: Sendable {
    public var path: String
    public var format: String
    public var lines: Int
    public var compressed: Bool
}

/// The raw result of reading: the merged accumulator and what was read.
public struct ReportOutcome: Sendable {
    public var accumulator: ReportAccumulator
    public var files: [ReportFile]
    public var warnings: [String]
    public var range: TimeRange
    /// The rules the accumulator's alert series was built for.
    public var rules: [AlertRule]
    /// The rules already evaluated over the series' older seconds, which were then dropped
    /// (inputs in time order are evaluated as they are folded, so a week of log time never
    /// holds a week of per-second data); nil when the whole series is still there.
    public var alertEngine: AlertEngine?
}

/// Reads every input (in parallel where it can) and folds it into one accumulator.
public enum ReportRunner {
    struct Segment: Sendable {
        var fileIndex: Int
        var byteRange: Range<Int64>?   // nil: the whole input through its own source
        var startsFile: Bool
    }

    struct SegmentResult: Sendable {
        var accumulator: ReportAccumulator
        var warning: String?
    }

    /// Opens, reads and merges all inputs. Throws `InputError` for a missing or unreadable input.
    public static func run(_ options: ReportOptions) throws -> ReportOutcome {
        let inputs = LogInput.chronological(options.inputs)
        // Open everything first so a bad path fails before any work.
        var opened: [OpenedLog] = []
        for input in inputs { opened.append(try LogOpener.open(input)) }
        var range = TimeRange()
        if (options.from?.needsLastRecord ?? false) || (options.to?.needsLastRecord ?? false) {
            guard !inputs.contains(where: \.isStandardInput) else {
                throw InputError("relative --from/--to need files, not standard input")
            }
            let last = try lastTimestamp(of: inputs)
            range = TimeRange(from: options.from?.resolve(lastRecord: last), to: options.to?.resolve(lastRecord: last))
            opened = try inputs.map { try LogOpener.open($0) }
        } else {
            range = TimeRange(from: options.from?.resolve(lastRecord: nil), to: options.to?.resolve(lastRecord: nil))
        }
        let segments = plan(opened, options: options)
        let timeRange = range
        let sendableOpened = UncheckedBox(opened)
        // Segments are folded in log order as they finish, while later ones are still read.
        let merged = MergeState(total: ReportAccumulator(range: range, rules: options.rules), files: opened.count)
        // One file, or one rotated set oldest first: segments arrive in time order, so each
        // second can be evaluated once no later segment can add to it, and then forgotten.
        if Set(inputs.map(\.rotation.base)).count == 1, !inputs.contains(where: \.isStandardInput) {
            merged.engine = AlertEngine(rules: options.rules)
        }
        ParallelWork<SegmentResult>.run(count: segments.count, threads: options.threads, { i in
            readSegment(segments[i], logs: sendableOpened.value, range: timeRange, rules: options.rules, progress: options.progress)
        }, consume: { i, result in
            let segment = segments[i]
            merged.fileLines[segment.fileIndex] += result.accumulator.lines.total
            if let w = result.warning { merged.warnings.append("\(sendableOpened.value[segment.fileIndex].input.displayName): \(w)") }
            merged.total.append(result.accumulator)
            if merged.engine != nil, let last = merged.total.last {
                merged.engine!.evaluateLog(&merged.total.alertSeries, through: last.second - ReportRunner.settleSeconds)
            }
            // A whole file merged (a day of .gz) frees megabytes; glibc keeps them in its arenas
            // unless asked, and the peak would grow with every file. (Ranges of a large file
            // are a few MB each: not worth a trim per range on report's hot path.)
            if segment.byteRange == nil { ttsmon_release_free_memory() }
        })
        var total = merged.total
        let fileLines = merged.fileLines
        var warnings = merged.warnings
        // Say so when a file was not understood (its first lines, read again: cheap).
        for log in opened where !log.input.isStandardInput {
            guard let again = try? LogOpener.open(log.input, format: log.format) else { continue }
            if let warning = FormatDiagnosis.of(again).warning(file: log.input.displayName, format: log.format.name) {
                warnings.append(warning)
            }
        }
        total.finish()
        let files = opened.enumerated().map { i, log in
            ReportFile(path: log.input.displayName, format: log.format.name, lines: fileLines[i], compressed: log.compressed)
        }
        return ReportOutcome(accumulator: total, files: files, warnings: warnings, range: range, rules: options.rules,
                             alertEngine: merged.engine)
    }

    /// Seconds of log time behind the newest record that a later range may still add to (a
    /// server's threads write their lines slightly out of order): evaluated only after.
    static let settleSeconds: Int64 = 120

    /// Splits large plain files into two or more line-aligned byte ranges.
    static func plan(_ logs: [OpenedLog], options: ReportOptions) -> [Segment] {
        var segments: [Segment] = []
        for (i, log) in logs.enumerated() {
            // Formats joined by order, or split into parts by a container, are read in one pass.
            guard !log.compressed, log.format.splitsAnywhere, let size = log.fileSize, size > options.splitThreshold, options.threads > 1,
                  let fd = log.plainFileDescriptor else {
                segments.append(Segment(fileIndex: i, byteRange: nil, startsFile: true))
                continue
            }
            // Many ranges of a few MB per thread: a thread slowed by a busy neighbour hands the
            // rest to the others, and the last range, which one thread reads while the others
            // are done, stays short (folding a range costs well under a millisecond).
            let parts = Int64(min(options.threads * 32, Int(size / options.rangeSize) + 1))
            var bounds: [Int64] = [0]
            for k in 1..<parts {
                if let b = lineStart(after: size * k / parts, fd: fd, size: size), b > bounds.last! { bounds.append(b) }
            }
            bounds.append(size)
            for k in 0..<(bounds.count - 1) {
                segments.append(Segment(fileIndex: i, byteRange: bounds[k]..<bounds[k + 1], startsFile: k == 0))
            }
        }
        return segments
    }

    /// Offset just after the first newline at or after `offset`.
    static func lineStart(after offset: Int64, fd: Int32, size: Int64) -> Int64? {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var at = offset
        while at < size {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(at)) }
            guard n > 0 else { return nil }
            if let i = buffer[0..<n].firstIndex(of: 10) { return at + Int64(i) + 1 }
            at += Int64(n)
        }
        return nil
    }

    static func readSegment(_ segment: Segment, logs: [OpenedLog], range: TimeRange, rules: [AlertRule], progress: ProgressCounter?) -> SegmentResult {
        let log = logs[segment.fileIndex]
        let parser = LineParser(format: log.format, keepIDs: false)
        var acc = ReportAccumulator(range: range, rules: rules)
        acc.statusCodes = log.format.codesAreHTTPStatus
        if segment.startsFile { acc.beginFile() }
        let source: ByteSource
        if let byteRange = segment.byteRange, let fd = log.plainFileDescriptor {
            source = FileDescriptorSource(fd: fd, range: byteRange)
        } else {
            source = log.source
        }
        var reported: Int64 = 0
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        LineReader(source: source, checksText: true).forEachLine { line in
            switch line {
            case .text(let bytes, _, let checked):
                let kind = parser.parse(bytes, into: &record, checked: checked)
                acc.add(kind, &record)
            case .overlong: acc.addOverlongLine()
            }
            if let progress, source.rawBytesRead - reported >= 1 << 22 {
                progress.add(source.rawBytesRead - reported); reported = source.rawBytesRead
            }
        }
        progress?.add(source.rawBytesRead - reported)
        return SegmentResult(accumulator: acc, warning: source.warning)
    }

    /// The latest timestamp in the inputs (for relative bounds).
    static func lastTimestamp(of inputs: [LogInput]) throws -> LogTimestamp? {
        var latest: LogTimestamp?
        for input in inputs {
            let log = try LogOpener.open(input)
            let parser = LineParser(format: log.format)
            var r = LogRecord(time: LogTimestamp(milliseconds: 0))
            log.lines().forEachLine { line in
                guard case .text(let bytes, _, _) = line, case .record = parser.parse(bytes, into: &r) else { return }
                if latest == nil || r.time > latest! { latest = r.time }
            }
        }
        return latest
    }
}

/// What the segments fold into; touched only by `ParallelWork`'s consumer, one thread at a time.
final class MergeState: @unchecked Sendable {
    var total: ReportAccumulator
    var fileLines: [Int]
    var warnings: [String] = []
    /// Alert rules evaluated as time-ordered segments arrive (nil: at the end, over all).
    var engine: AlertEngine?

    init(total: ReportAccumulator, files: Int) {
        self.total = total
        fileLines = [Int](repeating: 0, count: files)
    }
}

/// Carries a non-Sendable value into worker threads that each use a disjoint part of it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
