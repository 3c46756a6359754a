import Foundation

/// The JSON-lines layout: a flat object per line whose keys map onto the same fields.
extension LineParser {
    func parseJSONLine(_ line: ByteSpan, into record: inout LogRecord, checked: Bool) -> LineKind {
        var scanner = FlatJSONScanner(line)
        guard scanner.beginObject() else {
            // Not an object: no timestamp of ours, maybe a continuation line.
            if case .impossible = LineParser.scanTimestamp(line) { return .malformed }
            return .noTimestamp
        }
        guard checked || LineValidation.isCleanText(line) else { return .malformed }
        var time: LogTimestamp?
        record = LogRecord(time: LogTimestamp(milliseconds: 0))
        var pending: [(RecordField, FlatJSONScanner.Value)] = []
        /// The event's own words when it is not a known event (a failover line, say).
        var eventText: String?
        var sawEvent = false
        /// `message` or `msg`: the event when no `event` key names one (python-json-logger).
        var messageText: String?
        while let (key, value) = scanner.nextMember() {
            guard let field = keys.lookup(key) else {
                if key.equals("message") || key.equals("msg"), case .string(let text) = value { messageText = text }
                // structlog's format_exc_info, python-json-logger: the traceback as one string.
                if key.equals("exception") || key.equals("exc_info"), case .string(let text) = value, !text.isEmpty {
                    if captureText { record.traceback = String(text.prefix(16_384)) }
                }
                // loguru's `serialize=True`: the record is nested, the formatted line beside it.
                if key.equals("record"), case .object(let nested) = value { return parseLoguruRecord(nested, into: &record) }
                continue
            }
            switch field {
            case .time:
                // ISO-8601 with `T`, and `Z` or an offset after it (structlog, Docker), too.
                guard case .string(let text) = value, let ts = LogTimestamp(text, zone: true) else { return .malformed }
                time = ts
            case .level:
                if case .string(let text) = value { record.level = text.utf8.withContiguousStorageIfAvailable { LineParser.level($0) } ?? .unknown }
            case .event:
                if case .string(let text) = value {
                    sawEvent = true
                    record.event = LogFormat.commonEvents[text] ?? .other
                    if record.event == .other { eventText = text }
                }
            default:
                pending.append((field, value))
            }
        }
        guard scanner.ok else { return .malformed }
        guard let ts = time else { return .malformed }
        record.time = ts
        if !sawEvent, let messageText {
            record.event = LogFormat.commonEvents[messageText] ?? .other
            if record.event == .other { eventText = messageText }
        }
        // The seed's whole message as the event (`"event": "synthesis_start: id=ts_…, …"`).
        if record.event == .other, var words = eventText, let colon = words.firstIndex(of: ":"),
           let kind = LogFormat.commonEvents[String(words[..<colon])] {
            record.event = kind
            let colonOffset = words.utf8.distance(from: words.startIndex, to: colon)
            let ok = words.withUTF8 { span -> Bool in
                let start = Swift.min(span.count, colonOffset + (colonOffset + 1 < span.count && span[colonOffset + 1] == 32 ? 2 : 1))
                return parseKeyValues(span.slice(start, span.count), into: &record)
            }
            guard ok else { return .malformed }
            eventText = nil
        }
        for (field, value) in pending {
            let text: String
            var quoted = false
            switch value {
            case .string(let s): text = s; quoted = true
            case .number(let s): text = s
            case .bool(let b): text = b ? "true" : "false"
            case .null, .object: continue
            }
            if field == .text {
                if captureText { record.text = text }
                if record.textLen == nil { record.textLen = text.unicodeScalars.count }
                continue
            }
            var bytes = text
            let ok = bytes.withUTF8 { span in assign(field, span, quoted: quoted, escapes: 0, into: &record) }
            guard ok else { return .malformed }
        }
        // A failover is told in words, whether or not texts are captured (report needs it too).
        if record.event == .other, var words = eventText ?? record.message {
            words.withUTF8 { span in
                if let switchAt = span.find("switching to ") { LineParser.fillFailover(span, switchAt: switchAt, into: &record) }
            }
            if captureText || record.event == .failover, record.message == nil { record.message = words }
        }
        return validateRequired(record)
    }
}

/// A small scanner for one flat JSON object (nested values are skipped).
struct FlatJSONScanner {
    enum Value { case string(String), number(String), bool(Bool), null, object(ByteSpan) }

    let bytes: ByteSpan
    var i = 0
    var ok = true
    var first = true

    init(_ bytes: ByteSpan) { self.bytes = bytes }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 13 || bytes[i] == 10 { i += 1 }
    }

    mutating func beginObject() -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return false }
        i += 1
        return true
    }

    /// The next key and value, or nil at the end of the object (check `ok` for errors).
    mutating func nextMember() -> (ByteSpan, Value)? {
        skipSpace()
        guard i < bytes.count else { ok = false; return nil }
        if bytes[i] == UInt8(ascii: "}") { i += 1; return nil }
        if !first {
            guard bytes[i] == UInt8(ascii: ",") else { ok = false; return nil }
            i += 1
            skipSpace()
        }
        first = false
        guard i < bytes.count, bytes[i] == 34 else { ok = false; return nil }
        let keyStart = i + 1
        guard skipString() else { ok = false; return nil }
        let key = bytes.slice(keyStart, i - 1)
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { ok = false; return nil }
        i += 1
        skipSpace()
        guard let value = readValue() else { ok = false; return nil }
        return (key, value)
    }

    /// Skips a string starting at a quote; leaves `i` after the closing quote.
    mutating func skipString() -> Bool {
        i += 1
        while i < bytes.count {
            if bytes[i] == 92 { i += 2; continue }
            if bytes[i] == 34 { i += 1; return true }
            i += 1
        }
        return false
    }

    mutating func readValue() -> Value? {
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case 34:
            let start = i
            guard skipString() else { return nil }
            let raw = bytes.slice(start, i)
            guard let decoded = try? JSONDecoder().decode(String.self, from: Data(raw)) else { return nil }
            return .string(decoded)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let start = i
            while i < bytes.count, bytes[i] >= 97, bytes[i] <= 122 { i += 1 }
            let word = bytes.slice(start, i)
            if word.equals("true") { return .bool(true) }
            if word.equals("false") { return .bool(false) }
            if word.equals("null") { return .null }
            return nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = i
            let isObject = bytes[i] == UInt8(ascii: "{")
            var depth = 0
            while i < bytes.count {
                let b = bytes[i]
                if b == 34 { guard skipString() else { return nil }; continue }
                if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
                if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { i += 1; return isObject ? .object(bytes.slice(start, i)) : .null }
                }
                i += 1
            }
            return nil
        default:
            let start = i
            while i < bytes.count, (bytes[i] >= 48 && bytes[i] <= 57) || bytes[i] == 45 || bytes[i] == 43
                    || bytes[i] == 46 || bytes[i] == 101 || bytes[i] == 69 { i += 1 }
            guard i > start else { return nil }
            return .number(bytes.slice(start, i).string)
        }
    }
}

extension LineParser {
    /// loguru's serialised record: `{"level": {"name": "INFO", …}, "message": "…",
    /// "time": {"repr": "2024-06-12 14:22:37.892131+08:00", …}, "exception": …}`, read as a line
    /// of the seed's events with that time and level.
    func parseLoguruRecord(_ object: ByteSpan, into record: inout LogRecord) -> LineKind {
        var scanner = FlatJSONScanner(object)
        guard scanner.beginObject() else { return .malformed }
        var message: String?
        var time: LogTimestamp?
        var level = LogLevel.unknown
        func member(_ nested: ByteSpan, _ name: StaticString) -> String? {
            var inner = FlatJSONScanner(nested)
            guard inner.beginObject() else { return nil }
            while let (key, value) = inner.nextMember() {
                if key.equals(name), case .string(let text) = value { return text }
            }
            return nil
        }
        while let (key, value) = scanner.nextMember() {
            switch value {
            case .string(let text) where key.equals("message"): message = text
            case .object(let nested) where key.equals("level"):
                level = member(nested, "name").map { $0.utf8.withContiguousStorageIfAvailable { LineParser.level($0) } ?? .unknown } ?? .unknown
            case .object(let nested) where key.equals("time"):
                time = member(nested, "repr").flatMap { LogTimestamp($0, zone: true) }
            default: break
            }
        }
        guard scanner.ok, let time, var message else { return .malformed }
        record.reset(time: time)
        record.level = level
        return message.withUTF8 { parseMessage($0, into: &record) }
    }
}
