/// A least-squares slope over the samples of a recent span (`rss_growth_mb_per_hour`): a leak
/// shows as a steady slope long before the OOM, and a single spike barely moves it.
public struct GrowthTrend: Sendable, Equatable {
    /// Samples older than this (seconds before the newest) are dropped.
    public let span: Double
    /// Fewer samples than this give no slope.
    public let minimumSamples: Int
    private var samples: [(t: Double, v: Double)] = []

    public init(span: Double = 600, minimumSamples: Int = 5) { self.span = span; self.minimumSamples = minimumSamples }

    public static func == (a: GrowthTrend, b: GrowthTrend) -> Bool {
        a.span == b.span && a.samples.map(\.t) == b.samples.map(\.t) && a.samples.map(\.v) == b.samples.map(\.v)
    }

    public mutating func add(_ value: Double, at seconds: Double) {
        if let last = samples.last, seconds <= last.t { samples.removeAll() }   // the clock went back
        samples.append((seconds, value))
        let oldest = seconds - span
        if let k = samples.firstIndex(where: { $0.t >= oldest }), k > 0 { samples.removeFirst(k) }
    }

    public mutating func reset() { samples.removeAll() }

    /// Units per hour; nil with too few samples or no time between them.
    public var slopePerHour: Double? {
        guard samples.count >= minimumSamples else { return nil }
        let n = Double(samples.count)
        let t0 = samples[0].t
        var st = 0.0, sv = 0.0, stt = 0.0, stv = 0.0
        for s in samples {
            let t = s.t - t0
            st += t; sv += s.v; stt += t * t; stv += t * s.v
        }
        let d = n * stt - st * st
        guard d > 0 else { return nil }
        return (n * stv - st * sv) / d * 3600
    }
}
