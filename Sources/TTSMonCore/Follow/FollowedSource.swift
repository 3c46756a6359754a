import Foundation

/// Something followed live: a file through rotation, or standard input.
public protocol FollowedSource: AnyObject {
    var displayName: String { get }
    /// Total bytes read so far.
    var bytesRead: Int64 { get }
    var rotations: Int { get }
    /// The current problem (waiting for the file, unreadable...), if any.
    var problem: String? { get }
    /// Messages for the user since the caller last emptied the list.
    var notes: [String] { get set }
    /// Delivers every complete line that arrived since the last poll; true when it read anything.
    @discardableResult
    func poll(_ handle: (LineReader.Line) -> Void) -> Bool
    /// Like `poll`, reading about `budget` bytes at most (nil: no limit).
    @discardableResult
    func poll(budget: Int?, _ handle: (LineReader.Line) -> Void) -> Bool
    /// When the followed file was last written (nil for streams, or a file not there yet).
    var lastWritten: Date? { get }
    /// History read once (a rotated file), never stale: it is not expected to grow.
    var isHistory: Bool { get }
    /// Bytes already there and not read yet (a history still being caught up with).
    var unreadBytes: Int64 { get }
}

extension FollowedSource {
    public var lastWritten: Date? { nil }
    public var isHistory: Bool { false }
    public var unreadBytes: Int64 { 0 }
}

/// Follows standard input (`kubectl logs -f | ttsmon watch --log -`): a thread blocks on
/// read(2) and hands chunks over; `poll` splits them into lines.
public final class StandardInputFollower: FollowedSource, @unchecked Sendable {
    public let displayName = "<stdin>"
    public private(set) var bytesRead: Int64 = 0
    public let rotations = 0
    public private(set) var problem: String?
    public var notes: [String] = []
    private let lock = NSLock()
    private var chunks: [[UInt8]] = []
    private var ended = false
    private var splitter: LineSplitter

    public init(fd: Int32 = 0, maxLineLength: Int = 1 << 20) {
        splitter = LineSplitter(maxLineLength: maxLineLength)
        let thread = Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                guard let self else { return }
                self.lock.lock()
                if n <= 0 { self.ended = true; self.lock.unlock(); return }
                self.chunks.append(Array(buffer[0..<n]))
                self.lock.unlock()
            }
        }
        thread.start()
    }

    public func poll(budget: Int?, _ handle: (LineReader.Line) -> Void) -> Bool { poll(handle) }

    public func poll(_ handle: (LineReader.Line) -> Void) -> Bool {
        lock.lock()
        let taken = chunks
        chunks.removeAll()
        let atEnd = ended
        lock.unlock()
        for chunk in taken {
            chunk.withUnsafeBufferPointer { splitter.split($0, at: bytesRead, handle) }
            bytesRead += Int64(chunk.count)
        }
        if atEnd {
            splitter.flush(handle)
            if problem == nil { problem = "standard input closed"; notes.append(problem!) }
        }
        return !taken.isEmpty
    }
}
