/// A server that prints its progress instead of logging events: labelled lines after a fixed
/// prefix (`>> gpt_gen_time: 3.21 seconds`), one request at a time. Which label means what is
/// data; the lines are joined into requests by order (`SequenceJoiner`).
public struct PrintedFormat: Sendable, Equatable {
    /// What a labelled line tells.
    public enum Role: Sendable, Equatable {
        /// A request begins.
        case start
        /// A stage took this many seconds.
        case stage(String)
        /// The request's whole processing time, in seconds.
        case duration
        /// Seconds of audio produced.
        case audioLength
        /// The real-time factor; the request's last line (it ends as a success).
        case rtf
        /// Understood, carries nothing (`wav file saved to: …`).
        case note
    }

    /// One label and its role.
    public struct Label: Sendable, Equatable {
        public var text: String
        public var role: Role
        public init(_ text: String, _ role: Role) { self.text = text; self.role = role }
    }

    /// What each printed line starts with.
    public var prefix: String
    public var labels: [Label]

    public init(prefix: String, labels: [Label]) { self.prefix = prefix; self.labels = labels }

    /// IndexTTS2's prints (`index-tts/index-tts`, `indextts/infer_v2.py`).
    public static let indexTTS2 = PrintedFormat(prefix: ">> ", labels: [
        Label("starting inference", .start),
        Label("gpt_gen_time", .stage("gpt_gen")),
        Label("gpt_forward_time", .stage("gpt_forward")),
        Label("s2mel_time", .stage("s2mel")),
        Label("bigvgan_time", .stage("bigvgan")),
        Label("Total inference time", .duration),
        Label("Generated audio length", .audioLength),
        Label("RTF", .rtf),
        Label("wav file saved to", .note),
    ])
}

extension LineParser {
    /// A line of a printed format: a known label, a Python traceback (which fails the open
    /// request with the exception's class as its code), or not understood.
    func parsePrintedLine(_ raw: ByteSpan, into record: inout LogRecord) -> LineKind {
        guard let printed, let sequence else { return .noTimestamp }
        if let plain = ANSIEscapes.stripped(raw) {
            return plain.withUnsafeBufferPointer { parsePrintedLine($0, into: &record) }
        }
        guard LineValidation.isCleanText(raw) else { return .malformed }
        var line = raw
        while let first = line.first, first == 32 || first == 9 { line = line.slice(1, line.count) }
        let text = line.string
        guard text.hasPrefix(printed.prefix) else {
            return sequence.traceback(text, indented: line.count != raw.count, parser: self, into: &record)
        }
        let body = text.dropFirst(printed.prefix.count)
        guard let label = printed.labels.first(where: { body.hasPrefix($0.text) }) else { return .noTimestamp }
        resetUntimed(&record)
        let rest = body.dropFirst(label.text.count).drop { $0 == ":" || $0 == " " || $0 == "." }
        let number = Double(rest.prefix { $0.isNumber || $0 == "." })
        switch label.role {
        case .start: sequence.start(&record)
        case .stage(let name): if let number { sequence.stage(name, milliseconds: Int((number * 1000).rounded()), into: &record) }
        case .duration: sequence.open?.durationMs = number.map { Int(($0 * 1000).rounded()) }
        case .audioLength: sequence.open?.audioMs = number.map { Int(($0 * 1000).rounded()) }
        case .rtf:
            sequence.open?.rtf = number.map { Int(($0 * 10_000).rounded()) }
            sequence.end(&record)
        case .note: break
        }
        return .record
    }
}
