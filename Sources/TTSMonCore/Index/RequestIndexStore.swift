import CInflate
import Foundation

/// What identifies a file for the index: device, inode, size, and a CRC of its first 4 KB.
/// A rotated file keeps its identity when renamed (`app.log` → `app.log.1`), so its index does.
struct IndexedFileFacts: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var headCRC: UInt32
    var compressed: Bool

    static let headBytes = 4096

    /// The facts of an open regular file; nil for anything else (a FIFO, standard input).
    static func of(fd: Int32, compressed: Bool) -> IndexedFileFacts? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        guard let head = readRange(fd: fd, 0..<min(Int64(st.st_size), Int64(headBytes))) else { return nil }
        return IndexedFileFacts(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                                headCRC: CRC32.of(head), compressed: compressed)
    }

    /// CRC-32 of the 4 KB of raw bytes before `end`.
    static func tailCRC(fd: Int32, end: Int64) -> UInt32? {
        readRange(fd: fd, max(0, end - Int64(headBytes))..<end).map { CRC32.of($0) }
    }

    /// The bytes of `range`, or nil when the file holds fewer (or a read fails).
    static func readRange(fd: Int32, _ range: Range<Int64>) -> [UInt8]? {
        let bytes = FileDescriptorSource(fd: fd, range: range).readUpTo(Int(range.count))
        return bytes.count == range.count ? bytes : nil
    }

    /// The cache file's name: the same file under any path maps to it.
    var cacheName: String { "\(String(device, radix: 16))-\(String(inode, radix: 16))-\(String(headCRC, radix: 16)).idx" }
}

/// The request indexes kept under `$XDG_CACHE_HOME/ttsmon/index/` (default `~/.cache/ttsmon/`).
/// Written atomically (temporary file, rename); read only after checks, never trusted: a
/// damaged, foreign or stale index file is ignored and built again.
public struct RequestIndexStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Size of the inflater state access points save (0 without ISA-L).
    static var stateSize: Int { Int(ttsmon_inflater_state_size()) }

    /// The default place, from the environment; nil when there is no home to put it in.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> RequestIndexStore? {
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") { return RequestIndexStore(directory: cache + "/ttsmon/index") }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return RequestIndexStore(directory: home + "/.cache/ttsmon/index")
    }

    func path(for facts: IndexedFileFacts) -> String { directory + "/" + facts.cacheName }

    /// The index of an open file, opened for lookups, when one is stored, its head intact, and
    /// it still describes the file: same identity and format, and a covered part the file still
    /// holds unchanged (a gzip file must not have changed at all).
    func open(for facts: IndexedFileFacts, fd: Int32, formatName: String) -> RequestIndexFile? {
        guard let file = RequestIndexFile.open(path(for: facts)) else { return nil }
        let c = file.head.coverage
        guard c.describes(facts, formatName: formatName), IndexedFileFacts.tailCRC(fd: fd, end: c.coveredRaw) == c.tailCRC else { return nil }
        utime(path(for: facts), nil)   // used: kept by `prune`
        return file
    }

    /// Stores an index (best effort: a cache that cannot be written only costs speed).
    @discardableResult
    func save(_ index: RequestIndex, for facts: IndexedFileFacts) -> Bool {
        let fm = FileManager.default
        guard (try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return false }
        let final = path(for: facts)
        let temporary = final + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard RequestIndexStore.write(index.encoded(), to: temporary) else { unlink(temporary); return false }
        guard rename(temporary, final) == 0 else { unlink(temporary); return false }
        prune()
        return true
    }

    /// Writes a new file whole (no copy into `Data` first: an index runs to megabytes).
    static func write(_ bytes: [UInt8], to path: String) -> Bool {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { StandardStream.writeAll(fd, $0) } == nil
    }

    /// Days an index may go unused before it is removed (its file is most likely gone).
    static let unusedDays = 30

    /// Removes indexes unused for `unusedDays` and temporary files left by a killed writer.
    func prune(now: Date = Date()) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasSuffix(".idx") || name.hasSuffix(".tmp") {
            let path = directory + "/" + name
            guard let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { continue }
            let limit = name.hasSuffix(".tmp") ? 3600 : Double(RequestIndexStore.unusedDays) * 86_400
            if now.timeIntervalSince(modified) > limit { unlink(path) }
        }
    }

    /// Removes every stored index; returns how many files and bytes went.
    public func clear() -> (files: Int, bytes: Int64) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return (0, 0) }
        var files = 0, bytes: Int64 = 0
        for name in names where name.hasSuffix(".idx") || name.hasSuffix(".tmp") {
            let path = directory + "/" + name
            let size = ((try? fm.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            if unlink(path) == 0 { files += 1; bytes += size }
        }
        return (files, bytes)
    }
}
