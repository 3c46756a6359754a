import Foundation

/// A lookup table from key bytes to a value, built once per format, so the hot path compares
/// machine words instead of building Strings. Entries live in unsafe storage that is never
/// mutated after init, so lookups touch no reference counts.
final class KeyTable<Value: Sendable>: @unchecked Sendable {
    struct Entry {
        var length: Int
        var head: UInt64      // first up to 8 bytes
        var tail: UInt64      // last up to 8 bytes
        var bytesOffset: Int  // into `bytes`, for keys longer than 16 bytes
        var value: Value
    }

    private let entries: UnsafeMutableBufferPointer<Entry>
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    /// For each key length, the range of entries with that length (entries are sorted by length).
    private let byLength: UnsafeMutableBufferPointer<(Int, Int)>
    /// A collision-free hash of every key's signature into 256 slots (entry index, or -1), when
    /// one of the tried multipliers gives one: a lookup is then one probe and one compare, with
    /// no loop over same-length keys whose outcome the branch predictor cannot learn.
    private let slots: UnsafeMutablePointer<Int16>
    private let multiplier: UInt64
    /// Whether `slots` is in use (tests check the built-in tables get one).
    let perfect: Bool

    init(_ table: [String: Value]) {
        let sorted = table.sorted { ($0.key.utf8.count, $0.key) < ($1.key.utf8.count, $1.key) }
        let longest = sorted.last?.key.utf8.count ?? 0
        byLength = .allocate(capacity: longest + 1)
        byLength.initialize(repeating: (0, 0))
        for (i, entry) in sorted.enumerated() {
            let n = entry.key.utf8.count
            if byLength[n].1 == 0 { byLength[n] = (i, i + 1) } else { byLength[n].1 = i + 1 }
        }
        entries = .allocate(capacity: sorted.count)
        let totalBytes = sorted.reduce(0) { $0 + $1.key.utf8.count }
        bytes = .allocate(capacity: max(1, totalBytes))
        var offset = 0
        for (i, (key, value)) in sorted.enumerated() {
            let k = Array(key.utf8)
            for (j, b) in k.enumerated() { bytes[offset + j] = b }
            let (head, tail) = k.withUnsafeBufferPointer { KeyTable.signature($0) }
            (entries.baseAddress! + i).initialize(to: Entry(length: k.count, head: head, tail: tail, bytesOffset: offset, value: value))
            offset += k.count
        }
        slots = .allocate(capacity: 256)
        var found: UInt64?
        var candidate: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<256 where sorted.count <= 64 {
            slots.initialize(repeating: -1, count: 256)
            var clash = false
            for i in 0..<sorted.count {
                let e = entries[i]
                let h = KeyTable.slot(e.head, e.tail, e.length, candidate)
                if slots[h] >= 0 { clash = true; break }
                slots[h] = Int16(i)
            }
            if !clash { found = candidate; break }
            candidate = (candidate &+ 0x632B_E59B_D9B4_E019) &* 0xD6E8_FEB8_6659_FD93 | 1
        }
        multiplier = found ?? 0
        perfect = found != nil
    }

    @inline(__always)
    private static func slot(_ head: UInt64, _ tail: UInt64, _ length: Int, _ multiplier: UInt64) -> Int {
        Int(truncatingIfNeeded: ((head ^ (tail >> 1) ^ UInt64(length)) &* multiplier) >> 56)
    }

    deinit {
        entries.deinitialize()
        entries.deallocate()
        bytes.deallocate()
        byLength.deallocate()
        slots.deallocate()
    }

    @inline(__always)
    static func signature(_ key: ByteSpan) -> (UInt64, UInt64) {
        let n = key.count
        guard n > 0, let base = key.baseAddress else { return (0, 0) }
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if n >= 8 {
            head = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
            tail = UnsafeRawPointer(base + (n &- 8)).loadUnaligned(as: UInt64.self)
        } else {
            for i in 0..<n { head |= UInt64(base[i]) &<< (8 &* UInt64(i)) }
            tail = head
        }
        return (head, tail)
    }

    @inline(__always)
    func lookup(_ key: ByteSpan) -> Value? {
        let n = key.count
        guard n > 0, n < byLength.count else { return nil }
        let (head, tail) = KeyTable.signature(key)
        if perfect {
            let i = Int(slots[KeyTable.slot(head, tail, n, multiplier)])
            guard i >= 0 else { return nil }
            let e = entries[i]
            guard e.length == n, e.head == head, e.tail == tail else { return nil }
            return n <= 16 || memcmp(bytes.baseAddress! + e.bytesOffset, key.baseAddress!, n) == 0 ? e.value : nil
        }
        let (from, to) = byLength[n]
        for i in from..<to {
            let e = entries[i]
            guard e.length == n, e.head == head, e.tail == tail else { continue }
            if n <= 16 || memcmp(bytes.baseAddress! + e.bytesOffset, key.baseAddress!, n) == 0 { return e.value }
        }
        return nil
    }
}
