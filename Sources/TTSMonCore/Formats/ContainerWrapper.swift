/// The wrappers container runtimes put around each line a service writes. A wrapped file is
/// unwrapped line by line before the inner line is read in its own format; the wrapper's time
/// is the record's time when the inner line has none.
public enum ContainerWrapper: String, Sendable, CaseIterable {
    /// Docker's json-file driver: `{"log":"…\n","stream":"stdout","time":"2025-09-14T03:00:01.326168105Z"}`;
    /// a `log` without its final `\n` is a part of a longer line, joined with the next.
    case docker
    /// CRI (containerd, Kubernetes): `2025-09-14T03:00:01.326168105Z stdout F message`, `P` for a part.
    case cri
    /// `docker logs --timestamps` / `kubectl logs --timestamps`: `2025-09-14T03:00:01.326168105Z message`.
    case timestamps

    /// The name used in format names (`indextts+docker`).
    public var name: String { rawValue }

    /// One unwrapped line.
    struct Piece {
        var bytes: [UInt8]
        var time: LogTimestamp?
        /// The inner line continues in the next wrapped line.
        var partial: Bool
    }

    /// Unwraps one line; nil when it is not in this wrapper.
    func unwrap(_ line: ByteSpan) -> Piece? {
        switch self {
        case .docker: return ContainerWrapper.unwrapDocker(line)
        case .cri, .timestamps:
            guard let (time, used) = LogTimestamp.parseZoned(line), used < line.count, line[used] == 32,
                  line[10] == UInt8(ascii: "T") else { return nil }
            var at = used + 1
            if self == .timestamps { return Piece(bytes: Array(line.slice(at, line.count)), time: time, partial: false) }
            // stream, then the tag (`F`, `P`, or `F:…` with more flags).
            guard let streamEnd = line.slice(at, line.count).firstIndex(of: 32) else { return nil }
            let stream = line.slice(at, at + streamEnd)
            guard stream.equals("stdout") || stream.equals("stderr") else { return nil }
            at += streamEnd + 1
            guard at < line.count else { return nil }
            let partial = line[at] == UInt8(ascii: "P")
            guard partial || line[at] == UInt8(ascii: "F") else { return nil }
            while at < line.count, line[at] != 32 { at += 1 }
            return Piece(bytes: at < line.count ? Array(line.slice(at + 1, line.count)) : [], time: time, partial: partial)
        }
    }

    static func unwrapDocker(_ line: ByteSpan) -> Piece? {
        var scanner = FlatJSONScanner(line)
        guard scanner.beginObject() else { return nil }
        var log: String?
        var time: LogTimestamp?
        while let (key, value) = scanner.nextMember() {
            if key.equals("log"), case .string(let text) = value { log = text }
            if key.equals("time"), case .string(let text) = value { time = LogTimestamp.zoned(text) }
        }
        guard scanner.ok, var text = log else { return nil }
        let partial = !text.hasSuffix("\n")
        if !partial { text.removeLast() }
        return Piece(bytes: Array(text.utf8), time: time, partial: partial)
    }

    /// The wrapper most of the first non-blank lines are in (nil when under half are).
    static func detect(firstLines: [[UInt8]]) -> ContainerWrapper? {
        let lines = firstLines.filter { !$0.allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 } }
        guard !lines.isEmpty else { return nil }
        // CRI before the bare timestamp prefix, which also matches CRI lines.
        for wrapper in [ContainerWrapper.docker, .cri, .timestamps] {
            let matched = lines.filter { line in line.withUnsafeBufferPointer { wrapper.unwrap($0) != nil } }.count
            if matched * 2 > lines.count { return wrapper }
        }
        return nil
    }

    /// The inner line of a sample line (parts not joined), for detecting the inner format.
    func unwrappedSample(_ line: [UInt8]) -> [UInt8]? {
        line.withUnsafeBufferPointer { unwrap($0)?.bytes }
    }
}

/// Unwraps a container log line by line for one parser, joining partial lines.
final class ContainerReader {
    let wrapper: ContainerWrapper
    /// Parts of a line still being joined.
    var partial: [UInt8] = []
    /// The longest joined line kept (as `LineReader`'s line limit).
    static let joinLimit = 1 << 20

    init(_ wrapper: ContainerWrapper) { self.wrapper = wrapper }

    func parse(_ line: ByteSpan, with parser: LineParser, into record: inout LogRecord) -> LineKind {
        guard let piece = wrapper.unwrap(line) else {
            // Not wrapped (a line a person appended, say): read as it is.
            return parser.parseLine(line, into: &record, checked: false)
        }
        if piece.partial {
            if partial.count + piece.bytes.count > ContainerReader.joinLimit { partial = []; return .malformed }
            partial.append(contentsOf: piece.bytes)
            return .joined
        }
        var inner = piece.bytes
        if !partial.isEmpty { inner = partial + inner; partial = [] }
        while inner.last == 13 { inner.removeLast() }
        parser.clock.wrapper = piece.time
        defer { parser.clock.wrapper = nil }
        return inner.withUnsafeBufferPointer { parser.parseLine($0, into: &record, checked: false) }
    }
}
