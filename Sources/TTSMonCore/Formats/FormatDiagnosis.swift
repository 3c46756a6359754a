/// Whether a file was understood, judged on its first lines: an on-call engineer pointed at a
/// log ttsmon cannot read gets a warning naming the file and `ttsmon formats test`, never an
/// empty dashboard and no reason.
public struct FormatDiagnosis: Sendable, Equatable {
    /// Non-blank lines judged (at most `FormatDiagnosis.sampleLines`).
    public var lines = 0
    /// Lines read as records of the format, or as a traceback of one.
    public var understood = 0
    /// Completed requests among them.
    public var requests = 0

    /// How many non-blank lines a file is judged on.
    public static let sampleLines = 1000

    public init() {}

    /// Counts one non-blank line.
    @inline(__always)
    public mutating func count(understood isUnderstood: Bool, request: Bool) {
        guard lines < FormatDiagnosis.sampleLines else { return }
        lines += 1
        if isUnderstood { understood += 1 }
        if request { requests += 1 }
    }

    /// Whether enough was seen to judge: the sample is full (or the file ended, `complete`).
    public func judged(complete: Bool) -> Bool { lines >= FormatDiagnosis.sampleLines || (complete && lines > 0) }

    /// The warning for `file` read as `format`, when fewer than half of the judged lines were
    /// understood or a full sample yielded no request; nil when the file reads well.
    public func warning(file: String, format: String) -> String? {
        guard lines > 0 else { return nil }
        if understood * 2 < lines {
            return "\(file): only \(understood) of the first \(lines) lines were understood (read as \(format)); "
                + "`ttsmon formats test \(file)` shows why"
        }
        if lines >= FormatDiagnosis.sampleLines, requests == 0 {
            return "\(file): no request in the first \(lines) lines (read as \(format)): ttsmon may not know this service's events; "
                + "`ttsmon formats test \(file)` shows what each line yielded"
        }
        return nil
    }

    /// Judges the start of an opened log (for `report`).
    public static func of(_ log: OpenedLog) -> FormatDiagnosis {
        var diagnosis = FormatDiagnosis()
        let parser = LineParser(format: log.format)
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        var inError = false
        let reader = LineReader(source: CappedSource(log.source, limit: 4 << 20), chunkSize: 1 << 16)
        reader.forEachLine { line in
            guard diagnosis.lines < sampleLines, case .text(let bytes, _, _) = line else { return }
            if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
            let kind = parser.parse(bytes, into: &record)
            switch kind {
            case .record:
                // A timestamp alone is not understanding: the line must be in the format's layout.
                inError = record.level.mayCarryTraceback
                diagnosis.count(understood: parser.layoutMatched(record), request: record.event == .synthesisComplete)
            case .noTimestamp:
                diagnosis.count(understood: inError, request: false)
            case .joined:
                diagnosis.count(understood: true, request: false)
            case .malformed:
                inError = false
                diagnosis.count(understood: false, request: false)
            }
        }
        return diagnosis
    }
}

/// The first `limit` bytes of another source (a sample, never the whole file).
final class CappedSource: ByteSource {
    let base: ByteSource
    var left: Int
    init(_ base: ByteSource, limit: Int) { self.base = base; left = limit }
    var warning: String? { base.warning }
    var rawBytesRead: Int64 { base.rawBytesRead }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard left > 0 else { return 0 }
        let n = base.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, left)]))
        left -= n
        return n
    }
}
