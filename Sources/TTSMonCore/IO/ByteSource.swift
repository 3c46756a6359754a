import Foundation

/// Something that yields bytes in chunks: a plain file, a gzip stream, standard input.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; 0 at the end. Damage is reported through `warning`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int
    /// A problem met while reading (truncated or corrupt gzip, read error), if any.
    var warning: String? { get }
    /// Bytes consumed from the underlying file so far (compressed bytes for gzip).
    var rawBytesRead: Int64 { get }
}

extension ByteSource {
    /// Up to `count` bytes, fewer only at the end of the source (or where it failed).
    func readUpTo(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
            if n == 0 { break }
            got += n
        }
        bytes.removeSubrange(got...)
        return bytes
    }
}

/// Errors opening inputs; their text is the one-line message users see.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reads a file descriptor with `read(2)` or, for a byte range, `pread(2)`.
public final class FileDescriptorSource: ByteSource {
    let fd: Int32
    let ownsDescriptor: Bool
    var offset: Int64
    let end: Int64?
    public private(set) var warning: String?
    public private(set) var rawBytesRead: Int64 = 0

    /// Reads `fd` from its current position to the end.
    public init(fd: Int32, ownsDescriptor: Bool) {
        self.fd = fd; self.ownsDescriptor = ownsDescriptor; offset = -1; end = nil
    }

    /// Reads the byte range `[start, end)` of `fd` with pread.
    public init(fd: Int32, range: Range<Int64>) {
        self.fd = fd; ownsDescriptor = false; offset = range.lowerBound; end = range.upperBound
    }

    deinit { if ownsDescriptor { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var want = buffer.count
        if let end { want = Int(min(Int64(want), end - offset)) }
        guard want > 0 else { return 0 }
        while true {
            let n = offset >= 0 ? pread(fd, buffer.baseAddress, want, off_t(offset)) : Glibc.read(fd, buffer.baseAddress, want)
            if n < 0 {
                if errno == EINTR { continue }
                warning = "read error: \(String(cString: strerror(errno)))"
                return 0
            }
            if offset >= 0 { offset += Int64(n) }
            rawBytesRead += Int64(n)
            return n
        }
    }
}

/// At most `limit` bytes of another source.
final class LimitedSource: ByteSource {
    let rest: ByteSource
    var left: Int64
    var warning: String? { rest.warning }
    var rawBytesRead: Int64 { rest.rawBytesRead }

    init(_ rest: ByteSource, limit: Int64) { self.rest = rest; left = max(0, limit) }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard left > 0 else { return 0 }
        let want = Int(min(Int64(buffer.count), left))
        let n = rest.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        left -= Int64(n)
        return n
    }
}
