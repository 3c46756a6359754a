/// Values keyed by a time index (a second, a block of seconds), kept in two parallel paged arrays
/// sorted by key. Logs arrive in time order, so an insert is almost always an append; the engine
/// reads forward in time, so a lookup near the previous one is found from a remembered position.
/// No hashing, and the keys with data in a range come out already sorted.
struct SortedTimeMap<Value> {
    private(set) var keys = PagedArray<Int64>()
    private(set) var values = PagedArray<Value>()
    /// Where the last lookup landed: the next one usually lands on it or just after it.
    private var hint = 0

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    /// The position of `key`, or where it would be inserted.
    @inline(__always)
    private mutating func position(of key: Int64) -> (index: Int, found: Bool) {
        let n = keys.count
        if n == 0 || key > keys[n - 1] { return (n, false) }
        // Near the previous lookup: at that position or a few after it (positions before `i`
        // hold smaller keys whenever `keys[i - 1] < key`).
        var i = Swift.min(hint, n - 1)
        if i == 0 || keys[i - 1] < key {
            var steps = 0
            while keys[i] < key, steps < 3 { i += 1; steps += 1 }   // stops by n - 1: keys[n - 1] >= key
            if keys[i] >= key {
                hint = i
                return (i, keys[i] == key)
            }
        }
        let low = lowerBound(key)
        hint = low
        return (low, low < n && keys[low] == key)
    }

    /// The first index whose key is at least `key` (binary search).
    private func lowerBound(_ key: Int64) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The value stored at `key`.
    @inline(__always)
    mutating func value(at key: Int64) -> Value? {
        let (i, found) = position(of: key)
        return found ? values[i] : nil
    }

    /// Stores `value` at `key`, replacing what was there.
    mutating func set(_ value: Value, at key: Int64) {
        let (i, found) = position(of: key)
        if found { values[i] = value; return }
        if i == keys.count { keys.append(key); values.append(value); return }
        keys.insert(key, at: i)
        values.insert(value, at: i)
    }

    /// The keys in `range`, ascending.
    func keys(in range: ClosedRange<Int64>) -> [Int64] {
        let from = lowerBound(range.lowerBound)
        let to = range.upperBound == .max ? keys.count : lowerBound(range.upperBound + 1)
        return keys.elements(from..<Swift.max(from, to))
    }

    /// The smallest key, when it is at most `bound`.
    func firstKey(atMost bound: Int64) -> Int64? {
        guard let first = keys.first, first <= bound else { return nil }
        return first
    }

    /// Forgets the keys before `key`.
    mutating func removeAll(before key: Int64) {
        guard let first = keys.first, first < key else { return }
        let cut = lowerBound(key)
        keys.removeFirst(cut)
        values.removeFirst(cut)
        hint = 0
    }

    /// Adds `other`'s entries; values under the same key are combined with `combine`. Linear
    /// when the two hold disjoint or interleaved stretches of time (a report's parallel ranges).
    mutating func merge(_ other: SortedTimeMap<Value>, _ combine: (Value, Value) -> Value) {
        if other.isEmpty { return }
        if isEmpty || other.keys[0] > keys[keys.count - 1] {
            keys.append(contentsOf: other.keys)
            values.append(contentsOf: other.values)
            return
        }
        var mergedKeys = PagedArray<Int64>(), mergedValues = PagedArray<Value>()
        var i = 0, j = 0
        while i < keys.count || j < other.keys.count {
            if j == other.keys.count || (i < keys.count && keys[i] < other.keys[j]) {
                mergedKeys.append(keys[i]); mergedValues.append(values[i]); i += 1
            } else if i == keys.count || other.keys[j] < keys[i] {
                mergedKeys.append(other.keys[j]); mergedValues.append(other.values[j]); j += 1
            } else {
                mergedKeys.append(keys[i]); mergedValues.append(combine(values[i], other.values[j])); i += 1; j += 1
            }
        }
        keys = mergedKeys
        values = mergedValues
        hint = 0
    }
}

extension SortedTimeMap: Sendable where Value: Sendable {}
