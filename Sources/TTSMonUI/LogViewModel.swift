import TTSMonCore

/// One raw log line as the log view shows it: the file it came from (shown when more than one
/// file is followed) and its sanitised text.
public struct LogViewLine: Equatable, Sendable {
    public var source: String?
    public var text: String
    public init(source: String?, text: String) { self.source = source; self.text = text }

    /// A record's first line (it starts with a timestamp), not a traceback's continuation.
    var startsRecord: Bool { text.first?.isNumber == true || text.first == "{" || text.first == "[" }

    /// WARNING, ERROR or CRITICAL, as the common layouts write the level.
    var isProblem: Bool {
        for level in ["ERROR", "WARNING", "CRITICAL"] where text.contains(" \(level) ") || text.contains("- \(level) -")
            || text.contains("|\(level)") || text.contains("| \(level)") || text.contains("\"\(level)\"") { return true }
        return false
    }
}

/// What the log view shows for a state: the kept lines, filtered (an error code after Enter,
/// only WARNING and ERROR records after `e`, tracebacks kept with their record), and where the
/// search matches are. One function for the view and for the keys, so scrolling and `n`/`N`
/// agree with what is drawn.
public enum LogViewModel {
    /// The lines after the route's and the state's filters.
    public static func lines(_ s: DashboardState) -> [LogViewLine] {
        var lines = s.logLines
        if case .log(let code?) = s.route { lines = lines.filter { $0.text.contains(code) } }
        if s.logProblemsOnly {
            var kept: [LogViewLine] = []
            var keeping = false
            for line in lines {
                if line.startsRecord { keeping = line.isProblem }
                if keeping { kept.append(line) }
            }
            lines = kept
        }
        return lines
    }

    /// Indices (in `lines`) of the lines that contain the search text, ignoring case.
    public static func matches(_ lines: [LogViewLine], _ query: String?) -> [Int] {
        guard let query, !query.isEmpty else { return [] }
        return lines.indices.filter { lines[$0].text.range(of: query, options: .caseInsensitive) != nil }
    }

    /// The scroll (lines up from the newest) that puts line `index` of `count` in view.
    static func scroll(toShow index: Int, count: Int, pageRows: Int) -> Int {
        max(0, count - 1 - index - pageRows / 2)
    }
}
