/// What `ttsmon router` writes for each proxied request, in the seed's IndexTTS layout, so
/// report, trace, watch, the dashboard, export and alerts read the router's log unchanged.
public enum RouterRecords {
    /// The logger name in the router's lines.
    public static let logger = "router"

    /// The client's `X-Request-ID` when it is a legal id, else a new `ts_` + 8 hex.
    public static func requestID(fromHeader header: String?, random: () -> UInt32 = { UInt32.random(in: .min ... .max) }) -> String {
        if let header, isValidRequestID(header), header.utf8.count <= 128 { return header }
        let hex = String(random(), radix: 16)
        return "ts_" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// `text` and `voice` from a JSON request body (its first bytes), when it has them.
    public static func bodyFields(_ body: [UInt8]) -> (text: String?, voice: String?) {
        var text: String?, voice: String?
        body.withUnsafeBufferPointer { span in
            var scanner = FlatJSONScanner(span)
            guard scanner.beginObject() else { return }
            while let (key, value) = scanner.nextMember() {
                guard case .string(let s) = value else { continue }
                if key.equals("text") || key.equals("input") { text = s }
                if key.equals("voice") || key.equals("speaker") || key.equals("spk_id") { voice = s }
            }
        }
        return (text, voice)
    }

    /// A quoted value: sanitised, cut to `limit` characters, `"` and `\` escaped.
    static func quoted(_ s: String, limit: Int) -> String {
        var out = "\""
        for c in Sanitizer.clean(String(s.prefix(limit))).unicodeScalars {
            if c == "\\" || c == "\"" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out + "\""
    }

    /// A bare value: sanitised, without separators.
    static func bare(_ s: String) -> String {
        String(Sanitizer.clean(s).unicodeScalars.filter { $0 != "," && $0 != " " && $0 != "=" }.prefix(keptNameBytes).map(Character.init))
    }

    /// `synthesis_start: id=…, text="…", text_len=…, voice=…, upstream=main, path=/tts`.
    public static func start(id: String, text: String?, voice: String?, upstream: String, path: String) -> String {
        var parts = ["id=\(id)"]
        if let text {
            parts.append("text=" + quoted(text, limit: 200))
            parts.append("text_len=\(text.count)")
        }
        if let voice { parts.append("voice=" + bare(voice)) }
        parts.append("upstream=" + bare(upstream))
        parts.append("path=" + bare(String(path.prefix { $0 != "?" })))
        return "synthesis_start: " + parts.joined(separator: ", ")
    }

    /// How a proxied request ended.
    public struct Completion: Sendable {
        public var id: String
        public var upstream: String
        public var httpStatus: Int?
        public var durationMs: Int
        public var ttfbMs: Int?
        public var bytes: Int
        public var audioMs: Int?
        /// `HTTP_<status>`, `UPSTREAM_TIMEOUT`, `UPSTREAM_UNREACHABLE`, `NOT_AUDIO`, `CLIENT_CLOSED`; nil for a success.
        public var errorCode: String?

        public init(id: String, upstream: String, httpStatus: Int?, durationMs: Int, ttfbMs: Int?, bytes: Int,
                    audioMs: Int?, errorCode: String?) {
            self.id = id; self.upstream = upstream; self.httpStatus = httpStatus; self.durationMs = durationMs
            self.ttfbMs = ttfbMs; self.bytes = bytes; self.audioMs = audioMs; self.errorCode = errorCode
        }
    }

    /// `synthesis_complete: id=…, status=…, duration_ms=…, ttfb_ms=…, audio_size_kb=…, audio_ms=…, upstream=…, http_status=…[, error_code=…]`.
    public static func complete(_ c: Completion) -> String {
        var parts = ["id=\(c.id)", "status=\(c.errorCode == nil ? "success" : "failed")", "duration_ms=\(c.durationMs)"]
        if let t = c.ttfbMs { parts.append("ttfb_ms=\(t)") }
        parts.append("audio_size_kb=\((c.bytes + 1023) / 1024)")
        if let a = c.audioMs { parts.append("audio_ms=\(a)") }
        parts.append("upstream=" + bare(c.upstream))
        if let s = c.httpStatus { parts.append("http_status=\(s)") }
        if let code = c.errorCode { parts.append("error_code=" + bare(code)) }
        return "synthesis_complete: " + parts.joined(separator: ", ")
    }

    /// The error code of an upstream answer: `HTTP_<status>` for 4xx/5xx, `NOT_AUDIO` for a 200
    /// that is not `audio/*` on a synthesis path; nil when it is a success.
    public static func answerCode(status: Int, contentType: String?, synthesis: Bool) -> String? {
        if status >= 400 { return "HTTP_\(status)" }
        if synthesis, status == 200, !(contentType?.lowercased().hasPrefix("audio/") ?? false) { return "NOT_AUDIO" }
        return nil
    }

    /// Whether a request is probe traffic (forwarded, never logged as a request).
    public static func isProbe(method: String, path: String) -> Bool {
        (method == "GET" || method == "HEAD") && ["/health", "/healthz", "/ready", "/metrics"].contains(String(path.prefix { $0 != "?" }))
    }

    /// The audio length a WAV header states (data size ÷ byte rate), in milliseconds; nil when
    /// the bytes are no WAV header or its sizes are placeholders (a streamed WAV).
    public static func wavMilliseconds(_ b: [UInt8]) -> Int? {
        guard b.count >= 12, b[0...3] == [0x52, 0x49, 0x46, 0x46], b[8...11] == [0x57, 0x41, 0x56, 0x45] else { return nil }
        var i = 12
        var byteRate = 0
        while i + 8 <= b.count {
            let size = AudioInspector.le32(b, i + 4)
            if b[i...(i + 3)] == [0x66, 0x6D, 0x74, 0x20], i + 16 <= b.count - 8 {       // "fmt "
                byteRate = AudioInspector.le32(b, i + 16)
            } else if b[i...(i + 3)] == [0x64, 0x61, 0x74, 0x61] {                       // "data"
                guard byteRate > 0, size > 0, size < 0x7FFF_FFFF else { return nil }
                return Int((Double(size) * 1000 / Double(byteRate)).rounded())
            }
            guard size >= 0, size < 0x7FFF_FFFF else { return nil }
            i += 8 + size + (size & 1)
        }
        return nil
    }
}
