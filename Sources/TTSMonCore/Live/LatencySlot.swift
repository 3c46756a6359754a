/// The latency samples of one log second: sparse log-linear histograms of end-to-end latency
/// (family 0), of real-time factors in ten-thousandths (family 1) and of each stage (family
/// 2 + its index in the metrics' `StageNames`), with each family's exact maximum.
/// Memory is proportional to the distinct buckets seen in the second, not to the requests.
struct LatencySlot: SecondSlot, Sendable {
    /// Family 0 is end to end, 1 the real-time factor; stage `i` is family `firstStage + i`.
    static let rtfFamily = 1, firstStage = 2

    /// Sorted by bucket key (high 32 bits: family · bucket count + bucket); low 32 bits: count.
    var entries: [UInt64] = []
    /// Largest value per family (empty until used).
    var maxima: [Int32] = []

    init() {}

    mutating func clear() {
        if !entries.isEmpty { entries.removeAll(keepingCapacity: true) }
        if !maxima.isEmpty {
            for i in maxima.indices { maxima[i] = -1 }
        }
    }

    @inline(__always)
    static func key(family: Int, bucket: Int) -> UInt64 {
        UInt64(family * LogLinearBuckets.count + bucket) << 32
    }

    /// Adds `count` values of `family` in `bucket` (merging histograms).
    mutating func addBucket(family: Int, bucket: Int, count: Int) {
        let key = LatencySlot.key(family: family, bucket: bucket)
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if entries[mid] & 0xFFFF_FFFF_0000_0000 < key { lo = mid + 1 } else { hi = mid }
        }
        if lo < entries.count, entries[lo] & 0xFFFF_FFFF_0000_0000 == key {
            let sum = Swift.min(Int(UInt32.max), Int(UInt32(truncatingIfNeeded: entries[lo])) + count)
            entries[lo] = key | UInt64(sum)
        } else {
            entries.insert(key | UInt64(Swift.min(count, Int(UInt32.max))), at: lo)
        }
    }

    /// Adds one value of `family`.
    @inline(__always)
    mutating func add(family: Int, value: Int) {
        let clamped = Int32(clamping: Swift.max(0, value))
        if family >= maxima.count { maxima.append(contentsOf: repeatElement(-1, count: family + 1 - maxima.count)) }
        if clamped > maxima[family] { maxima[family] = clamped }
        let key = LatencySlot.key(family: family, bucket: LogLinearBuckets.index(of: Int(clamped)))
        // Lower bound of key in the sorted entries.
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if entries[mid] & 0xFFFF_FFFF_0000_0000 < key { lo = mid + 1 } else { hi = mid }
        }
        if lo < entries.count, entries[lo] & 0xFFFF_FFFF_0000_0000 == key {
            if entries[lo] & 0xFFFF_FFFF != 0xFFFF_FFFF { entries[lo] &+= 1 }
        } else {
            entries.insert(key | 1, at: lo)
        }
    }
}
