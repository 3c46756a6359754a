/// Line counting of one followed source: whether an untimestamped line continues an ERROR or
/// CRITICAL record (a traceback) or is unparsed, as `ReportAccumulator` decides it.
struct LineContext: Sendable {
    var lines = LineCounts()
    /// The last line was an ERROR/CRITICAL record or a continuation of one.
    var inErrorContext = false
    /// The source's log clock, which records far in the future do not move.
    var clock = SourceClock()

    /// Counts one line (`level` matters only for records); returns how it was counted.
    @inline(__always)
    mutating func count(_ kind: LineKind, level: LogLevel) -> LineKindCount {
        lines.total += 1
        switch kind {
        case .joined:
            lines.continuation += 1
            return .continuation
        case .noTimestamp:
            if inErrorContext { lines.continuation += 1; return .continuation }
            lines.unparsed += 1
            return .unparsed
        case .malformed:
            lines.unparsed += 1
            inErrorContext = false
            return .unparsed
        case .record:
            lines.parsed += 1
            inErrorContext = level.mayCarryTraceback
            return .parsed
        }
    }

    /// Counts an overlong line (skipped unread).
    mutating func countOverlong() {
        lines.total += 1
        lines.unparsed += 1
        inErrorContext = false
    }
}

/// How a line was counted.
enum LineKindCount { case parsed, continuation, unparsed }

extension LineCounts {
    @inline(__always)
    mutating func add(_ kind: LineKindCount) {
        total += 1
        switch kind {
        case .parsed: parsed += 1
        case .continuation: continuation += 1
        case .unparsed: unparsed += 1
        }
    }
}
