import Foundation

/// Access logs, one request per line:
/// - uvicorn: `INFO:     127.0.0.1:53422 - "POST /tts HTTP/1.1" 200 OK` (no time of its own);
/// - Apache/nginx/gunicorn combined or common, with an optional trailing request time (an
///   integer is gunicorn's `%(D)s` microseconds, a decimal seconds — nginx's `$request_time`,
///   gunicorn's `%(L)s`): `10.0.0.7 - - [12/Jun/2024:14:22:37 +0800] "POST /v1/audio/speech HTTP/1.1" 200 48213 "-" "curl/8.5" 2.317`;
/// - werkzeug: `127.0.0.1 - - [12/Jun/2024 14:22:37] "POST /synthesize HTTP/1.1" 200 -`.
/// A status of 400 or more fails the request with the code `HTTP_<status>`; probe traffic
/// (`GET` of a health, readiness or metrics path) is understood but is no request.
extension LineParser {
    /// Paths whose `GET`s are probes and scrapes, not synthesis requests.
    static let probePaths: Set<String> = ["/health", "/healthz", "/ready", "/readyz", "/livez", "/metrics", "/favicon.ico"]

    func parseAccessLine(_ raw: ByteSpan, into record: inout LogRecord) -> LineKind {
        if let plain = ANSIEscapes.stripped(raw) {
            return plain.withUnsafeBufferPointer { parseAccessLine($0, into: &record) }
        }
        let line = raw
        let n = line.count
        guard n > 0, LineValidation.isCleanText(line) else { return .malformed }
        // The request line, in quotes: `" ` before it, `" ` after it (escaped quotes inside).
        guard let open = line.find(" \""), let close = LineParser.closingQuote(line, from: open + 2) else {
            return uvicornMessage(line, into: &record)
        }
        let head = line.slice(0, open)
        if let bracket = head.find(" ["), head.last == 93 {
            // combined / common / werkzeug: the time in brackets.
            guard let (time, _) = LogTimestamp.parseAccessLog(head.slice(bracket + 2, head.count - 1)) else { return .malformed }
            record.reset(time: time)
        } else if let colon = head.find(":"), LineParser.isLevelWord(head.slice(0, colon)) {
            // uvicorn: `LEVEL:` and the client address.
            resetUntimed(&record)
            record.level = LineParser.level(head.slice(0, colon))
        } else {
            return .noTimestamp
        }
        let request = line.slice(open + 2, close)
        // After the request line: status, then (combined) size, referrer, agent, request time.
        let tail = line.slice(close + 1, n).string.split(separator: " ", omittingEmptySubsequences: true)
        guard let statusText = tail.first, statusText.count == 3, let status = Int(statusText), (100...599).contains(status) else {
            return .malformed
        }
        let words = request.string.split(separator: " ")
        let method = words.first.map(String.init) ?? ""
        let path = words.count > 1 ? String(words[1].prefix { $0 != "?" }) : ""
        if captureText { record.message = "\(method) \(path) \(status)" }
        if method == "GET" || method == "HEAD", LineParser.probePaths.contains(path) { return .record }
        record.event = .synthesisComplete
        record.status = status >= 400 ? .failed : .success
        if status >= 400 { record.errorCode = "HTTP_\(status)" }
        record.durationMs = LineParser.requestTime(tail.dropFirst())
        return .record
    }

    /// uvicorn's own lines (`INFO:     Started server process [7]`): understood, not requests.
    func uvicornMessage(_ line: ByteSpan, into record: inout LogRecord) -> LineKind {
        guard let colon = line.slice(0, Swift.min(line.count, 9)).find(":"), LineParser.isLevelWord(line.slice(0, colon)),
              colon + 1 < line.count, line[colon + 1] == 32 else { return .noTimestamp }
        resetUntimed(&record)
        record.level = LineParser.level(line.slice(0, colon))
        if captureText { record.message = line.slice(colon + 1, line.count).string.trimmingCharacters(in: .whitespaces) }
        return .record
    }

    /// The index of the quote closing a quoted field that starts at `from` (backslash escapes skipped).
    static func closingQuote(_ line: ByteSpan, from: Int) -> Int? {
        var i = from
        while i < line.count {
            if line[i] == 92 { i += 2; continue }
            if line[i] == 34 { return i }
            i += 1
        }
        return nil
    }

    /// The trailing request time of a combined line (after size, referrer and agent, quoted
    /// fields skipped): an integer is microseconds, a decimal seconds; in milliseconds.
    static func requestTime(_ words: ArraySlice<Substring>) -> Int? {
        guard let last = words.last, words.count >= 2, !last.hasPrefix("\""), !last.hasSuffix("\""),
              last.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return nil }
        // Common format without referrer/agent: `200 1644 18805`; the size alone is no time.
        if last.contains(".") { return Double(last).map { Int(($0 * 1000).rounded()) } }
        return Int(last).map { ($0 + 500) / 1000 }
    }
}
