import Foundation

/// Rendered records kept in large byte chunks, in generation order, plus the index needed to
/// put them in time order. A record is one timestamped line plus anything glued to it
/// (a traceback, a hostile line); records are never split across files.
struct GenRecordArena {
    /// Where one record lives and what it holds.
    struct Ref {
        var time: Int64
        var chunk: Int32
        var offset: Int32
        var length: Int32
        var lines: Int32
        /// Index of the request whose completion line this record is, or -1.
        var completes: Int32
    }

    private static let chunkLimit = 48 << 20

    private(set) var chunks: [[UInt8]] = []
    var buffer = GenLineBuffer(capacity: GenRecordArena.chunkLimit + (1 << 20))
    private(set) var refs: [Ref] = []
    private var recordStart = 0
    private var recordTime: Int64 = 0

    init(expectedRecords: Int) {
        refs.reserveCapacity(expectedRecords)
    }

    /// Starts a record at `time`; render its bytes into `buffer`, then call `end`.
    @inline(__always)
    mutating func begin(time: Int64) {
        recordStart = buffer.count
        recordTime = time
    }

    /// Closes the record started by `begin`.
    @inline(__always)
    mutating func end(lines: Int, completes: Int = -1) {
        refs.append(Ref(time: recordTime, chunk: Int32(chunks.count), offset: Int32(recordStart),
                        length: Int32(buffer.count - recordStart), lines: Int32(lines), completes: Int32(completes)))
        if buffer.count >= GenRecordArena.chunkLimit { seal() }
    }

    /// Moves the current chunk into `chunks` (call once more before reading).
    mutating func seal() {
        guard buffer.count > 0 else { return }
        chunks.append(buffer.bytes)
        buffer = GenLineBuffer(capacity: GenRecordArena.chunkLimit + (1 << 20))
    }

    /// Record indices ordered by time, ties in generation order.
    func timeOrder() -> [Int] {
        guard let minTime = refs.lazy.map(\.time).min(), let maxTime = refs.lazy.map(\.time).max() else { return [] }
        let indexBits = max(1, Int.bitWidth - refs.count.leadingZeroBitCount)
        let span = UInt64(maxTime - minTime)
        if indexBits < 63, span < (UInt64(1) << UInt64(64 - indexBits)) {
            var keys = [UInt64]()
            keys.reserveCapacity(refs.count)
            for (i, ref) in refs.enumerated() {
                keys.append(UInt64(ref.time - minTime) << UInt64(indexBits) | UInt64(i))
            }
            keys.sort()
            let mask = (UInt64(1) << UInt64(indexBits)) - 1
            return keys.map { Int($0 & mask) }
        }
        return refs.indices.sorted { a, b in
            refs[a].time != refs[b].time ? refs[a].time < refs[b].time : a < b
        }
    }
}
