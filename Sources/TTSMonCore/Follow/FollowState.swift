/// A file's identity on disk: rotation by rename gives the path a new identity.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public init(device: UInt64, inode: UInt64) { self.device = device; self.inode = inode }
}

/// What `stat(2)` says about the followed path right now.
public enum PathObservation: Equatable, Sendable {
    case present(FileIdentity, size: Int64)
    case missing
    case unreadable(String)
}

/// The follower's state machine, in the manner of GNU `tail -F` and lnav: a value fed with
/// file-system facts that answers with actions, so every rotation case is a unit test.
///
/// - rename + create: the path gets a new identity → finish the old file to its end, then read
///   the new one from 0;
/// - copytruncate: the open file's size drops below our offset → read again from 0;
/// - delete, re-create later: keep what is open until the path reappears, then read it from 0;
/// - a path that does not exist yet, or cannot be read: say so once, keep trying.
public struct FollowState: Sendable, Equatable {
    /// What the driver must do, in order.
    public enum Action: Equatable, Sendable {
        /// Open the path (expected to have this identity) and start reading at the offset.
        case open(FileIdentity, from: Int64)
        /// Read this byte range of the open file (the state already counts it as consumed).
        case read(from: Int64, upTo: Int64)
        /// The open file was truncated: hand over any partial line, start again at 0.
        case restartFromZero
        /// Close the open file (after draining it): the next `open` replaces it.
        case close
        /// Tell the user something about this source (waiting, unreadable, rotated).
        case note(String)
    }

    public enum Phase: Equatable, Sendable { case waiting, following }

    public let path: String
    public private(set) var phase: Phase = .waiting
    /// Identity of the open file, if any.
    public private(set) var current: FileIdentity?
    /// Bytes consumed from the open file.
    public private(set) var offset: Int64 = 0
    /// Rotations seen (rename, truncation, re-creation).
    public private(set) var rotations = 0
    /// The last problem reported, so it is said once, not every poll.
    public private(set) var problem: String?
    /// Where the first file opened starts: 0 to read history, or its size (`--from-end`).
    var startAtEnd: Bool
    /// Else where its reading starts: the start of its recent history (`TimeSeek`), 0 for all.
    var startOffset: Int64
    var opened = false

    public init(path: String, startAtEnd: Bool = false, startOffset: Int64 = 0) {
        self.path = path
        self.startAtEnd = startAtEnd
        self.startOffset = startOffset
    }

    /// Decides what to do given the path's state and the open file's current size.
    public mutating func observe(path observation: PathObservation, openFileSize: Int64?) -> [Action] {
        var actions: [Action] = []
        switch phase {
        case .waiting:
            switch observation {
            case .present(let identity, let size):
                let from = opened ? 0 : startAtEnd ? size : min(max(0, startOffset), size)
                if opened { rotations += 1 }
                opened = true
                current = identity
                offset = from
                phase = .following
                problem = nil
                actions.append(.open(identity, from: from))
                if size > from { actions.append(read(upTo: size)) }
            case .missing:
                actions += say("waiting for \(path) to appear")
            case .unreadable(let reason):
                actions += say("\(path): \(reason)")
            }
        case .following:
            // First drain or re-read the file we have open.
            if let size = openFileSize {
                if size < offset {
                    rotations += 1
                    offset = 0
                    actions.append(.restartFromZero)
                    actions += say("\(path) was truncated; reading it again from the start")
                    problem = nil
                }
                if size > offset { actions.append(read(upTo: size)) }
            }
            switch observation {
            case .present(let identity, let size) where identity != current:
                // Rotated by rename (or deleted and re-created): the old file is drained above.
                actions.append(.close)
                rotations += 1
                current = identity
                offset = 0
                problem = nil
                actions.append(.open(identity, from: 0))
                if size > 0 { actions.append(read(upTo: size)) }
            case .present:
                if problem != nil { problem = nil }
            case .missing:
                actions += say("\(path) was removed or renamed; waiting for it to come back")
            case .unreadable(let reason):
                actions += say("\(path): \(reason)")
            }
        }
        return actions
    }

    /// A read of everything up to `size`, counted as consumed now: later actions in the same
    /// answer then start from the right place.
    private mutating func read(upTo size: Int64) -> Action {
        defer { offset = size }
        return .read(from: offset, upTo: size)
    }

    /// The open file could not be opened after all (raced with rotation): wait and retry.
    public mutating func openFailed(_ reason: String) -> [Action] {
        phase = .waiting
        current = nil
        offset = 0
        return say("\(path): \(reason)")
    }

    private mutating func say(_ message: String) -> [Action] {
        guard problem != message else { return [] }
        problem = message
        return [.note(message)]
    }
}
