import Foundation

/// Follows a named pipe (FIFO) without ever blocking: opened non-blocking, so a FIFO with no
/// writer neither stalls the caller nor keeps SIGINT and SIGTERM from ending it. Whatever
/// writers send is read as it comes; when the last writer closes, its unterminated last line is
/// a line, and the pipe waits for the next writer.
public final class PipeFollower: FollowedSource {
    public let path: String
    public private(set) var bytesRead: Int64 = 0
    public let rotations = 0
    public private(set) var problem: String?
    public var notes: [String] = []
    var fd: Int32 = -1
    var splitter: LineSplitter
    var buffer = [UInt8](repeating: 0, count: 1 << 16)

    public init(path: String, maxLineLength: Int = 1 << 20) {
        self.path = path
        splitter = LineSplitter(maxLineLength: maxLineLength)
    }

    deinit { if fd >= 0 { close(fd) } }

    public var displayName: String { path }

    public func poll(_ handle: (LineReader.Line) -> Void) -> Bool { poll(budget: nil, handle) }

    public func poll(budget: Int?, _ handle: (LineReader.Line) -> Void) -> Bool {
        if fd < 0 {
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else {
                let why = String(cString: strerror(errno))
                if problem != why { problem = why; notes.append("\(path): \(why)") }
                return false
            }
            problem = nil
        }
        var left = budget ?? Int.max
        var got = false
        while left > 0 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, left)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                // 0: no writer now (the last one closed); EAGAIN: a writer, nothing new.
                if n == 0 { splitter.flush(handle) }
                break
            }
            buffer.withUnsafeBufferPointer { splitter.split(UnsafeBufferPointer(rebasing: $0[0..<n]), at: bytesRead, handle) }
            bytesRead += Int64(n)
            left -= n
            got = true
        }
        return got
    }
}

/// Reads a compressed (rotated) log once, through the same opener as `report` (gzip inflated,
/// other compressions named as not supported): a rotated file never changes again, so it is
/// history to read, not a file to follow. Reads about `budget` bytes a poll.
public final class WholeFileFollower: FollowedSource {
    public let path: String
    public private(set) var bytesRead: Int64 = 0
    public let rotations = 0
    public private(set) var problem: String?
    public var notes: [String] = []
    var log: OpenedLog?
    var finished = false
    var splitter: LineSplitter
    var buffer = [UInt8](repeating: 0, count: 1 << 18)
    var streamOffset: Int64 = 0

    public init(path: String, maxLineLength: Int = 1 << 20) {
        self.path = path
        splitter = LineSplitter(maxLineLength: maxLineLength)
    }

    public var displayName: String { path }
    public var isHistory: Bool { true }

    public func poll(_ handle: (LineReader.Line) -> Void) -> Bool { poll(budget: nil, handle) }

    public func poll(budget: Int?, _ handle: (LineReader.Line) -> Void) -> Bool {
        guard !finished else { return false }
        if log == nil {
            do { log = try LogOpener.open(LogInput(path: path)) } catch {
                finished = true
                problem = "\(error)"
                notes.append(problem!)
                return false
            }
        }
        guard let source = log?.source else { return false }
        var left = budget ?? Int.max
        let before = bytesRead
        while left > 0 {
            let n = buffer.withUnsafeMutableBytes { source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min($0.count, left)])) }
            if n == 0 {
                splitter.flush(handle)
                finished = true
                if let warning = source.warning { problem = warning; notes.append("\(path): \(warning)") }
                log = nil
                break
            }
            buffer.withUnsafeBufferPointer { splitter.split(UnsafeBufferPointer(rebasing: $0[0..<n]), at: streamOffset, handle) }
            streamOffset += Int64(n)
            left -= n
            bytesRead = source.rawBytesRead
        }
        return bytesRead != before || finished
    }
}
