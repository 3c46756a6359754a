import Foundation

/// What one physical line is.
public enum LineResult: Sendable {
    /// A timestamped record.
    case record(LogRecord)
    /// No timestamp: a traceback continuation if it follows an ERROR record, else unparsed.
    case noTimestamp
    /// Unparsable: an impossible timestamp, a known event with bad required fields, invalid
    /// UTF-8, NUL bytes.
    case malformed
    /// Part of a longer line a container split (joined with the next).
    case joined
}

/// What one physical line is, when the record itself was written into a caller's scratch value.
public enum LineKind: Sendable {
    case record, noTimestamp, malformed, joined
}

/// Times a parser gives records whose line has none of its own.
public final class ParserClock {
    /// The arrival time (local log time), set by whoever follows the file live; nil in reports.
    public var arrival: LogTimestamp?
    /// The container wrapper's time of the line being read.
    var wrapper: LogTimestamp?
    init() {}

    /// The time for a line without one, if any.
    var fallback: LogTimestamp? { wrapper ?? arrival }
}

/// Parses single lines of one format into typed records.
///
/// Not `Sendable`: a parser remembers the key order of recent lines (a speed hint), so each
/// thread makes its own.
public struct LineParser {
    public let format: LogFormat
    /// Keep text, voice, language and messages (trace, dashboard); reports skip them for speed.
    public var captureText: Bool
    /// Keep request ids as Strings (`id`); reports need only the packed `idKey`.
    public var keepIDs: Bool
    /// The format's layout without its payload, resolved once so that the per-line dispatch
    /// copies nothing; the delimited layout's separator and columns, ready to use.
    enum Shape { case keyValue, delimited, jsonObject, accessLog, printed, user }
    let shape: Shape
    let separatorBytes: [UInt8]
    let columns: [RecordField]
    let idBytes = RequestIDBytes.table
    let keys: KeyTable<RecordField>
    let events: KeyTable<EventKind>
    let stages: KeyTable<PipelineStage>
    let keyOrder = KeyOrderMemo()
    let prefix = PrefixMemo()
    let dates = DateCache()
    /// Times for lines that have none (arrival when followed live, a container's time).
    public let clock = ParserClock()
    /// Unwraps container lines first, when the format has a wrapper.
    let container: ContainerReader?
    /// Ties records to the open request, for formats joined by order.
    let sequence: SequenceJoiner?
    let printed: PrintedFormat?
    /// What id-joined user-format requests told before their end.
    let userJoins: UserJoinState?
    /// This parser's own matchers of the user format's patterns (ICU's hold their text).
    let userMatchers: UserMatchers?

    public init(format: LogFormat, captureText: Bool = false, keepIDs: Bool = true) {
        self.format = format
        self.captureText = captureText
        self.keepIDs = keepIDs || captureText
        var printed: PrintedFormat?
        var user: UserFormat?
        switch format.layout {
        case .keyValue: shape = .keyValue; separatorBytes = []; columns = []
        case .delimited(let separator, let columns):
            shape = .delimited; separatorBytes = Array(separator.utf8); self.columns = columns
        case .jsonObject: shape = .jsonObject; separatorBytes = []; columns = []
        case .accessLog: shape = .accessLog; separatorBytes = []; columns = []
        case .printed(let p): shape = .printed; separatorBytes = []; columns = []; printed = p
        case .user(let u): shape = .user; separatorBytes = []; columns = []; user = u
        }
        self.printed = printed
        userJoins = user != nil && format.join == .id ? UserJoinState() : nil
        userMatchers = user.map(UserMatchers.init)
        container = format.container.map(ContainerReader.init)
        sequence = format.join == .sequence ? SequenceJoiner(name: String(format.name.prefix { $0 != "+" }), keepIDs: self.keepIDs) : nil
        keys = KeyTable(format.keys)
        events = KeyTable(format.events)
        stages = KeyTable(Dictionary(uniqueKeysWithValues: PipelineStage.allCases.map { ($0.name, $0) }))
    }

    /// Parses one line (without its newline; trailing `\r`s are ignored) into `record`, which
    /// is overwritten. The hot path: no record is copied. `checked`: the line is already known
    /// to be valid UTF-8 without NUL bytes (`LineReader` checked its whole read at once).
    @inline(__always)
    public func parse(_ raw: ByteSpan, into record: inout LogRecord, checked: Bool = false) -> LineKind {
        var line = raw
        // CRLF, and the `\r\r\n` of a CRLF line written again through a text-mode stream.
        while let last = line.last, last == 13 { line = line.slice(0, line.count - 1) }
        if let container { return container.parse(line, with: self, into: &record) }
        return parseLine(line, into: &record, checked: checked)
    }

    /// Parses one line already unwrapped and without its line end.
    @inline(__always)
    func parseLine(_ line: ByteSpan, into record: inout LogRecord, checked: Bool) -> LineKind {
        switch shape {
        case .keyValue: return parseKeyValueLine(line, into: &record, checked: checked)
        case .delimited: return parseDelimitedLine(line, into: &record, checked: checked)
        case .jsonObject: return parseJSONLine(line, into: &record, checked: checked)
        case .accessLog: return parseAccessLine(line, into: &record)
        case .printed: return parsePrintedLine(line, into: &record)
        case .user: return parseUserLine(line, into: &record)
        }
    }

    /// Starts `record` for a line without a time of its own: the container's or arrival time,
    /// else marked untimed.
    func resetUntimed(_ record: inout LogRecord) {
        if let time = clock.fallback { record.reset(time: time) } else {
            record.reset(time: LogTimestamp(milliseconds: 0))
            record.untimed = true
        }
    }

    /// Parses one line into a new record.
    public func parse(_ raw: ByteSpan) -> LineResult {
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        switch parse(raw, into: &record) {
        case .record: return .record(record)
        case .noTimestamp: return .noTimestamp
        case .malformed: return .malformed
        case .joined: return .joined
        }
    }

    /// Parses a line given as a String (tests, small inputs).
    public func parse(_ text: String) -> LineResult {
        var copy = text
        return copy.withUTF8 { parse($0) }
    }

    /// True when a parsed record used this format's layout fully (used by detection).
    func layoutMatched(_ record: LogRecord) -> Bool {
        switch shape {
        case .keyValue: return record.level != .unknown
        case .delimited: return record.event == .synthesisComplete
        case .jsonObject, .accessLog, .printed, .user: return true
        }
    }

    // MARK: - Timestamps

    enum TimestampScan { case found(LogTimestamp, Int), impossible, absent }

    @inline(__always)
    func scanTimestamp(_ line: ByteSpan) -> TimestampScan {
        if let (ts, used) = LogTimestamp.parse(line, cache: dates) { return .found(ts, used) }
        return LineParser.scanTimestamp(line)
    }

    @inline(__always)
    static func scanTimestamp(_ line: ByteSpan) -> TimestampScan {
        if let (ts, used) = LogTimestamp.parse(line) { return .found(ts, used) }
        // Shape of a timestamp with impossible values: malformed rather than a continuation.
        if line.count >= 19, line[4] == 45, line[7] == 45, line[13] == 58, line[16] == 58,
           (0..<4).allSatisfy({ line[$0] >= 48 && line[$0] <= 57 }) { return .impossible }
        return .absent
    }

    // MARK: - key=value layout

    func parseKeyValueLine(_ line: ByteSpan, into record: inout LogRecord, checked: Bool) -> LineKind {
        let used: Int
        switch scanTimestamp(line) {
        case .absent: return parseOtherPythonLine(line, into: &record, checked: checked)
        case .impossible: return .malformed
        case .found(let ts, let n): record.reset(time: ts); used = n
        }
        guard checked || LineValidation.isCleanText(line) else { return .malformed }
        // time - logger - LEVEL - message
        var pos = used
        let s1 = pos
        if prefix.match(line, at: used) {
            record.level = prefix.level
            pos = used &+ prefix.s3 &+ 3
        } else {
            if line.count >= s1 + 3, line[s1] == 32, line[s1 + 1] == 45, line[s1 + 2] == 32,
               let s2 = LineParser.findSeparator(line, from: s1 + 3),
               let s3 = LineParser.findSeparator(line, from: s2 + 3) {
                record.level = LineParser.level(line.slice(s2 + 3, s3))
                prefix.remember(line, at: used, s3: s3, level: record.level)
                pos = s3 + 3
            } else if let (level, start) = LineParser.otherPythonPrefix(line, from: LineParser.applyZone(line, at: used, to: &record.time)) {
                // The seed's events in another Python layout (loguru's default, basicConfig's).
                record.level = level
                pos = start
            } else {
                record.level = .unknown
                if captureText { record.message = line.slice(pos, line.count).string }
                return .record
            }
        }
        return parseMessage(line.slice(pos, line.count), into: &record)
    }

    /// Reads the message part of a Python logging line (`event: key=value, ...`, or a router's
    /// failover words) into a record whose time and level are set.
    @inline(__always)
    func parseMessage(_ message: ByteSpan, into record: inout LogRecord) -> LineKind {
        // event: key=value, ...
        // The event name runs to the first ": "; only identifiers count as names.
        let colon = message.baseAddress.map { ByteSearch.first(58, in: $0, from: 0, count: Swift.min(message.count, 64)) } ?? 0
        let nameEnd = colon &+ 1 < message.count && message[colon &+ 1] == 32 ? colon : 0
        if nameEnd > 0, events.lookup(message.slice(0, nameEnd)).map({ record.event = $0; return true }) ?? false
            || message.slice(0, nameEnd).allSatisfy(LineParser.isKeyByte) {
            if record.event != .other || record.level == .warning || captureText {
                guard parseKeyValues(message.slice(nameEnd &+ 2, message.count), into: &record) else { return .malformed }
            }
        } else if let switchAt = message.find("switching to ") {
            LineParser.fillFailover(message, switchAt: switchAt, into: &record)
        }
        if captureText || record.event == .failover, record.message == nil { record.message = message.string }
        return validateRequired(record)
    }

    /// The next " - " at or after `from`: finds '-' (rarer than ' ') and checks its neighbours.
    @inline(__always)
    static func findSeparator(_ line: ByteSpan, from: Int) -> Int? {
        guard let base = line.baseAddress else { return nil }
        var i = from &+ 1
        let n = line.count
        while i &+ 1 < n {
            let d = ByteSearch.first(45, in: base, from: i, count: n &- 1)
            if d >= n &- 1 { return nil }
            if base[d &- 1] == 32, base[d &+ 1] == 32 { return d &- 1 }
            i = d &+ 1
        }
        return nil
    }

    @inline(__always)
    static func level(_ span: ByteSpan) -> LogLevel {
        guard let first = span.first else { return .unknown }
        switch first {
        case UInt8(ascii: "I"), UInt8(ascii: "i"): return .info
        case UInt8(ascii: "W"), UInt8(ascii: "w"): return .warning
        case UInt8(ascii: "E"), UInt8(ascii: "e"): return .error
        case UInt8(ascii: "D"), UInt8(ascii: "d"): return .debug
        case UInt8(ascii: "C"), UInt8(ascii: "F"), UInt8(ascii: "c"), UInt8(ascii: "f"): return .critical
        default: return .unknown
        }
    }

    /// `main instance failed, switching to standby` → from main to standby.
    static func fillFailover(_ message: ByteSpan, switchAt: Int, into record: inout LogRecord) {
        var end = switchAt + 13
        while end < message.count, isRequestIDByte(message[end]) { end += 1 }
        let target = message.slice(switchAt + 13, end).string
        guard !target.isEmpty else { return }
        record.event = .failover
        record.failoverTo = target
        if let space = message.find(" instance") {
            var start = space
            while start > 0, isRequestIDByte(message[start - 1]) { start -= 1 }
            let name = message.slice(start, space).string
            if !name.isEmpty, name != target { record.failoverFrom = name }
        }
    }
}
