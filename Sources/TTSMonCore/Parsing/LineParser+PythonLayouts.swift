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
}
