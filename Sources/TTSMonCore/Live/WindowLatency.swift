/// Latency histograms of a whole window, merged from its seconds' sparse slots for one snapshot.
struct WindowLatency {
    private var counts: [UInt32]
    private(set) var totals: [Int]
    private var maxima: [Int]

    /// For `families` families (end to end, then the stages met so far).
    init(families: Int) {
        counts = Array(repeating: 0, count: families * LogLinearBuckets.count)
        totals = Array(repeating: 0, count: families)
        maxima = Array(repeating: -1, count: families)
    }

    /// Adds one second's samples.
    mutating func add(_ slot: LatencySlot) {
        for entry in slot.entries {
            let key = Int(entry >> 32)
            let n = UInt32(truncatingIfNeeded: entry)
            counts[key] &+= n
            totals[key / LogLinearBuckets.count] += Int(n)
        }
        for (family, m) in slot.maxima.enumerated() where Int(m) > maxima[family] { maxima[family] = Int(m) }
    }

    /// Samples of a family.
    func count(family: Int) -> Int { totals[family] }

    /// The exact largest value of a family, nil when empty.
    func maximum(family: Int) -> Int? { totals[family] > 0 ? maxima[family] : nil }

    /// The nearest-rank percentile (`perMille`, 950 for p95) of a family: the upper bound of the
    /// bucket holding the ⌈q·n⌉-th smallest value, clamped to the true maximum. Exact below 256 ms;
    /// above, it overstates the true value by less than `LogLinearBuckets.relativeErrorBound`.
    func percentile(family: Int, perMille q: Int) -> Int? {
        let n = totals[family]
        guard n > 0 else { return nil }
        let rank = Swift.max(1, (q * n + 999) / 1000)
        let base = family * LogLinearBuckets.count
        var seen = 0
        for i in 0..<LogLinearBuckets.count {
            let c = counts[base + i]
            if c == 0 { continue }
            seen += Int(c)
            if seen >= rank { return Swift.min(LogLinearBuckets.upperBound(of: i), maxima[family]) }
        }
        return maxima[family]
    }

    /// The nearest-rank percentile of sparse entries (sorted or not) of family 0.
    static func percentile(entries: [UInt64], maximum: Int, perMille q: Int) -> Int? {
        var buckets: [(bucket: Int, count: Int)] = []
        var n = 0
        for entry in entries {
            let key = Int(entry >> 32)
            guard key < LogLinearBuckets.count else { continue }   // family 0 only
            let c = Int(UInt32(truncatingIfNeeded: entry))
            buckets.append((key, c))
            n += c
        }
        guard n > 0 else { return nil }
        buckets.sort { $0.bucket < $1.bucket }
        let rank = Swift.max(1, (q * n + 999) / 1000)
        var seen = 0
        for b in buckets {
            seen += b.count
            if seen >= rank { return Swift.min(LogLinearBuckets.upperBound(of: b.bucket), maximum) }
        }
        return maximum
    }
}
