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
    }

    deinit {
        entries.deinitialize()
        entries.deallocate()
        bytes.deallocate()
        byLength.deallocate()
    }

    @inline(__always)
    static func signature(_ key: ByteSpan) -> (UInt64, UInt64) {
        let n = key.count
        guard n > 0, let base = key.baseAddress else { return (0, 0) }
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if n >= 8 {
            head = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
            tail = UnsafeRawPointer(base + n - 8).loadUnaligned(as: UInt64.self)
        } else {
            for i in 0..<n { head |= UInt64(base[i]) << (8 * UInt64(i)) }
            tail = head
        }
        return (head, tail)
    }

    @inline(__always)
    func lookup(_ key: ByteSpan) -> Value? {
        let n = key.count
        guard n > 0, n < byLength.count else { return nil }
        let (head, tail) = KeyTable.signature(key)
        let (from, to) = byLength[n]
        for i in from..<to {
            let e = entries[i]
            guard e.length == n, e.head == head, e.tail == tail else { continue }
            if n <= 16 || memcmp(bytes.baseAddress! + e.bytesOffset, key.baseAddress!, n) == 0 { return e.value }
        }
        return nil
    }
}
