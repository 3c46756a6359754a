import Foundation

/// A lookup table from key bytes to a value, built once per format, so the hot path compares
/// bytes instead of building Strings.
struct KeyTable<Value: Sendable>: Sendable {
    private var byLength: [[([UInt8], Value)]]

    init(_ entries: [String: Value]) {
        let longest = entries.keys.map { $0.utf8.count }.max() ?? 0
        byLength = Array(repeating: [], count: longest + 1)
        for (key, value) in entries { byLength[key.utf8.count].append((Array(key.utf8), value)) }
    }

    @inline(__always)
    func lookup(_ key: ByteSpan) -> Value? {
        let n = key.count
        guard n > 0, n < byLength.count, let base = key.baseAddress else { return nil }
        for (bytes, value) in byLength[n] where bytes[0] == base[0] {
            if bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, n) }) == 0 { return value }
        }
        return nil
    }
}
