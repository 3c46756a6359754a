/// Joins the records of a server that does one request at a time and logs no id: each record
/// belongs to the request opened last. Requests get ids of their own, numbered in the order
/// they open in the input read (`indextts2-7`), so they are folded and indexed like any other.
final class SequenceJoiner {
    /// The request being served.
    struct Open: RequestFacts {
        var key: RequestKey
        var id: String
        var start: LogTimestamp?
        var durationMs: Int?
        var audioMs: Int?
        var rtf: Int?
    }

    let idPrefix: String
    let keepIDs: Bool
    var counter = 0
    var open: Open?
    /// A Python traceback is being printed: its unindented last line names the exception.
    var inTraceback = false

    init(name: String, keepIDs: Bool) {
        self.idPrefix = name + "-"
        self.keepIDs = keepIDs
    }

    /// Opens a request. One still open had no end: it is closed as failed (`INTERRUPTED`) by
    /// this record instead, and the new one opens without a start record of its own.
    func start(_ record: inout LogRecord) {
        let interrupted = open != nil
        if interrupted { fail(code: "INTERRUPTED", into: &record) }
        counter += 1
        let id = idPrefix + String(counter)
        var copy = id
        let key = copy.withUTF8 { RequestKey(bytes: $0) }
        open = Open(key: key, id: id, start: record.untimed ? nil : record.time)
        inTraceback = false
        guard !interrupted else { return }
        record.event = .synthesisStart
        tie(&record, to: open!)
    }

    /// A stage of the open request.
    func stage(_ name: String, milliseconds: Int, into record: inout LogRecord) {
        guard let open else { return }
        record.event = .stageTime
        record.stageName = name
        record.stage = PipelineStage(name: name)
        record.durationMs = milliseconds
        tie(&record, to: open)
    }

    /// Ends the open request as a success with what its lines told.
    func end(_ record: inout LogRecord) {
        guard let request = open else { return }
        record.event = .synthesisComplete
        record.status = .success
        record.durationMs = request.durationMs ?? request.start.flatMap { start in
            record.untimed ? nil : Int(record.time.milliseconds - start.milliseconds)
        }
        record.audioMs = request.audioMs
        record.rtfTenThousandths = request.rtf ?? {
            guard let d = record.durationMs, let a = request.audioMs, a > 0 else { return nil }
            return Int((Double(d) / Double(a) * 10_000).rounded())
        }()
        tie(&record, to: request)
        open = nil
    }

    /// Ends the open request as failed: no measured duration, so it stays out of latency.
    func fail(code: String, into record: inout LogRecord) {
        guard let request = open else { return }
        record.event = .synthesisComplete
        record.status = .failed
        record.errorCode = code
        record.level = .error
        tie(&record, to: request)
        open = nil
    }

    func tie(_ record: inout LogRecord, to request: Open) {
        record.idKey = request.key
        if keepIDs { record.id = request.id }
    }

    /// A line that is not one of the format's prints: a traceback's first line, its exception
    /// line (which fails the open request), a line inside it, or not understood.
    func traceback(_ text: String, indented: Bool, parser: LineParser, into record: inout LogRecord) -> LineKind {
        if text.hasPrefix("Traceback (most recent call last)") {
            inTraceback = true
            parser.resetUntimed(&record)
            record.level = .error
            return .record
        }
        guard inTraceback, !indented, let code = SequenceJoiner.exceptionClass(text) else { return .noTimestamp }
        inTraceback = false
        guard open != nil else { return .noTimestamp }
        parser.resetUntimed(&record)
        fail(code: code, into: &record)
        return .record
    }

    /// `torch.OutOfMemoryError: CUDA out of memory` → `OutOfMemoryError`; nil for other lines.
    static func exceptionClass(_ line: String) -> String? {
        let name = line.prefix { $0 != ":" }
        guard !name.isEmpty, name.count <= 128, name.first!.isLetter || name.first == "_",
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { return nil }
        let last = name.split(separator: ".").last.map(String.init) ?? String(name)
        let looksLikeClass = last.hasSuffix("Error") || last.hasSuffix("Exception") || last.hasSuffix("Interrupt")
            || last.hasSuffix("Exit") || name.contains(".") || line.count > name.count
        return looksLikeClass && last.first!.isUppercase ? last : nil
    }
}
