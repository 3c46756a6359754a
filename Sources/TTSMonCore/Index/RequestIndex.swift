import CZlib
import Foundation

/// One file's request index: which blocks of its text hold each id, and, for gzip, access
/// points to start inflating from. Kept under the cache directory by `RequestIndexStore`,
/// checked against the file before use (`IndexedFileFacts`) and by its own checksum.
struct RequestIndex: Equatable {
    /// The file it covers, as it was when indexed.
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
    /// Entries grouped by the top `bucketBits` of their hash; `buckets[b]..<buckets[b+1]`.
    var bucketBits: Int
    var buckets: [UInt32]
    var entries: [IndexEntry]
    var points: [AccessPoint]

    /// Builds the lookup order from entries in any order.
    init(facts: IndexedFileFacts, coveredRaw: Int64, coveredText: Int64, tailCRC: UInt32, formatName: String,
         entries: [IndexEntry], points: [AccessPoint], stateSize: Int) {
        device = facts.device; inode = facts.inode; headCRC = facts.headCRC; compressed = facts.compressed
        self.tailCRC = tailCRC; self.coveredRaw = coveredRaw; self.coveredText = coveredText
        self.formatName = formatName; self.points = points; self.stateSize = stateSize
        var bits = 4
        while bits < 22, (1 << bits) * 4 < entries.count { bits += 1 }
        bucketBits = bits
        // Counting sort by bucket: one pass to count, one to place.
        var starts = [UInt32](repeating: 0, count: (1 << bits) + 1)
        for e in entries { starts[Int(e.hash >> UInt64(64 - bits)) + 1] += 1 }
        for b in 0..<(1 << bits) { starts[b + 1] += starts[b] }
        var next = starts
        var placed = [IndexEntry](repeating: IndexEntry(hash: 0, firstBlock: 0, lastBlock: 0), count: entries.count)
        for e in entries {
            let b = Int(e.hash >> UInt64(64 - bits))
            placed[Int(next[b])] = e
            next[b] += 1
        }
        buckets = starts
        self.entries = placed
    }

    /// The text ranges that hold the lines of `id`, merged, in file order.
    func ranges(of id: String) -> [Range<Int64>] {
        let hash = IndexEntry.hash(RequestKey(id))
        let b = Int(hash >> UInt64(64 - bucketBits))
        var found = entries[Int(buckets[b])..<Int(buckets[b + 1])].filter { $0.hash == hash }.map(\.textRange)
        found.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int64>] = []
        for r in found {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else { merged.append(r) }
        }
        return merged
    }

    /// The latest access point at or before a text offset.
    func point(before offset: Int64) -> AccessPoint? { points.last { $0.textOffset <= offset } }

    /// Bytes of `encoded()`.
    var encodedSize: Int {
        84 + min(formatName.utf8.count, 255) + buckets.count * 4 + entries.count * 16 + points.reduce(0) { $0 + 28 + $1.state.count }
    }
}

// MARK: - Encoding

extension RequestIndex {
    static let magic = Array("TTSMIDX1".utf8)

    /// The file's bytes: a header, the buckets, the entries, the points, a CRC-32 of all before it.
    func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.bytes(RequestIndex.magic)
        out.u64(device); out.u64(inode); out.u32(headCRC); out.u32(tailCRC)
        out.u64(UInt64(coveredRaw)); out.u64(UInt64(coveredText)); out.u32(compressed ? 1 : 0)
        out.u32(UInt32(stateSize)); out.u32(UInt32(bucketBits))
        out.u64(UInt64(entries.count)); out.u64(UInt64(points.count))
        let name = Array(formatName.utf8.prefix(255))
        out.u32(UInt32(name.count)); out.bytes(name)
        for b in buckets { out.u32(b) }
        for e in entries { out.u64(e.hash); out.u32(e.firstBlock); out.u32(e.lastBlock) }
        for p in points {
            out.u64(UInt64(p.textOffset)); out.u64(UInt64(p.rawOffset)); out.u32(p.check); out.u32(UInt32(p.checkLength))
            out.u32(UInt32(p.state.count)); out.bytes(p.state)
        }
        out.u32(CRC32.of(out.data))
        return out.data
    }

    /// Reads an encoded index; nil when anything is off (length, checksum, counts, order).
    init?(decoding data: [UInt8]) {
        guard data.count >= 96, Array(data[0..<8]) == RequestIndex.magic else { return nil }
        let body = data.count - 4
        var stored: UInt32 = 0
        for k in 0..<4 { stored |= UInt32(data[body + k]) << UInt32(8 * k) }
        guard CRC32.of(data[0..<body]) == stored else { return nil }
        var r = ByteReader(data: data, end: body, at: 8)
        guard let device = r.u64(), let inode = r.u64(), let head = r.u32(), let tail = r.u32(),
              let raw = r.u64(), let text = r.u64(), let comp = r.u32(), let stateSize = r.u32(), let bits = r.u32(),
              let count = r.u64(), let pointCount = r.u64(), let nameLength = r.u32(),
              bits >= 4, bits <= 22, count < 1 << 32, pointCount < 1 << 24, let name = r.bytes(Int(nameLength)) else { return nil }
        self.device = device; self.inode = inode; headCRC = head; tailCRC = tail
        coveredRaw = Int64(raw); coveredText = Int64(text); compressed = comp == 1; self.stateSize = Int(stateSize)
        bucketBits = Int(bits); formatName = String(decoding: name, as: UTF8.self)
        var buckets: [UInt32] = []
        buckets.reserveCapacity((1 << bucketBits) + 1)
        for _ in 0...(1 << bucketBits) { guard let b = r.u32() else { return nil }; buckets.append(b) }
        guard buckets.first == 0, buckets.last == UInt32(count), zip(buckets, buckets.dropFirst()).allSatisfy({ $0 <= $1 }) else { return nil }
        var entries: [IndexEntry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<Int(count) {
            guard let h = r.u64(), let f = r.u32(), let l = r.u32(), f <= l else { return nil }
            entries.append(IndexEntry(hash: h, firstBlock: f, lastBlock: l))
        }
        var points: [AccessPoint] = []
        for _ in 0..<Int(pointCount) {
            guard let t = r.u64(), let o = r.u64(), let check = r.u32(), let checkLength = r.u32(), let n = r.u32(),
                  let state = r.bytes(Int(n)) else { return nil }
            points.append(AccessPoint(textOffset: Int64(t), rawOffset: Int64(o), state: state, check: check, checkLength: Int(checkLength)))
        }
        guard r.at == body else { return nil }
        self.buckets = buckets; self.entries = entries; self.points = points
        // Every entry must sit in the bucket its hash names.
        for b in 0..<(1 << bucketBits) where buckets[b] < buckets[b + 1] {
            for e in entries[Int(buckets[b])..<Int(buckets[b + 1])] where Int(e.hash >> UInt64(64 - bucketBits)) != b { return nil }
        }
    }
}

/// Little-endian writing into a byte array.
struct ByteWriter {
    var data: [UInt8] = []
    mutating func bytes(_ b: [UInt8]) { data.append(contentsOf: b) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
}

/// Little-endian reading with bounds: nil past `end`.
struct ByteReader {
    let data: [UInt8]
    let end: Int
    var at: Int
    mutating func u32() -> UInt32? {
        guard at + 4 <= end else { return nil }
        defer { at += 4 }
        return UInt32(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) })
    }
    mutating func u64() -> UInt64? {
        guard at + 8 <= end else { return nil }
        defer { at += 8 }
        return UInt64(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) })
    }
    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, at + n <= end else { return nil }
        defer { at += n }
        return Array(data[at..<at + n])
    }
}

/// zlib's CRC-32.
enum CRC32 {
    static func of(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc = crc32(0, nil, 0)
        if let direct = bytes.withContiguousStorageIfAvailable({ p in crc32(crc, p.baseAddress, uInt(p.count)) }) { return UInt32(direct) }
        let copy = Array(bytes)
        crc = copy.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
        return UInt32(crc)
    }

    static func of(_ span: ByteSpan) -> UInt32 { UInt32(crc32(0, span.baseAddress, uInt(span.count))) }
}
