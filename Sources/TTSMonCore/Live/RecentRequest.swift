import Foundation

/// One completed request as the live index remembers it, for search and jump-to-request-id.
public struct RecentRequest: Sendable, Equatable {
    public var id: String
    /// Time of its `synthesis_complete` line.
    public var time: LogTimestamp
    public var status: RequestStatus
    /// End-to-end duration.
    public var durationMs: Int?
    /// The error code as logged (sanitise it for display), from the completion or else the
    /// request's `synthesis_failed`.
    public var errorCode: String?
    /// The first 80 characters of the start's text, sanitised; nil when no text was logged.
    public var textSnippet: String?
    /// The start's voice, sanitised (at most 64 characters).
    public var voice: String?
    /// The caller's index of the followed file.
    public var source: Int
    /// The file's display name.
    public var file: String
    /// Byte offset of its `synthesis_complete` line in `file`.
    public var offset: Int64

    public init(id: String, time: LogTimestamp, status: RequestStatus, durationMs: Int?, errorCode: String?,
                textSnippet: String?, voice: String?, source: Int, file: String, offset: Int64) {
        self.id = id; self.time = time; self.status = status; self.durationMs = durationMs
        self.errorCode = errorCode; self.textSnippet = textSnippet; self.voice = voice
        self.source = source; self.file = file; self.offset = offset
    }

    /// Characters of text kept in `textSnippet`.
    public static let snippetLength = 80

    /// The snippet of a text: its first `snippetLength` characters (Unicode scalars), sanitised.
    /// Clean short texts are kept as they are, without a copy.
    static func snippet(of text: String) -> String { clipped(text, scalars: snippetLength) }

    /// The first `limit` Unicode scalars of `text`, sanitised; `text` itself when it is short
    /// and holds nothing `Sanitizer.clean` would change.
    static func clipped(_ text: String, scalars limit: Int) -> String {
        var text = text
        // Native strings are contiguous UTF-8: one pass over the bytes, no index arithmetic.
        let (end, mayNeedCleaning) = text.withUTF8 { bytes -> (Int, Bool) in
            var scalars = 0
            var dirty = false
            for (i, b) in bytes.enumerated() {
                if b & 0xC0 != 0x80 {
                    if scalars == limit { return (i, dirty) }
                    scalars &+= 1
                }
                // Controls, DEL, and the lead bytes of C1 controls (C2) and of the line-separator
                // and bidi ranges (E2): the rare texts that need the sanitiser.
                if b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2 { dirty = true }
            }
            return (bytes.count, dirty)
        }
        let kept = end == text.utf8.count ? text : String(Substring(text.utf8.prefix(end)))
        return mayNeedCleaning ? Sanitizer.clean(kept) : kept
    }

    /// What a pending request keeps of its start's text until completion: the text itself when
    /// short, else already its snippet, so in-flight requests never hold long texts.
    static func pendingText(_ text: String) -> String {
        text.utf8.count <= 4 * snippetLength ? text : snippet(of: text)
    }

    /// Characters of voice name kept.
    static let voiceLength = 64

    /// A voice name as the index keeps it: sanitised, at most `voiceLength` characters.
    static func cleanVoice(_ voice: String) -> String { clipped(voice, scalars: voiceLength) }

    /// True when the id equals `query` or the text, voice or error code contains it, ignoring case.
    func matches(_ query: String) -> Bool {
        if id == query { return true }
        @inline(__always) func has(_ field: String?) -> Bool {
            guard let field else { return false }
            return field.range(of: query, options: .caseInsensitive) != nil
        }
        return has(textSnippet) || has(voice) || has(errorCode)
    }
}
