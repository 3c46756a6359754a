/// The seed's events in the other Python layouts: recognised after the seed's own layout
/// failed, so they cost the seed's lines nothing.
extension LineParser {
    /// Where the message starts, and the level, in the other common Python layouts after the
    /// timestamp: loguru's default ` | INFO     | module:function:120 - message`,
    /// `logging.basicConfig`'s `%(asctime)s %(levelname)s %(message)s` (` INFO message`) and
    /// `%(asctime)s - %(levelname)s - %(name)s: %(message)s` (` - INFO - app.tts: message`).
    /// Off the hot path: only lines that are not in the seed's layout come here.
    static func otherPythonPrefix(_ line: ByteSpan, from at: Int) -> (LogLevel, Int)? {
        let n = line.count
        if at + 3 < n, line[at] == 32, line[at + 1] == 45, line[at + 2] == 32,
           let s2 = LineParser.findSeparator(line, from: at + 3) {
            // ` - LEVEL - name: message`: the name runs to the first ": ".
            let level = LineParser.level(line.slice(at + 3, s2))
            guard isLevelWord(line.slice(at + 3, s2)), let colon = line.slice(s2 + 3, n).find(": ") else { return nil }
            return (level, s2 + 3 + colon + 2)
        }
        if at + 3 < n, line[at] == 32, line[at + 1] == 124, line[at + 2] == 32 {
            // loguru: the level padded to 8, then " | ", then the location, then " - ".
            var end = at + 3
            while end < n, line[end] != 32 { end += 1 }
            let level = LineParser.level(line.slice(at + 3, end))
            guard level != .unknown, let bar = line.slice(end, n).find(" | "),
                  let dash = LineParser.findSeparator(line, from: end + bar + 3) else { return nil }
            return (level, dash + 3)
        }
        guard at + 1 < n, line[at] == 32 else { return nil }
        var end = at + 1
        while end < n, line[end] != 32 { end += 1 }
        let word = line.slice(at + 1, end)
        guard end < n, isLevelWord(word) else { return nil }
        return (LineParser.level(word), end + 1)
    }

    /// Python's level names, as `%(levelname)s` writes them.
    static func isLevelWord(_ word: ByteSpan) -> Bool {
        ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"].contains { word.equals($0) }
    }

    /// A zone right after the timestamp (`…892+08:00`, `…892 +0800`, `…892Z`, loguru with an
    /// offset) is applied to `time`; returns where the rest of the line starts.
    static func applyZone(_ line: ByteSpan, at used: Int, to time: inout LogTimestamp) -> Int {
        let n = line.count
        guard used < n else { return used }
        var sign = line[used], at = used + 1
        if sign == 32, used + 2 < n, line[used + 1] == 43 || line[used + 1] == 45, line[used + 2] >= 48, line[used + 2] <= 57 {
            sign = line[used + 1]; at = used + 2
        }
        if sign == UInt8(ascii: "Z") { time = time.convertedToLocal(fromOffsetSeconds: 0); return used + 1 }
        guard sign == 43 || sign == 45, let (offset, length) = LogTimestamp.zoneOffset(line, at: at) else { return used }
        time = time.convertedToLocal(fromOffsetSeconds: sign == 45 ? -offset : offset)
        return at + length
    }

    /// Lines in the seed's key=value events that do not start with a timestamp: Python's
    /// default `LEVEL:name:message` (no time), the bracketed `[time] [LEVEL] [name] message`,
    /// and any of them coloured with ANSI escapes (stripped first). Anything else is not a
    /// record (`.noTimestamp`: a traceback's line after an ERROR record, else unparsed).
    func parseOtherPythonLine(_ line: ByteSpan, into record: inout LogRecord, checked: Bool) -> LineKind {
        let n = line.count
        guard n > 0 else { return .noTimestamp }
        if let plain = ANSIEscapes.stripped(line) {
            return plain.withUnsafeBufferPointer { parseKeyValueLine($0, into: &record, checked: false) }
        }
        if line[0] == UInt8(ascii: "[") {
            // [2024-06-12 14:22:37,892] [INFO] [app.tts_engine] message
            let inner = line.slice(1, n)
            guard let (time, used) = LogTimestamp.parseZoned(inner), used + 3 < inner.count,
                  inner[used] == 93, inner[used + 1] == 32, inner[used + 2] == 91,
                  let levelEnd = inner.slice(used + 3, inner.count).find("]") else { return .noTimestamp }
            let word = inner.slice(used + 3, used + 3 + levelEnd)
            guard LineParser.isLevelWord(word), checked || LineValidation.isCleanText(line) else { return .noTimestamp }
            var at = used + 3 + levelEnd + 1
            // The logger, bracketed, is optional.
            if at + 1 < inner.count, inner[at] == 32, inner[at + 1] == 91, let close = inner.slice(at + 2, inner.count).find("] ") {
                at += 2 + close + 1
            }
            while at < inner.count, inner[at] == 32 { at += 1 }
            record.reset(time: time)
            record.level = LineParser.level(word)
            return parseMessage(inner.slice(at, inner.count), into: &record)
        }
        // LEVEL:name:message (logging's default format): no time of its own.
        guard let firstColon = line.slice(0, Swift.min(n, 9)).find(":"),
              LineParser.isLevelWord(line.slice(0, firstColon)), firstColon + 1 < n, line[firstColon + 1] != 32,
              let nameEnd = line.slice(firstColon + 1, n).find(":") else { return .noTimestamp }
        let name = line.slice(firstColon + 1, firstColon + 1 + nameEnd)
        guard name.allSatisfy({ $0 != 32 }), checked || LineValidation.isCleanText(line) else { return .noTimestamp }
        resetUntimed(&record)
        record.level = LineParser.level(line.slice(0, firstColon))
        return parseMessage(line.slice(firstColon + 2 + nameEnd, n), into: &record)
    }
}
