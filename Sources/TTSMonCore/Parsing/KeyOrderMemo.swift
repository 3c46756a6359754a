/// Remembers, per event and position, the key the previous line had there, so the next line
/// of the same event checks one word instead of scanning and looking its key up. Purely a speed
/// hint: a miss falls back to the full scan. One memo per parser, used by one thread.
final class KeyOrderMemo {
    struct Entry {
        var length = 0        // 0: nothing remembered
        var head: UInt64 = 0
        var tail: UInt64 = 0
        var field: RecordField?
    }

    static let events = 16
    static let positions = 12
    private let entries: UnsafeMutablePointer<Entry>

    init() {
        entries = .allocate(capacity: KeyOrderMemo.events * KeyOrderMemo.positions)
        entries.initialize(repeating: Entry(), count: KeyOrderMemo.events * KeyOrderMemo.positions)
    }

    deinit {
        entries.deinitialize(count: KeyOrderMemo.events * KeyOrderMemo.positions)
        entries.deallocate()
    }

    @inline(__always)
    private func slot(_ event: EventKind, _ position: Int) -> Int? {
        guard position < KeyOrderMemo.positions, Int(event.rawValue) < KeyOrderMemo.events else { return nil }
        return Int(event.rawValue) * KeyOrderMemo.positions + position
    }

    /// When the bytes at `at` are the remembered key followed by '=', its length and field.
    @inline(__always)
    func match(event: EventKind, position: Int, base: UnsafePointer<UInt8>, at i: Int, count n: Int) -> (Int, RecordField?)? {
        guard let s = slot(event, position) else { return nil }
        let e = entries[s]
        let len = e.length
        guard len > 0, i + len < n, base[i + len] == 61 else { return nil }
        let (head, tail) = KeyTable<RecordField>.signature(ByteSpan(start: base + i, count: len))
        guard head == e.head, tail == e.tail, len <= 16 else { return nil }
        return (len, e.field)
    }

    /// Records the key seen at this position.
    @inline(__always)
    func remember(event: EventKind, position: Int, key: ByteSpan, field: RecordField?) {
        guard let s = slot(event, position) else { return }
        let (head, tail) = KeyTable<RecordField>.signature(key)
        entries[s] = Entry(length: key.count, head: head, tail: tail, field: field)
    }
}
