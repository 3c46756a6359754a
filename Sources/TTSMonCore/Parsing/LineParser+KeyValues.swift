/// The seed's `key=value, key="quoted", ...` event bodies: the hot path of every report on the
/// seed's layout (keys remembered in order per event, values assigned to typed fields).
extension LineParser {
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
        // Texts kept once the line is parsed: the stores in the loop stay free of allocation
        // (the compiler did not inline a store that could allocate).
        var idText: ByteSpan?, stageText: ByteSpan?
        let memoRow = keyOrder.row(for: event)
        while i < n {
            // Lines of one event usually repeat their keys in the same order: try the remembered
            // key at this position first, a word compare instead of a scan and a lookup.
            var field: RecordField?
            if let memoRow, let (length, remembered, slot) = KeyOrderMemo.match(in: memoRow, previous: previous, base: base, at: i, count: n) {
                field = remembered
                previous = slot
                i = i &+ length &+ 1
            } else {
                guard let (key, slot, next) = scanKey(body, at: i, event: event, previous: previous) else {
                    i = LineParser.nextItem(base, from: i, count: n)
                    continue
                }
                field = key
                previous = slot
                i = next
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
            // The fields of nearly every line without assign's switch (the duration and stage
            // stores are inlined here; the compiler keeps storeID a call).
            switch field {
            case .id: if LineParser.storeID(value, table: idBytes, into: &record), keepIDs { idText = value }
            case .durationMs: guard LineParser.storeDuration(value, into: &record) else { return false }
            case .stage:
                guard LineParser.storeStage(value, stages: stages, into: &record) else { return false }
                if keepsStageName(value, record) { stageText = value }
            default: guard assignOther(field, value, quoted: quoted, escapes: escapes, into: &record) else { return false }
            }
        }
        if record.textLen == nil, let textValue { record.textLen = LineParser.scalarCount(textValue) - textEscapes }
        if idText != nil || stageText != nil { LineParser.keep(id: idText, stageName: stageText, into: &record) }
        return true
    }

    /// The key at `i` when the memo did not know it (a key is an identifier directly followed
    /// by '='; anything else is a bare word, nil): its field, its memo slot, and where its value
    /// starts. Out of line: rare once the memo has seen a few lines, and it keeps the hot loop
    /// small enough for the compiler to inline the stores into it.
    @inline(never)
    func scanKey(_ body: ByteSpan, at start: Int, event: EventKind, previous: Int) -> (RecordField?, Int, Int)? {
        guard let base = body.baseAddress else { return nil }
        var i = start
        while i < body.count, LineParser.isKeyByte(base[i]) { i = i &+ 1 }
        guard i < body.count, base[i] == 61, i > start else { return nil }
        let key = body.slice(start, i)
        let field = keys.lookup(key)
        return (field, keyOrder.remember(event: event, previous: previous, key: key, field: field), i &+ 1)
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
        while i &+ 9 <= n {
            let raw = UnsafeRawPointer(base + i)
            let x = (raw.loadUnaligned(as: UInt64.self) ^ commas) | (raw.loadUnaligned(fromByteOffset: 1, as: UInt64.self) ^ spaces)
            let found = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
            if found != 0 { return i &+ found.trailingZeroBitCount &>> 3 }
            i = i &+ 8
        }
        while i < n {
            let c = ByteSearch.first(44, in: base, from: i, count: n)
            if c >= n { return n }
            if c &+ 1 < n, base[c &+ 1] == 32 { return c }
            i = c &+ 1
        }
        return n
    }

    /// Index just after the next ", " at or after `from` (or `count`).
    @inline(__always)
    static func nextItem(_ base: UnsafePointer<UInt8>, from: Int, count n: Int) -> Int {
        let end = itemEnd(base, from: from, count: n)
        return end >= n ? n : end &+ 2
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

    /// Stores one value; false when a required numeric field does not parse. The fields on
    /// nearly every line (id, duration, stage) go through small stores the line loop also calls
    /// directly; the others through one out-of-line call.
    @inline(__always)
    func assign(_ field: RecordField, _ value: ByteSpan, quoted: Bool, escapes: Int, into record: inout LogRecord) -> Bool {
        switch field {
        case .id:
            if LineParser.storeID(value, table: idBytes, into: &record), keepIDs { LineParser.keep(id: value, stageName: nil, into: &record) }
            return true
        case .durationMs: return LineParser.storeDuration(value, into: &record)
        case .stage:
            guard LineParser.storeStage(value, stages: stages, into: &record) else { return false }
            if keepsStageName(value, record) { LineParser.keep(id: nil, stageName: value, into: &record) }
            return true
        default: return assignOther(field, value, quoted: quoted, escapes: escapes, into: &record)
        }
    }

    /// Stores the id's key; false when the record has one already or this is not a valid id.
    /// (An invalid id leaves the record without one: events that need it are malformed.)
    @inline(__always)
    static func storeID(_ value: ByteSpan, table idBytes: UnsafePointer<UInt8>, into record: inout LogRecord) -> Bool {
        guard record.idKey == nil, isRequestIDToken(value, table: idBytes) else { return false }
        record.idKey = RequestKey(bytes: value)
        return true
    }

    /// Whether a stage's name is kept as written: an unknown stage's, or every one when capturing.
    @inline(__always)
    func keepsStageName(_ value: ByteSpan, _ record: LogRecord) -> Bool {
        value.count > 0 && (record.stage == nil || captureText)
    }

    /// The id's text and the stage's name as written, off the hot path (they allocate).
    @inline(never)
    static func keep(id: ByteSpan?, stageName: ByteSpan?, into record: inout LogRecord) {
        if let id { record.id = id.string }
        if let stageName { record.stageName = stageName.string(limit: keptNameBytes) }
    }

    @inline(__always)
    static func storeDuration(_ value: ByteSpan, into record: inout LogRecord) -> Bool {
        guard let v = ValueParsing.integer(value, allowMsSuffix: true) else {
            return record.event != .synthesisComplete && record.event != .stageTime
        }
        record.durationMs = v
        return true
    }

    @inline(__always)
    static func storeStage(_ value: ByteSpan, stages: KeyTable<PipelineStage>, into record: inout LogRecord) -> Bool {
        guard value.count > 0 else { return record.event != .stageTime }
        record.stage = stages.lookup(value)
        return true
    }

    /// `assign` for the fields seen on some lines only.
    @inline(never)
    func assignOther(_ field: RecordField, _ value: ByteSpan, quoted: Bool, escapes: Int, into record: inout LogRecord) -> Bool {
        switch field {
        case .status:
            switch value.word {
            case LineParser.successWord, LineParser.okWord, LineParser.okUpperWord: record.status = .success
            case LineParser.failedWord, LineParser.errorWord, LineParser.failureWord: record.status = .failed
            default: if record.event == .synthesisComplete { return false }
            }
        case .errorCode:
            if value.count > 0 { record.errorCode = value.string(limit: keptNameBytes) }
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
        case .gpuID: record.gpuID = ValueParsing.integer(value).flatMap { (0...4095).contains($0) ? $0 : nil }
        case .time, .level, .event, .logger, .ignored, .id, .durationMs, .stage: break
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
        guard let base = span.baseAddress else { return 0 }
        let n = span.count
        // Every byte but UTF-8 continuations (10xxxxxx) starts a scalar; eight bytes at a time,
        // a continuation has its top bit set and the next one clear.
        var continuations = 0
        var i = 0
        while i &+ 8 <= n {
            let x = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            continuations &+= (x & ~(x << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
            i &+= 8
        }
        while i < n {
            if base[i] & 0xC0 == 0x80 { continuations &+= 1 }
            i &+= 1
        }
        return n &- continuations
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
