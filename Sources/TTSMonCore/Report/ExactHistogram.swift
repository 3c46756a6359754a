/// Exact counts of integer millisecond values: nearest-rank percentiles with no error, in memory
/// bounded by the number of distinct values (dense below 32 768 ms, sparse above), never by the
/// number of samples.
public struct ExactHistogram: Sendable {
    static let denseLimit = 1 << 15
    var dense: [UInt32] = []
    var sparse: [Int: Int] = [:]
    public private(set) var count = 0
    public private(set) var sum = 0
    public private(set) var maximum = 0
    /// The smallest value added (a merge walks only the dense counts between the two).
    public private(set) var minimum = Int.max

    public init() {}

    /// Adds one non-negative value.
    @inline(__always)
    public mutating func add(_ value: Int) {
        let v = Swift.max(0, value)
        if v < ExactHistogram.denseLimit {
            if v >= dense.count { grow(toHold: v) }
            dense[v] &+= 1
        } else {
            sparse[v, default: 0] += 1
        }
        count += 1
        sum += v
        if v > maximum { maximum = v }
        if v < minimum { minimum = v }
    }

    /// Widens the dense counts to the next power of two above `value` (stage histograms stay a
    /// few hundred bytes; latency ones reach the limit).
    private mutating func grow(toHold value: Int) {
        var size = Swift.max(64, dense.count)
        while size <= value { size *= 2 }
        dense.append(contentsOf: repeatElement(0, count: Swift.min(size, ExactHistogram.denseLimit) - dense.count))
    }

    /// The nearest-rank percentile: the ⌈q·n⌉-th smallest value, q given in per-mille
    /// (950 for p95). Nil when empty.
    public func percentile(perMille q: Int) -> Int? {
        guard count > 0 else { return nil }
        let rank = Swift.max(1, (q * count + 999) / 1000)
        var seen = 0
        if !dense.isEmpty {
            for (value, c) in dense.enumerated() where c > 0 {
                seen += Int(c)
                if seen >= rank { return value }
            }
        }
        for value in sparse.keys.sorted() {
            seen += sparse[value]!
            if seen >= rank { return value }
        }
        return maximum
    }

    /// The arithmetic mean, or nil when empty.
    public var mean: Double? { count > 0 ? Double(sum) / Double(count) : nil }

    /// Adds another histogram's samples.
    public mutating func merge(_ other: ExactHistogram) {
        if !other.dense.isEmpty {
            // `other` added a value below the limit, so its minimum is one.
            if dense.isEmpty { dense = other.dense } else {
                let last = Swift.min(other.maximum, other.dense.count - 1)
                if last >= dense.count { grow(toHold: last) }
                dense.withUnsafeMutableBufferPointer { mine in
                    other.dense.withUnsafeBufferPointer { theirs in
                        for i in other.minimum...last { mine[i] &+= theirs[i] }
                    }
                }
            }
        }
        for (k, v) in other.sparse { sparse[k, default: 0] += v }
        count += other.count
        sum += other.sum
        maximum = Swift.max(maximum, other.maximum)
        minimum = Swift.min(minimum, other.minimum)
    }
}
