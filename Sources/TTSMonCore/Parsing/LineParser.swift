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
    let user: UserFormat?
    /// What id-joined user-format requests told before their end.
    let userJoins: UserJoinState?

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
        self.user = user
        userJoins = user != nil && format.join == .id ? UserJoinState() : nil
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
            pos = used + prefix.s3 + 3
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
        let nameEnd = colon < message.count && colon + 1 < message.count && message[colon + 1] == 32 ? colon : 0
        if nameEnd > 0, events.lookup(message.slice(0, nameEnd)).map({ record.event = $0; return true }) ?? false
            || message.slice(0, nameEnd).allSatisfy(LineParser.isKeyByte) {
            if record.event != .other || record.level == .warning || captureText {
                guard parseKeyValues(message.slice(nameEnd + 2, message.count), into: &record) else { return .malformed }
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
        var i = from + 1
        let n = line.count
        while i + 1 < n {
            let d = ByteSearch.first(45, in: base, from: i, count: n - 1)
            if d >= n - 1 { return nil }
            if base[d - 1] == 32, base[d + 1] == 32 { return d - 1 }
            i = d + 1
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

    /// Parses `key=value, key="quoted, \"value\"", bare words` into the record.
    /// Returns false when a value for a known field is malformed.
    func parseKeyValues(_ body: ByteSpan, into record: inout LogRecord) -> Bool {
        guard let base = body.baseAddress else { return true }
        let n = body.count
        var i = 0
        var previous = 0
        let event = record.event
        var textValue: ByteSpan?
        var textEscapes = 0
        while i < n {
            // Lines of one event usually repeat their keys in the same order: try the remembered
            // key at this position first, a word compare instead of a scan and a lookup.
            var field: RecordField?
            if let (length, remembered, slot) = keyOrder.match(event: event, previous: previous, base: base, at: i, count: n) {
                field = remembered
                previous = slot
                i = i &+ length &+ 1
            } else {
                // A key is an identifier directly followed by '='; anything else is a bare word.
                let keyStart = i
                while i < n, LineParser.isKeyByte(base[i]) { i = i &+ 1 }
                guard i < n, base[i] == 61, i > keyStart else {
                    i = LineParser.nextItem(base, from: i, count: n)
                    continue
                }
                field = keys.lookup(body.slice(keyStart, i))
                previous = keyOrder.remember(event: event, previous: previous, key: body.slice(keyStart, i), field: field)
                i = i &+ 1
            }
            var value: ByteSpan
            var quoted = false
            var escapes = 0
            if i < n, base[i] == 34 {
                quoted = true
                i = i &+ 1
                let valueStart = i
                // Closing quote: the first '"' not escaped by a backslash; escapes counted on the way.
                while i < n {
                    let q = ByteSearch.first(34, or: 92, in: base, from: i, count: n)
                    if q >= n { i = n; break }
                    if base[q] == 34 { i = q; break }
                    escapes = escapes &+ 1
                    i = q &+ 2
                }
                i = Swift.min(i, n)
                value = body.slice(valueStart, i)
                i = LineParser.nextItem(base, from: Swift.min(i &+ 1, n), count: n)
            } else {
                let valueStart = i
                let end = LineParser.itemEnd(base, from: i, count: n)
                value = body.slice(valueStart, end)
                i = end &+ 2
            }
            guard let field else { continue }
            if field == .text, !captureText {
                textValue = value; textEscapes = escapes   // counted only if text_len is absent
                continue
            }
            guard assign(field, value, quoted: quoted, escapes: escapes, into: &record) else { return false }
        }
        if record.textLen == nil, let textValue { record.textLen = LineParser.scalarCount(textValue) - textEscapes }
        return true
    }

    @inline(__always)
    static func isKeyByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || b == 95 || (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || b == 45
    }

    /// Index of the next ", " at or after `from` (or `count`).
    @inline(__always)
    static func itemEnd(_ base: UnsafePointer<UInt8>, from: Int, count n: Int) -> Int {
        var i = from
        // Eight positions at a time: a lane is zero where ',' is followed by ' ' (two
        // overlapping loads); the lowest flagged lane is always a true match.
        let commas: UInt64 = 0x2C2C_2C2C_2C2C_2C2C, spaces: UInt64 = 0x2020_2020_2020_2020
        while i + 9 <= n {
            let raw = UnsafeRawPointer(base + i)
            let x = (raw.loadUnaligned(as: UInt64.self) ^ commas) | (raw.loadUnaligned(fromByteOffset: 1, as: UInt64.self) ^ spaces)
            let found = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
            if found != 0 { return i &+ found.trailingZeroBitCount / 8 }
            i = i &+ 8
        }
        while i < n {
            let c = ByteSearch.first(44, in: base, from: i, count: n)
            if c >= n { return n }
            if c + 1 < n, base[c + 1] == 32 { return c }
            i = c + 1
        }
        return n
    }

    /// Index just after the next ", " at or after `from` (or `count`).
    @inline(__always)
    static func nextItem(_ base: UnsafePointer<UInt8>, from: Int, count n: Int) -> Int {
        let end = itemEnd(base, from: from, count: n)
        return end >= n ? n : end + 2
    }

    /// Backslash escapes in a quoted value (each `\x` pair counts once).
    static func escapeCount(_ value: ByteSpan) -> Int {
        var count = 0
        var i = 0
        while i < value.count {
            if value[i] == 92, i + 1 < value.count { count += 1; i += 2 } else { i += 1 }
        }
        return count
    }

    /// Stores one value; false when a required numeric field does not parse.
    @inline(__always)
    func assign(_ field: RecordField, _ value: ByteSpan, quoted: Bool, escapes: Int, into record: inout LogRecord) -> Bool {
        switch field {
        case .id:
            // An invalid id leaves the record without one: events that need it are malformed.
            guard record.idKey == nil, isRequestIDToken(value, table: idBytes) else { return true }
            record.idKey = RequestKey(bytes: value)
            if keepIDs { record.id = value.string }
        case .durationMs:
            guard let v = ValueParsing.integer(value, allowMsSuffix: true) else {
                if record.event == .synthesisComplete || record.event == .stageTime { return false }
                return true
            }
            record.durationMs = v
        case .status:
            switch value.word {
            case LineParser.successWord, LineParser.okWord, LineParser.okUpperWord: record.status = .success
            case LineParser.failedWord, LineParser.errorWord, LineParser.failureWord: record.status = .failed
            default: if record.event == .synthesisComplete { return false }
            }
        case .errorCode:
            if value.count > 0 { record.errorCode = value.string(limit: keptNameBytes) }
        case .stage:
            guard value.count > 0 else { return record.event != .stageTime }
            record.stage = stages.lookup(value)
            if record.stage == nil || captureText { record.stageName = value.string(limit: keptNameBytes) }
        case .textLen:
            if let v = ValueParsing.integer(value) { record.textLen = v }
        case .text:
            if captureText { record.text = quoted && escapes > 0 ? LineParser.unescape(value) : value.string }
            if record.textLen == nil { record.textLen = LineParser.scalarCount(value) - escapes }
        case .lang: if captureText { record.lang = value.string(limit: keptNameBytes) }
        case .voice: if captureText { record.voice = value.string(limit: keptNameBytes) }
        case .cacheHit: record.cacheHit = ValueParsing.boolean(value)
        case .audioSizeKB: record.audioSizeKB = ValueParsing.integer(value)
        case .usedPercent, .usage:
            guard let v = ValueParsing.decimal(value) else {
                return !(record.event == .cacheUsage || record.event == .cacheHealth)
            }
            record.usedPercent = v
        case .threshold: record.threshold = ValueParsing.decimal(value)
        case .fallbackUsed: record.fallbackUsed = ValueParsing.boolean(value) ?? false
        case .warningCode: if value.count > 0 { record.warningCode = value.string(limit: keptNameBytes) }
        case .queueMs: record.queueMs = ValueParsing.integer(value, allowMsSuffix: true)
        case .modelStage: if captureText, value.count > 0 { record.modelStage = value.string(limit: keptNameBytes) }
        case .audioMs: record.audioMs = ValueParsing.integer(value, allowMsSuffix: true)
        case .audioSeconds: record.audioMs = ValueParsing.decimal(value).flatMap { $0 >= 0 && $0 < 1e9 ? Int(($0 * 1000).rounded()) : nil }
        case .rtf: record.rtfTenThousandths = ValueParsing.decimal(value).flatMap { $0 >= 0 && $0 < 1e9 ? Int(($0 * 10_000).rounded()) : nil }
        case .time, .level, .event, .logger, .ignored: break
        }
        return true
    }

    // Status words packed as `ByteSpan.word` packs them, written out as constants so that the
    // hot path does not pass a lazy global's initialiser check per record (`LineParserTests`
    // checks them against `word(of:)`).
    static let successWord: UInt64 = 0x73_7365_6363_7573       // "success"
    static let okWord: UInt64 = 0x6B6F                          // "ok"
    static let okUpperWord: UInt64 = 0x4B4F                     // "OK"
    static let failedWord: UInt64 = 0x6465_6C69_6166            // "failed"
    static let errorWord: UInt64 = 0x72_6F72_7265               // "error"
    static let failureWord: UInt64 = 0x65_7275_6C69_6166        // "failure"

    /// Rejects records of known events whose required fields are missing or empty.
    @inline(__always)
    func validateRequired(_ record: LogRecord) -> LineKind {
        switch record.event {
        case .synthesisStart, .synthesisFailed, .audioMetrics:
            guard record.idKey != nil else { return .malformed }
        case .stageTime:
            guard record.idKey != nil, record.durationMs != nil,
                  record.stage != nil || record.stageName != nil else { return .malformed }
        case .synthesisComplete:
            guard record.idKey != nil, record.durationMs != nil else { return .malformed }
            if record.status == nil, shape != .delimited { return .malformed }
        case .cacheUsage, .cacheHealth:
            guard record.usedPercent != nil else { return .malformed }
        case .failover, .other: break
        }
        return .record
    }

    /// Unicode scalars in valid UTF-8 bytes.
    @inline(__always)
    static func scalarCount(_ span: ByteSpan) -> Int {
        var count = 0
        for b in span where b & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// Resolves `\"` and `\\` inside a quoted value.
    static func unescape(_ span: ByteSpan) -> String {
        var out = [UInt8]()
        out.reserveCapacity(span.count)
        var i = 0
        while i < span.count {
            if span[i] == 92, i + 1 < span.count {
                let next = span[i + 1]
                switch next {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                default: out.append(next)
                }
                i += 2
            } else { out.append(span[i]); i += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
