import Foundation

/// Follows one path through rotation, like `tail -F`: performs what `FollowState` decides with
/// real system calls and hands over complete lines. A partial last line is held until its
/// newline arrives; lines over the length limit are skipped unread.
public final class FileFollower: FollowedSource {
    /// One complete line (valid only during the callback) with its byte offset, or a skipped
    /// overlong line.
    public typealias LineHandler = (LineReader.Line) -> Void

    public private(set) var state: FollowState
    public let path: String
    let maxLineLength: Int
    var fd: Int32 = -1
    var splitter: LineSplitter
    var readBuffer: UnsafeMutableRawBufferPointer
    /// Notes for the user (waiting, unreadable, truncated), newest last; the caller drains them.
    public var notes: [String] = []
    /// Total bytes read from this path, across rotations.
    public private(set) var bytesRead: Int64 = 0
    /// Lines longer than the limit that were skipped.
    public var overlongLines: Int { splitter.overlongLines }

    /// `partialLineGrace`: how long a last line without its newline waits for it before it
    /// counts as a line (the file is then taken as no longer written).
    /// `startOffset`: where the first file opened is read from (a line start), unless `startAtEnd`.
    public init(path: String, startAtEnd: Bool = false, startOffset: Int64 = 0, maxLineLength: Int = 1 << 20,
                partialLineGrace: Duration = .seconds(3)) {
        self.path = path
        self.partialLineGrace = partialLineGrace
        self.maxLineLength = maxLineLength
        splitter = LineSplitter(maxLineLength: maxLineLength)
        state = FollowState(path: path, startAtEnd: startAtEnd, startOffset: startOffset)
        readBuffer = .allocate(byteCount: 1 << 18, alignment: 64)
    }

    deinit {
        if fd >= 0 { close(fd) }
        readBuffer.deallocate()
    }

    /// The path's current state on disk.
    public static func observe(_ path: String) -> PathObservation {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return .missing }
            return .unreadable(String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { return .unreadable("is a directory") }
        if access(path, R_OK) != 0 { return .unreadable(String(cString: strerror(errno))) }
        return .present(FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), size: Int64(st.st_size))
    }

    /// Size of the open file, or nil when none is open.
    func openFileSize() -> Int64? {
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    public var displayName: String { path }
    public var lastWritten: Date? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
    }
    public var hasBacklog: Bool { !backlog.isEmpty }
    public var unreadBytes: Int64 {
        backlog.reduce(0) { total, action in
            if case .read(let from, let to) = action { return total + max(0, to - from) }
            return total
        }
    }
    public var rotations: Int { state.rotations }
    public var problem: String? { state.problem }

    /// Actions decided but not yet done because a poll's byte budget ran out.
    var backlog: [FollowState.Action] = []

    /// Checks the path once and delivers every new complete line. Returns true when it read
    /// anything.
    @discardableResult
    public func poll(_ handle: LineHandler) -> Bool { poll(budget: nil, handle) }

    /// Like `poll`, reading at most about `budget` bytes (the rest on later polls), so a UI loop
    /// never waits on a large history.
    @discardableResult
    public func poll(budget: Int?, _ handle: LineHandler) -> Bool {
        let before = bytesRead
        if backlog.isEmpty {
            backlog = state.observe(path: FileFollower.observe(path), openFileSize: openFileSize())
        }
        perform(budget: budget, handle)
        let now = ContinuousClock.now
        if bytesRead != before {
            lastGrowth = now
        } else if backlog.isEmpty, splitter.holdsPartialLine, now - lastGrowth >= partialLineGrace {
            // A last line without its newline in a file no longer written is a line (as report
            // counts it).
            splitter.flush(handle)
        }
        return bytesRead != before
    }

    let partialLineGrace: Duration
    /// When the file last grew.
    var lastGrowth = ContinuousClock.now

    func perform(budget: Int?, _ handle: LineHandler) {
        var left = budget ?? Int.max
        while !backlog.isEmpty {
            let action = backlog.removeFirst()
            if case .read(let from, let to) = action, to - from > Int64(left) {
                // Read part now, keep the rest (and everything after it) for the next poll.
                let cut = from + Int64(max(0, left))
                readRange(from: from, upTo: cut, handle)
                backlog.insert(.read(from: cut, upTo: to), at: 0)
                return
            }
            if case .read(let from, let to) = action { left -= Int(to - from) }
            perform([action], handle)
        }
    }

    func perform(_ actions: [FollowState.Action], _ handle: LineHandler) {
        for action in actions {
            switch action {
            case .open(let identity, _):
                splitter.flush(handle)
                if fd >= 0 { close(fd); fd = -1 }
                // Never blocks, whatever the path turned into (a FIFO blocks a plain open).
                let newFD = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
                var st = stat()
                if newFD < 0 || fstat(newFD, &st) != 0
                    || FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)) != identity {
                    if newFD >= 0 { close(newFD) }
                    // Raced with another rotation: drop what was planned, start over on the next poll.
                    backlog.removeAll()
                    perform(state.openFailed(newFD < 0 ? String(cString: strerror(errno)) : "changed while opening"), handle)
                    return
                }
                fd = newFD
            case .read(let from, let size):
                readRange(from: from, upTo: size, handle)
            case .restartFromZero:
                splitter.flush(handle)
            case .close:
                splitter.flush(handle)
                if fd >= 0 { close(fd); fd = -1 }
            case .note(let message):
                notes.append(message)
            }
        }
    }

    /// Reads `[from, size)` of the open file, splitting lines.
    func readRange(from: Int64, upTo size: Int64, _ handle: LineHandler) {
        guard fd >= 0 else { return }
        var at = from
        while at < size {
            let want = Int(min(Int64(readBuffer.count), size - at))
            let n = pread(fd, readBuffer.baseAddress, want, off_t(at))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }   // shrank meanwhile: the next poll sees the truncation
            let chunkStart = at
            at += Int64(n)
            bytesRead += Int64(n)
            splitter.split(UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]).bindMemory(to: UInt8.self), at: chunkStart, handle)
        }
    }
}
