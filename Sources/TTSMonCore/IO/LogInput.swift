import Foundation

/// One input named by the user: a path, or `-` for standard input.
public struct LogInput: Sendable, Hashable {
    public var path: String
    /// The user's formats (format files), tried before the built-in ones when detecting.
    public var formats: [LogFormat]
    public init(path: String) { self.init(path: path, formats: []) }
    public init(path: String, formats: [LogFormat]) { self.path = path; self.formats = formats }

    public var isStandardInput: Bool { path == "-" }

    /// Name shown in output.
    public var displayName: String { isStandardInput ? "<stdin>" : path }
}

/// An opened input: its format is detected, its bytes are ready to split into lines.
public final class OpenedLog {
    public let input: LogInput
    public let compressed: Bool
    public let format: LogFormat
    /// Size on disk (compressed size for gzip); nil for standard input.
    public let fileSize: Int64?
    public let source: ByteSource
    /// The descriptor of a plain (uncompressed) file, for reading byte ranges with pread.
    public let plainFileDescriptor: Int32?
    /// The descriptor of the file, plain or gzip (nil for standard input).
    let fileDescriptor: Int32?
    /// The inflater of a gzip file.
    let gzip: GzipSource?

    init(input: LogInput, compressed: Bool, format: LogFormat, fileSize: Int64?, source: ByteSource, fd: Int32?, gzip: GzipSource?) {
        self.input = input; self.compressed = compressed; self.format = format
        self.fileSize = fileSize; self.source = source; fileDescriptor = fd; self.gzip = gzip
        plainFileDescriptor = compressed ? nil : fd
    }

    /// A line reader over the whole input.
    public func lines() -> LineReader { LineReader(source: source) }
}

/// Opens inputs: checks they are readable files, sniffs gzip magic and the log format.
public enum LogOpener {
    static let sniffBytes = 64 << 10

    /// Opens a path (or `-`). Throws a one-line `InputError` naming the path.
    public static func open(_ input: LogInput, format forced: LogFormat? = nil) throws -> OpenedLog {
        let fd: Int32
        var size: Int64?
        if input.isStandardInput {
            fd = dup(0)
        } else {
            fd = Glibc.open(input.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw InputError("\(input.path): \(String(cString: strerror(errno)))") }
            var st = stat()
            guard fstat(fd, &st) == 0 else { close(fd); throw InputError("\(input.path): cannot stat") }
            if (st.st_mode & S_IFMT) == S_IFDIR { close(fd); throw InputError("\(input.path): is a directory") }
            size = Int64(st.st_size)
        }
        let file = FileDescriptorSource(fd: fd, ownsDescriptor: true)
        var raw: ByteSource = file
        // Sniff a compression magic from the first bytes, then replay them.
        let magic = raw.readUpTo(Compression.magicLength)
        if let problem = raw.warning { throw InputError("\(input.displayName): \(problem)") }
        raw = PrefixedSource(prefix: magic, rest: raw)
        let compression = Compression.detect(magic)
        if let why = compression?.unsupported { throw InputError("\(input.displayName): \(why)") }
        let compressed = compression == .gzip
        let gzip = compressed ? GzipSource(raw) : nil
        var source: ByteSource = gzip ?? raw
        // Sniff the format from the first lines of the (decompressed) stream.
        let head = source.readUpTo(sniffBytes)
        let format = forced ?? LogFormat.detect(firstLines: firstLines(of: head, limit: 30), user: input.formats)
        source = PrefixedSource(prefix: head, rest: source)
        return OpenedLog(input: input, compressed: compressed, format: format, fileSize: size, source: source,
                         fd: input.isStandardInput ? nil : file.fd, gzip: gzip)
    }

    /// Splits up to `limit` complete lines off the front of `bytes`.
    static func firstLines(of bytes: [UInt8], limit: Int) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 10 {
            lines.append(Array(bytes[start..<i]))
            start = i + 1
            if lines.count == limit { break }
        }
        if lines.isEmpty, !bytes.isEmpty { lines.append(Array(bytes.prefix(4096))) }
        return lines
    }
}

extension LogInput {
    /// Rotation index of a name like `app.log.3.gz` or `app.log.2` (0 for the live file) and the base name.
    public var rotation: (base: String, index: Int) {
        var name = path
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if let dot = name.lastIndex(of: "."), let n = Int(name[name.index(after: dot)...]), n >= 0 {
            return (String(name[..<dot]), n)
        }
        return (path.hasSuffix(".gz") ? name : path, 0)
    }

    /// Orders inputs oldest first: within one rotated set the highest index first, the live file last.
    public static func chronological(_ inputs: [LogInput]) -> [LogInput] {
        inputs.enumerated().sorted { a, b in
            let ra = a.element.rotation, rb = b.element.rotation
            if ra.base != rb.base { return a.offset < b.offset }
            if ra.index != rb.index { return ra.index > rb.index }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// The rotated siblings of a live file that exist (`NAME.N`, `NAME.N.gz`), newest first.
    public func rotatedSiblings() -> [LogInput] {
        guard !isStandardInput else { return [] }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let base = url.lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        var found: [(Int, String)] = []
        for name in names where name.hasPrefix(base + ".") {
            var rest = String(name.dropFirst(base.count + 1))
            if rest.hasSuffix(".gz") { rest.removeLast(3) }
            if let n = Int(rest), n > 0 { found.append((n, name)) }
        }
        let prefix = path.hasSuffix(base) ? String(path.dropLast(base.count)) : ""
        return found.sorted { $0.0 < $1.0 }.map { LogInput(path: prefix + $0.1, formats: formats) }
    }
}
