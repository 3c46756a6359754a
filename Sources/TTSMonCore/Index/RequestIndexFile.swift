import Foundation

/// A stored index opened for lookups: its head is read and checked at once; a lookup reads and
/// checks only the entry chunks of one bucket, a jump into gzip only one access point's state.
/// Whatever fails a check makes the lookup answer nil (the caller searches the file whole and
/// indexes it again).
final class RequestIndexFile {
    let head: IndexHead
    let fd: Int32
    let length: Int64

    private init(head: IndexHead, fd: Int32, length: Int64) { self.head = head; self.fd = fd; self.length = length }
    deinit { close(fd) }

    /// Opens `path`; nil when it is missing or its head is not a whole, intact index head.
    static func open(_ path: String) -> RequestIndexFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, let prefix = IndexedFileFacts.readRange(fd: fd, 0..<Int64(IndexHead.prefixLength)),
              let length = IndexHead.length(prefix), Int64(length) <= Int64(st.st_size), length < 1 << 30,
              let bytes = IndexedFileFacts.readRange(fd: fd, 0..<Int64(length)), let head = IndexHead(bytes) else {
            close(fd)
            return nil
        }
        return RequestIndexFile(head: head, fd: fd, length: Int64(st.st_size))
    }

    /// The merged text ranges of `id`; nil when the entries read fail their checks.
    func ranges(of id: String) -> [Range<Int64>]? {
        let hash = IndexEntry.hash(RequestKey(id)) & RequestIndex.keptHash
        let b = Int(hash >> UInt64(64 - head.bucketBits))
        let from = Int(head.buckets[b]), to = Int(head.buckets[b + 1])
        guard from < to else { return [] }
        let chunkSize = RequestIndex.chunkEntries
        var entries: [IndexEntry] = []
        for chunk in (from / chunkSize)...((to - 1) / chunkSize) {
            let first = chunk * chunkSize, last = min(head.entryCount, first + chunkSize)
            let size = RequestIndex.entryBytes
            let at = Int64(head.entriesOffset + first * size)
            guard at + Int64((last - first) * size) <= length,
                  let bytes = IndexedFileFacts.readRange(fd: fd, at..<(at + Int64((last - first) * size))),
                  let some = head.entries(chunk: chunk, bytes: bytes) else { return nil }
            entries += some.enumerated().filter { (first + $0.offset) >= from && (first + $0.offset) < to }.map(\.element)
        }
        return IndexEntry.ranges(of: hash, in: entries)
    }

    /// The latest access point at or before a text offset, its state read and checked.
    func point(before offset: Int64) -> AccessPoint? {
        guard let p = head.points.last(where: { $0.textOffset <= offset }),
              Int64(p.stateOffset + p.stateLength) <= length,
              let state = IndexedFileFacts.readRange(fd: fd, Int64(p.stateOffset)..<Int64(p.stateOffset + p.stateLength)),
              CRC32.of(state) == p.stateCRC else { return nil }
        return AccessPoint(textOffset: p.textOffset, rawOffset: p.rawOffset, state: state, check: p.check, checkLength: p.checkLength)
    }

    /// The whole index, every part checked (to extend it).
    func loadAll() -> RequestIndex? {
        IndexedFileFacts.readRange(fd: fd, 0..<length).flatMap { RequestIndex(decoding: $0) }
    }
}
