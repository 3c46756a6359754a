/// Bucket arithmetic of a log-linear histogram of millisecond values: exact below 128 ms, then
/// 128 equal sub-buckets per power of two, so a bucket's upper bound overstates any value in it
/// by less than 1/128 (about 0.8 %). Values are clamped to 0...`Int32.max`.
public enum LogLinearBuckets {
    /// Sub-buckets per power of two (and the exact range below it).
    static let subBuckets = 128
    /// log2(subBuckets).
    static let subBits = 7

    /// The largest relative error of a reported value (bucket upper bound) over the true value.
    public static let relativeErrorBound = 1.0 / Double(subBuckets)

    /// Number of buckets needed for values up to `Int32.max`.
    public static let count = index(of: Int(Int32.max)) + 1

    /// The bucket of a value.
    @inline(__always)
    public static func index(of value: Int) -> Int {
        let v = UInt64(Swift.min(Swift.max(0, value), Int(Int32.max)))
        if v < UInt64(subBuckets) { return Int(v) }
        let k = 63 - v.leadingZeroBitCount          // v in [2^k, 2^(k+1)), k >= 7
        let shift = k - subBits
        return shift * subBuckets + Int(v >> UInt64(shift))
    }

    /// The largest value that falls in bucket `index`.
    public static func upperBound(of index: Int) -> Int {
        if index < 2 * subBuckets { return index }  // exact below 256: below 128, and shift 0 for [128, 256)
        let shift = index / subBuckets - 1
        let mantissa = index - shift * subBuckets   // in [128, 256)
        return ((mantissa + 1) << shift) - 1
    }

    /// The smallest value that falls in bucket `index`.
    public static func lowerBound(of index: Int) -> Int {
        if index < 2 * subBuckets { return index }
        let shift = index / subBuckets - 1
        return (index - shift * subBuckets) << shift
    }
}
