/// Remembers, per event and previous key, the keys that followed it on recent lines, so the next
/// line of the same event checks a word or two instead of scanning and looking its key up.
/// Keyed by the previous key rather than by position, so optional fields (a `text_len` present
/// on some lines only) cost one miss, not a miss for every key after them. Purely a speed hint:
/// a miss falls back to the full scan. One memo per parser, used by one thread.
final class KeyOrderMemo {
    /// 24 bytes (two ways of a slot read 48).
    struct Entry {
        var head: UInt64 = 0
        var tail: UInt64 = 0
        var length: UInt8 = 0     // 0: nothing remembered
        var slot: UInt8 = 0       // this key's own slot, the "previous key" for the next one
        var field: RecordField?
    }

    static let events = 16
    static let slots = 32     // 0: start of line; others assigned to keys as they are seen
    static let ways = 2
    private let entries: UnsafeMutablePointer<Entry>
    private var nextSlot = 1
    private var slotKeys: [(UInt64, UInt64, Int)] = []

    init() {
        let count = KeyOrderMemo.events * KeyOrderMemo.slots * KeyOrderMemo.ways
        entries = .allocate(capacity: count)
        entries.initialize(repeating: Entry(), count: count)
    }

    deinit {
        entries.deinitialize(count: KeyOrderMemo.events * KeyOrderMemo.slots * KeyOrderMemo.ways)
        entries.deallocate()
    }

    /// The entries remembered for lines of `event` (nil beyond the table): looked up once per
    /// line, so each key's probe is one load from it rather than a walk from the parser.
    @inline(__always)
    func row(for event: EventKind) -> UnsafeMutablePointer<Entry>? {
        Int(event.rawValue) < KeyOrderMemo.events ? entries + Int(event.rawValue) &* KeyOrderMemo.slots &* KeyOrderMemo.ways : nil
    }

    /// When the bytes at `at` are a key remembered after `previous` in `row`, followed by '=':
    /// its length, field and slot.
    @inline(__always)
    static func match(in row: UnsafeMutablePointer<Entry>, previous: Int, base: UnsafePointer<UInt8>, at i: Int, count n: Int) -> (Int, RecordField?, Int)? {
        guard previous < KeyOrderMemo.slots else { return nil }
        let s = previous &* KeyOrderMemo.ways
        for way in 0..<KeyOrderMemo.ways {
            let e = row[s &+ way]
            let len = Int(e.length)
            guard len > 0, len <= 16, i &+ len < n, base[i &+ len] == 61 else { continue }
            if len < 8, i &+ 8 <= n {
                // A short key: one load of the line's bytes, masked to the key (no byte loop).
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & (UInt64.max &>> UInt64(64 &- 8 &* len))
                if word == e.head { return (len, e.field, Int(e.slot)) }
                continue
            }
            let (head, tail) = KeyTable<RecordField>.signature(ByteSpan(start: base + i, count: len))
            if head == e.head, tail == e.tail { return (len, e.field, Int(e.slot)) }
        }
        return nil
    }

    /// Records that `key` followed `previous`; returns the key's own slot.
    func remember(event: EventKind, previous: Int, key: ByteSpan, field: RecordField?) -> Int {
        // Keys longer than an entry holds (`spectral_centroid`) are never remembered: skip the
        // slot search too.
        guard key.count <= 16 else { return KeyOrderMemo.slots }
        let (head, tail) = KeyTable<RecordField>.signature(key)
        var slot = KeyOrderMemo.slots   // beyond the table: not remembered
        if let known = slotKeys.firstIndex(where: { $0 == (head, tail, key.count) }) {
            slot = known + 1
        } else if nextSlot < KeyOrderMemo.slots {
            slotKeys.append((head, tail, key.count))
            slot = nextSlot
            nextSlot += 1
        }
        guard previous < KeyOrderMemo.slots, let row = row(for: event) else { return slot }
        // Most recent first; the older one moves to the second way.
        let s = previous &* KeyOrderMemo.ways
        row[s + 1] = row[s]
        row[s] = Entry(head: head, tail: tail, length: UInt8(key.count), slot: UInt8(slot), field: field)
        return slot
    }
}

/// The ` - logger - LEVEL - ` run after the timestamp of the last line whose separators were
/// searched: most lines of a log repeat it byte for byte, and then one compare replaces two
/// searches and the level parse.
final class PrefixMemo {
    static let capacity = 64
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: PrefixMemo.capacity)
    var length = 0            // 0: nothing remembered; else at least 8 (` - x - L - ` is 9)
    var s3 = 0
    var level = LogLevel.unknown

    deinit { bytes.deallocate() }

    /// The remembered separators (relative to `used`) when `line` repeats the prefix at `used`.
    @inline(__always)
    func match(_ line: ByteSpan, at used: Int) -> Bool {
        guard length > 0, let base = line.baseAddress, line.count >= used + length else { return false }
        // Word by word, the last word overlapping: no call for the usual 20-40 bytes.
        let line = UnsafeRawPointer(base + used), memo = UnsafeRawPointer(bytes)
        var differ: UInt64 = 0
        var i = 0
        while i + 8 < length {
            differ |= line.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ memo.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        differ |= line.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self) ^ memo.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
        return differ == 0
    }

    func remember(_ line: ByteSpan, at used: Int, s3: Int, level: LogLevel) {
        let end = s3 + 3
        guard let base = line.baseAddress, end - used >= 8, end - used <= PrefixMemo.capacity else { length = 0; return }
        length = end - used
        bytes.update(from: base + used, count: length)
        self.s3 = s3 - used
        self.level = level
    }
}
