import CBytes
import CTextScan

/// Collects, line by line, which 64 KB blocks of a file's text hold each request id's lines.
///
/// What it records is a superset of what `RequestTracer` keeps, so that a jump through the index
/// finds every line a full search would: a record's parsed id, and for a line with no id of its
/// own (unparsed, a traceback, a record without an id field) every word in it, since the tracer
/// keeps such lines when they merely mention the id. On the seed's key=value layout every
/// `…id=VALUE` is found by one search over the block and taken without parsing its line; only
/// lines without one are parsed. A value, not a class: no exclusivity checks on the hot path.
struct RequestIndexBuilder {
    private(set) var entries: [IndexEntry] = []
    private let parser: LineParser
    private let quickScan: Bool
    private var record = LogRecord(time: LogTimestamp(milliseconds: 0))
    /// The C scan's output, reused: a few hundred, so that the text they point into is still
    /// in cache when they are taken.
    private var hits = [ttsmon_id_hit](repeating: ttsmon_id_hit(), count: 512)
    /// The ids the C scan met in the current 64 KB block: it hands over an id once per block,
    /// not once per line (an entry's blocks are all this records).
    private let seen = SeenIDs()
    /// The last entry of recent ids (direct-mapped by hash) and its blocks: an id's next line
    /// extends it, found without reading `entries` (millions, out of cache).
    private var recent: [Recent]
    private static let recentBits = 12

    private struct Recent {
        var hash: UInt64 = 0
        var entry: Int32 = -1
        var firstBlock: UInt32 = 0
        var lastBlock: UInt32 = 0
    }

    init(format: LogFormat) {
        parser = LineParser(format: format, keepIDs: false)
        var quick = false
        if case .keyValue = format.layout, format.container == nil {
            // Every key naming the id must end in "id" for the quick scan to see it.
            quick = format.keys.allSatisfy { key, field in field != .id || key.lowercased().hasSuffix("id") }
        }
        quickScan = quick
        recent = Array(repeating: Recent(), count: 1 << RequestIndexBuilder.recentBits)
    }

    /// True for formats whose ids the index can hold (not those numbered by order per file).
    static func indexes(_ format: LogFormat) -> Bool { format.join == .id }

    /// Adds the whole lines of a block whose first byte is at text offset `offset`.
    mutating func addBlock(_ block: ByteSpan, at offset: Int64) {
        guard let base = block.baseAddress else { return }
        guard quickScan else {
            var start = 0
            while start < block.count {
                let end = start + ttsmon_find_byte(base + start, block.count - start, 10)
                addLine(block.slice(start, end), at: offset + Int64(start))
                start = end + 1
            }
            return
        }
        // One C pass finds every `…id=` value and every line without one (parsed here).
        var done = 0
        while done < block.count {
            var consumed = 0
            let count = hits.withUnsafeMutableBufferPointer { out in
                ttsmon_scan_id_values(base + done, block.count - done, out.baseAddress, out.count, &consumed,
                                      LineValidation.blockCheckAvailable ? 1 : 0, seen.set, offset &+ Int64(done))
            }
            for k in 0..<count {
                let hit = hits[k]
                let lineStart = done + Int(hit.line_start)
                let lineOffset = offset + Int64(lineStart)
                if hit.value_length < 0 {
                    addParsed(block.slice(lineStart, done + Int(hit.value_start)), block: RequestIndexBuilder.block(lineOffset))
                } else {
                    let s = done + Int(hit.value_start)
                    add(IndexEntry.hash(RequestKey(bytes: block.slice(s, s + Int(hit.value_length)))), block: RequestIndexBuilder.block(lineOffset))
                }
            }
            guard consumed > 0 else { break }
            done += consumed
        }
    }

    @inline(__always)
    static func block(_ offset: Int64) -> UInt32 { UInt32(truncatingIfNeeded: offset >> Int64(IndexEntry.blockShift)) }

    /// Adds one line (without its newline) starting at text offset `offset`.
    mutating func addLine(_ line: ByteSpan, at offset: Int64) {
        addParsed(line, block: RequestIndexBuilder.block(offset))
    }

    /// A line read by the parser: its id, or, without one, all its words.
    private mutating func addParsed(_ line: ByteSpan, block: UInt32) {
        if parser.parse(line, into: &record) == .record, let key = record.idKey {
            add(IndexEntry.hash(key), block: block)
        } else {
            addWords(line, block: block)
        }
    }

    /// Every word of id bytes in the line.
    private mutating func addWords(_ line: ByteSpan, block: UInt32) {
        var i = 0
        let n = line.count
        while i < n {
            while i < n, !isRequestIDByte(line[i]) { i += 1 }
            let s = i
            while i < n, isRequestIDByte(line[i]) { i += 1 }
            if i > s { add(IndexEntry.hash(RequestKey(bytes: line.slice(s, i))), block: block) }
        }
    }

    @inline(__always)
    private mutating func add(_ hash: UInt64, block: UInt32) {
        let slot = Int(truncatingIfNeeded: hash >> UInt64(64 - RequestIndexBuilder.recentBits))
        let known = recent[slot]
        if known.hash == hash, known.entry >= 0, known.lastBlock &+ IndexEntry.joinGap >= block, block >= known.firstBlock {
            if block > known.lastBlock {
                recent[slot].lastBlock = block
                entries[Int(known.entry)].lastBlock = block   // a store only: no wait for the line
            }
            return
        }
        recent[slot] = Recent(hash: hash, entry: Int32(truncatingIfNeeded: entries.count), firstBlock: block, lastBlock: block)
        entries.append(IndexEntry(hash: hash, firstBlock: block, lastBlock: block))
    }
}

/// Owns the C scan's set of ids met in the current block (freed with the builder).
final class SeenIDs {
    let set: OpaquePointer?
    init() { set = ttsmon_seen_ids_new() }
    deinit { ttsmon_seen_ids_free(set) }
}
