import Foundation

/// One file's request index: which blocks of its text hold each id, and, for gzip, access
/// points to start inflating from. Kept under the cache directory by `RequestIndexStore`,
/// checked against the file before use and by its checksums; read whole only to extend it
/// (`RequestIndexFile` reads a lookup's few KB).
///
/// On disk: a head (identity, buckets, chunk checksums, access point directory; its own CRC),
/// then the entries grouped by bucket, then the saved inflater states. Entries are checked in
/// chunks of 1,024 (8 KB), so a lookup verifies only what it reads.
///
/// An entry on disk is 8 bytes: the top 32 bits of its id's hash, its first block (24 bits)
/// and how many blocks it runs on (8 bits; longer runs are split). Another id sharing those 32
/// bits only costs a lookup a block read in vain (the trace keeps only lines of its id).
struct RequestIndex: Equatable {
    /// The file it covers and how far.
    var coverage: IndexCoverage
    /// Entries grouped by the top `bucketBits` of their hash; `buckets[b]..<buckets[b+1]`.
    var bucketBits: Int
    var buckets: [UInt32]
    var entries: [IndexEntry]
    var points: [AccessPoint]

    static let magic = Array("TTSMIDX3".utf8)
    static let chunkEntries = 1024
    /// Bytes of one stored entry.
    static let entryBytes = 8
    /// The hash bits an entry keeps.
    static let keptHash: UInt64 = 0xFFFF_FFFF_0000_0000
    /// Blocks past the first one an entry covers, at most (a longer run takes several).
    static let maxRun: UInt32 = 255
    /// Blocks a stored entry can name (1 TB of text).
    static let blockLimit: UInt32 = 1 << 24

    /// Builds the lookup order from entries in any order, as stored (hashes cut to the bits
    /// kept, long runs split); nil for a file of more text than entries can name.
    init?(facts: IndexedFileFacts, coveredRaw: Int64, coveredText: Int64, tailCRC: UInt32, formatName: String,
          entries: [IndexEntry], points: [AccessPoint], stateSize: Int) {
        coverage = IndexCoverage(device: facts.device, inode: facts.inode, headCRC: facts.headCRC, tailCRC: tailCRC,
                                 coveredRaw: coveredRaw, coveredText: coveredText, compressed: facts.compressed,
                                 formatName: formatName, stateSize: stateSize)
        self.points = points
        // About 64 entries (1 KB) per bucket: a lookup reads one or two chunks.
        var bits = 4
        while bits < 24, (1 << bits) * 64 < entries.count { bits += 1 }
        bucketBits = bits
        // Counting sort by bucket: one pass to count, one to place.
        var starts = [UInt32](repeating: 0, count: (1 << bits) + 1)
        var total = 0
        for e in entries {
            guard e.lastBlock < RequestIndex.blockLimit, e.firstBlock <= e.lastBlock else { return nil }
            let pieces = Int((e.lastBlock - e.firstBlock) / (RequestIndex.maxRun + 1)) + 1
            starts[Int(e.hash >> UInt64(64 - bits)) + 1] += UInt32(pieces)
            total += pieces
        }
        guard total < 1 << 32 else { return nil }
        for b in 0..<(1 << bits) { starts[b + 1] += starts[b] }
        var next = starts
        var placed = [IndexEntry](repeating: IndexEntry(hash: 0, firstBlock: 0, lastBlock: 0), count: total)
        for e in entries {
            let b = Int(e.hash >> UInt64(64 - bits))
            var first = e.firstBlock
            while true {
                let last = Swift.min(e.lastBlock, first + RequestIndex.maxRun)
                placed[Int(next[b])] = IndexEntry(hash: e.hash & RequestIndex.keptHash, firstBlock: first, lastBlock: last)
                next[b] += 1
                if last == e.lastBlock { break }
                first = last + 1
            }
        }
        buckets = starts
        self.entries = placed
    }

    /// The text ranges that hold the lines of `id`, merged, in file order.
    func ranges(of id: String) -> [Range<Int64>] {
        let hash = IndexEntry.hash(RequestKey(id)) & RequestIndex.keptHash
        let b = Int(hash >> UInt64(64 - bucketBits))
        return IndexEntry.ranges(of: hash, in: entries[Int(buckets[b])..<Int(buckets[b + 1])])
    }

}

/// What an index says of its file: which file, how far it covers it, what read it.
struct IndexCoverage: Equatable {
    var device: UInt64
    var inode: UInt64
    /// CRC-32 of the file's first 4 KB (raw bytes).
    var headCRC: UInt32
    /// CRC-32 of the 4 KB of raw bytes before `coveredRaw`: a file truncated and written again
    /// past its old size does not pass.
    var tailCRC: UInt32
    /// Raw bytes covered (the whole file for gzip; whole lines of a growing plain file).
    var coveredRaw: Int64
    /// Text bytes covered (uncompressed).
    var coveredText: Int64
    var compressed: Bool
    /// The format the file was read with: ids depend on it.
    var formatName: String
    /// Size of ISA-L's saved state when the points were taken (0: none).
    var stateSize: Int

    /// Whether this still describes a file with these facts read with this format: the same
    /// file, and a covered part it still holds (a gzip file must not have changed at all). The
    /// covered tail's CRC is the caller's to check.
    func describes(_ facts: IndexedFileFacts, formatName: String) -> Bool {
        device == facts.device && inode == facts.inode && headCRC == facts.headCRC && compressed == facts.compressed
            && self.formatName == formatName && (compressed ? facts.size == coveredRaw : facts.size >= coveredRaw)
    }
}

extension IndexEntry {
    /// The merged text ranges of the entries with `hash` (cut to the bits kept), in file order.
    static func ranges(of hash: UInt64, in entries: some Collection<IndexEntry>) -> [Range<Int64>] {
        var found = entries.filter { $0.hash == hash }.map(\.textRange)
        found.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int64>] = []
        for r in found {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else { merged.append(r) }
        }
        return merged
    }
}

// MARK: - Encoding

/// The parsed head of an index file: everything but the entries and the saved states.
struct IndexHead: Equatable {
    var coverage: IndexCoverage
    var bucketBits: Int, entryCount: Int
    var buckets: [UInt32]
    var chunkCRCs: [UInt32]
    var points: [PointRef]
    /// Where the entries start (the head's length, its CRC included).
    var entriesOffset: Int

    /// An access point as the head lists it; its state is read when needed.
    struct PointRef: Equatable {
        var textOffset: Int64, rawOffset: Int64, check: UInt32, checkLength: Int
        var stateOffset: Int, stateLength: Int, stateCRC: UInt32
    }

    /// Bytes before the head's length field.
    static let prefixLength = 12

    /// The head's length, from the first `prefixLength` bytes (nil when they are not an index's).
    static func length(_ prefix: [UInt8]) -> Int? {
        guard prefix.count >= prefixLength, Array(prefix[0..<8]) == RequestIndex.magic else { return nil }
        var r = ByteReader(data: prefix, end: prefix.count, at: 8)
        return r.u32().map(Int.init)
    }

    /// Parses and checks a head (its bytes from the file's start, CRC included).
    init?(_ data: [UInt8]) {
        guard let length = IndexHead.length(data), length == data.count, length >= 16 else { return nil }
        var stored = ByteReader(data: data, end: length, at: length - 4)
        guard let crc = stored.u32(), CRC32.of(data[0..<(length - 4)]) == crc else { return nil }
        var r = ByteReader(data: data, end: length - 4, at: IndexHead.prefixLength)
        guard let device = r.u64(), let inode = r.u64(), let head = r.u32(), let tail = r.u32(),
              let raw = r.u64(), let text = r.u64(), let comp = r.u32(), let stateSize = r.u32(), let bits = r.u32(),
              let count = r.u64(), let pointCount = r.u64(), let nameLength = r.u32(),
              bits >= 4, bits <= 24, count < 1 << 32, pointCount < 1 << 24, let name = r.bytes(Int(nameLength)) else { return nil }
        coverage = IndexCoverage(device: device, inode: inode, headCRC: head, tailCRC: tail, coveredRaw: Int64(raw),
                                 coveredText: Int64(text), compressed: comp == 1, formatName: String(decoding: name, as: UTF8.self),
                                 stateSize: Int(stateSize))
        bucketBits = Int(bits); entryCount = Int(count)
        buckets = []
        buckets.reserveCapacity((1 << bucketBits) + 1)
        for _ in 0...(1 << bucketBits) { guard let b = r.u32() else { return nil }; buckets.append(b) }
        guard buckets.first == 0, buckets.last == UInt32(count), zip(buckets, buckets.dropFirst()).allSatisfy({ $0 <= $1 }) else { return nil }
        chunkCRCs = []
        for _ in 0..<((entryCount + RequestIndex.chunkEntries - 1) / RequestIndex.chunkEntries) {
            guard let c = r.u32() else { return nil }
            chunkCRCs.append(c)
        }
        points = []
        for _ in 0..<Int(pointCount) {
            guard let t = r.u64(), let o = r.u64(), let check = r.u32(), let checkLength = r.u32(),
                  let at = r.u64(), let n = r.u32(), let stateCRC = r.u32() else { return nil }
            points.append(PointRef(textOffset: Int64(t), rawOffset: Int64(o), check: check, checkLength: Int(checkLength),
                                   stateOffset: Int(at), stateLength: Int(n), stateCRC: stateCRC))
        }
        guard r.at == length - 4 else { return nil }
        entriesOffset = length
    }

    /// Checks one chunk's entries (their bytes) and that each sits in its hash's bucket range.
    func entries(chunk: Int, bytes: [UInt8]) -> [IndexEntry]? {
        guard chunk < chunkCRCs.count, CRC32.of(bytes) == chunkCRCs[chunk], bytes.count % RequestIndex.entryBytes == 0 else { return nil }
        var r = ByteReader(data: bytes, end: bytes.count, at: 0)
        var out: [IndexEntry] = []
        out.reserveCapacity(bytes.count / RequestIndex.entryBytes)
        let first = chunk * RequestIndex.chunkEntries
        while r.at < bytes.count {
            guard let key = r.u32(), let blocks = r.u32() else { return nil }
            let h = UInt64(key) << 32, f = blocks >> 8
            let position = UInt32(first + out.count)
            let b = Int(h >> UInt64(64 - bucketBits))
            guard buckets[b] <= position, position < buckets[b + 1] else { return nil }
            out.append(IndexEntry(hash: h, firstBlock: f, lastBlock: f + (blocks & 0xFF)))
        }
        return out
    }
}

extension RequestIndex {
    /// The file's bytes (see the type's note).
    func encoded() -> [UInt8] {
        var head = ByteWriter()
        head.bytes(RequestIndex.magic)
        head.u32(0)   // the head's length, set below
        let c = coverage
        head.u64(c.device); head.u64(c.inode); head.u32(c.headCRC); head.u32(c.tailCRC)
        head.u64(UInt64(c.coveredRaw)); head.u64(UInt64(c.coveredText)); head.u32(c.compressed ? 1 : 0)
        head.u32(UInt32(c.stateSize)); head.u32(UInt32(bucketBits))
        head.u64(UInt64(entries.count)); head.u64(UInt64(points.count))
        let name = Array(c.formatName.utf8.prefix(255))
        head.u32(UInt32(name.count)); head.bytes(name)
        for b in buckets { head.u32(b) }
        // The entries, stored in place (millions of them: no append per field).
        let size = RequestIndex.entryBytes
        var body = [UInt8](repeating: 0, count: entries.count * size)
        body.withUnsafeMutableBytes { out in
            for (i, e) in entries.enumerated() {
                out.storeBytes(of: UInt32(truncatingIfNeeded: e.hash >> 32).littleEndian, toByteOffset: i &* size, as: UInt32.self)
                let blocks = e.firstBlock << 8 | (e.lastBlock &- e.firstBlock)
                out.storeBytes(of: blocks.littleEndian, toByteOffset: i &* size &+ 4, as: UInt32.self)
            }
            for chunkStart in stride(from: 0, to: entries.count, by: RequestIndex.chunkEntries) {
                let count = Swift.min(RequestIndex.chunkEntries, entries.count - chunkStart) * size
                head.u32(CRC32.of(ByteSpan(start: out.baseAddress!.assumingMemoryBound(to: UInt8.self) + chunkStart * size, count: count)))
            }
        }
        let headLength = head.data.count + points.count * 40 + 4
        var stateAt = headLength + body.count
        for p in points {
            head.u64(UInt64(p.textOffset)); head.u64(UInt64(p.rawOffset)); head.u32(p.check); head.u32(UInt32(p.checkLength))
            head.u64(UInt64(stateAt)); head.u32(UInt32(p.state.count)); head.u32(CRC32.of(p.state))
            stateAt += p.state.count
        }
        withUnsafeBytes(of: UInt32(headLength).littleEndian) { head.data.replaceSubrange(8..<12, with: $0) }
        head.u32(CRC32.of(head.data))
        var out = head.data
        out.reserveCapacity(stateAt)
        out += body
        for p in points { out += p.state }
        return out
    }

    /// Reads a whole encoded index; nil when anything is off (a checksum, a count, an order).
    init?(decoding data: [UInt8]) {
        guard let length = IndexHead.length(data), length <= data.count, let head = IndexHead(Array(data[0..<length])) else { return nil }
        var entries: [IndexEntry] = []
        entries.reserveCapacity(head.entryCount)
        let entriesEnd = length + head.entryCount * RequestIndex.entryBytes
        guard entriesEnd <= data.count else { return nil }
        for chunk in 0..<head.chunkCRCs.count {
            let from = length + chunk * RequestIndex.chunkEntries * RequestIndex.entryBytes
            guard let some = head.entries(chunk: chunk, bytes: Array(data[from..<min(entriesEnd, from + RequestIndex.chunkEntries * RequestIndex.entryBytes)])) else { return nil }
            entries += some
        }
        var points: [AccessPoint] = []
        var expected = entriesEnd
        for p in head.points {
            guard p.stateOffset == expected, p.stateOffset + p.stateLength <= data.count else { return nil }
            let state = Array(data[p.stateOffset..<(p.stateOffset + p.stateLength)])
            guard CRC32.of(state) == p.stateCRC else { return nil }
            points.append(AccessPoint(textOffset: p.textOffset, rawOffset: p.rawOffset, state: state, check: p.check, checkLength: p.checkLength))
            expected += p.stateLength
        }
        guard expected == data.count else { return nil }
        coverage = head.coverage; bucketBits = head.bucketBits
        buckets = head.buckets; self.entries = entries; self.points = points
    }
}
