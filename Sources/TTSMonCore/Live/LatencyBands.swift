/// The latency bands of the heatmap: doublings from 100 ms (TTS requests take from tens of
/// milliseconds on a cache hit to tens of seconds for a long text).
public enum LatencyBands {
    /// Each band's upper bound in milliseconds (the last one is open).
    public static let upperMs = [100, 200, 400, 800, 1600, 3200, 6400, 12_800, Int.max]

    /// The band of a latency.
    public static func band(of ms: Int) -> Int { upperMs.firstIndex { ms < $0 } ?? upperMs.count - 1 }

    /// Requests per band of histogram entries (`bucket << 32 | count`, end-to-end family only).
    static func counts(entries: [UInt64]) -> [Int] {
        var out = [Int](repeating: 0, count: upperMs.count)
        for entry in entries {
            let key = Int(entry >> 32)
            guard key < LogLinearBuckets.count else { continue }
            out[band(of: LogLinearBuckets.lowerBound(of: key))] += Int(UInt32(truncatingIfNeeded: entry))
        }
        return out
    }
}
