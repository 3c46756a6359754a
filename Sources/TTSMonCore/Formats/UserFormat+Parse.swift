import Foundation

/// Reading lines with a user format: the `line` pattern (a line that does not match continues
/// the record before it), then the first event whose pattern matches the message.
extension LineParser {
    func parseUserLine(_ raw: ByteSpan, into record: inout LogRecord) -> LineKind {
        guard let matchers = userMatchers else { return .noTimestamp }
        if let plain = ANSIEscapes.stripped(raw) {
            return plain.withUnsafeBufferPointer { parseUserLine($0, into: &record) }
        }
        guard LineValidation.isCleanText(raw) else { return .malformed }
        let subject = matchers.buffer.subject(raw)
        guard let lineMatch = matchers.line.match(subject) else { return .noTimestamp }
        if let time = lineMatch.range(.time) {
            guard let ts = subject.withBytes(time, { UserFormat.time($0, format: matchers.timeFormat) }) else { return .malformed }
            record.reset(time: ts)
        } else {
            resetUntimed(&record)
        }
        record.level = lineMatch.range(.level).map { subject.withBytes($0) { LineParser.level($0) } } ?? .info
        let messageRange = lineMatch.range(.message)
        if captureText { record.message = lineMatch.string(.message) ?? raw.string }
        for (kind, matcher) in zip(matchers.kinds, matchers.events) {
            guard let eventMatch = matcher.match(subject, in: messageRange) else { continue }
            userEvent(kind, UserCaptures(event: eventMatch, line: lineMatch), into: &record)
            break
        }
        return .record
    }

    /// Turns an event's captures into the record, joining it to its request.
    func userEvent(_ kind: UserFormat.Kind, _ c: UserCaptures, into record: inout LogRecord) {
        if let text = c.text {
            if captureText { record.text = text }
            record.textLen = text.unicodeScalars.count
        }
        if let n = c.textLen { record.textLen = n }
        if let gpu = c.gpuID { record.gpuID = gpu }
        if captureText { record.voice = c.voice; record.lang = c.lang }
        if let sequence {
            switch kind {
            case .start: sequence.start(&record)
            case .stage: if let name = c.stage, let ms = c.durationMs { sequence.stage(name, milliseconds: ms, into: &record) }
            case .field: sequence.open?.note(c)
            case .end:
                sequence.open?.note(c)
                if c.failed(level: record.level) { sequence.fail(code: c.code ?? "UNKNOWN", into: &record) } else { sequence.end(&record) }
            case .request: complete(c, into: &record, start: nil)
            }
            return
        }
        if let id = c.id {
            var copy = id
            guard copy.withUTF8({ isRequestIDToken($0) }) else { return }
            record.idKey = copy.withUTF8 { RequestKey(bytes: $0) }
            if keepIDs { record.id = id }
        }
        switch kind {
        case .start:
            guard let id = c.id, record.idKey != nil else { return }
            record.event = .synthesisStart
            userJoins?.start(id, at: record.untimed ? nil : record.time)
        case .stage:
            guard record.idKey != nil, let name = c.stage, let ms = c.durationMs else { return }
            record.event = .stageTime
            record.stageName = String(name.prefix(keptNameBytes))
            record.stage = PipelineStage(name: name)
            record.durationMs = ms
        case .field:
            if let id = c.id { userJoins?.note(id, c) }
        case .end:
            let open = c.id.flatMap { userJoins?.end($0) }
            complete(c, into: &record, start: open)
        case .request:
            complete(c, into: &record, start: nil)
        }
    }

    /// A completion from captures (and what the request's earlier lines told).
    func complete(_ c: UserCaptures, into record: inout LogRecord, start open: UserJoinState.Open?) {
        record.event = .synthesisComplete
        let failed = c.failed(level: record.level)
        record.status = failed ? .failed : .success
        if failed { record.errorCode = c.code ?? c.httpStatus.map { "HTTP_\($0)" } ?? "UNKNOWN" }
        record.durationMs = c.durationMs ?? open?.durationMs ?? open?.start.flatMap { start in
            record.untimed ? nil : Int(record.time.milliseconds - start.milliseconds)
        }
        record.audioMs = c.audioMs ?? open?.audioMs
        record.rtfTenThousandths = c.rtf ?? open?.rtf
    }
}

/// The captures of one user-format line, as typed values.
struct UserCaptures {
    /// The event's match first: its captures win over the line's.
    let event: NamedMatch
    let line: NamedMatch

    func range(_ key: Capture) -> (MatchSubject, Range<Int>)? {
        if let r = event.range(key) { return (event.subject, r) }
        if let r = line.range(key) { return (line.subject, r) }
        return nil
    }
    func string(_ key: Capture) -> String? { range(key).flatMap { $0.string($1) }.flatMap { $0.isEmpty ? nil : $0 } }
    func number(_ key: Capture) -> Double? {
        range(key).flatMap { $0.number($1) }.flatMap { $0.isFinite && $0 >= 0 && $0 < 1e12 ? $0 : nil }
    }

    var id: String? { string(.id) }
    var text: String? { string(.text) }
    var voice: String? { string(.voice).map { String($0.prefix(keptNameBytes)) } }
    var lang: String? { string(.lang).map { String($0.prefix(keptNameBytes)) } }
    var stage: String? { string(.stage) }
    var code: String? { string(.code).map { String($0.prefix(keptNameBytes)) } }
    var textLen: Int? { number(.textLen).map { Int($0) } }
    var gpuID: Int? { number(.gpuID).flatMap { $0 <= 4095 ? Int($0) : nil } }
    var httpStatus: Int? { number(.httpStatus).map { Int($0) } }
    var durationMs: Int? {
        if let v = number(.durationMs) { return Int(v.rounded()) }
        if let v = number(.durationS) { return Int((v * 1000).rounded()) }
        if let v = number(.durationUs) { return Int((v / 1000).rounded()) }
        return nil
    }
    var audioMs: Int? { number(.audioS).map { Int(($0 * 1000).rounded()) } }
    var rtf: Int? { number(.rtf).map { Int(($0 * 10_000).rounded()) } }

    /// Failed: a failure status word, an HTTP status of 400 or more, or an ERROR record.
    func failed(level: LogLevel) -> Bool {
        if let status = string(.status)?.lowercased(), ["failed", "fail", "error", "failure"].contains(status) { return true }
        if let http = httpStatus, http >= 400 { return true }
        return level >= .error && level != .unknown
    }
}

/// What a user format's id-joined requests told before their end: start times and fields.
/// Bounded: a log whose requests never end cannot fill memory.
final class UserJoinState {
    struct Open: RequestFacts { var start: LogTimestamp?; var durationMs: Int?; var audioMs: Int?; var rtf: Int? }
    var open: [String: Open] = [:]
    static let capacity = 50_000

    func start(_ id: String, at time: LogTimestamp?) {
        if open.count >= UserJoinState.capacity { open.removeAll(keepingCapacity: true) }
        open[id] = Open(start: time)
    }

    func note(_ id: String, _ c: UserCaptures) {
        guard var o = open[id] else { return }
        o.note(c)
        open[id] = o
    }

    func end(_ id: String) -> Open? { open.removeValue(forKey: id) }
}

/// What an open request's lines told before its end (user formats, printed formats).
protocol RequestFacts {
    var durationMs: Int? { get set }
    var audioMs: Int? { get set }
    var rtf: Int? { get set }
}

extension RequestFacts {
    /// Keeps what a line's captures add.
    mutating func note(_ c: UserCaptures) {
        if let v = c.durationMs { durationMs = v }
        if let v = c.audioMs { audioMs = v }
        if let v = c.rtf { rtf = v }
    }
}
