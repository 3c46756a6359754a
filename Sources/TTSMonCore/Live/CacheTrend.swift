/// Cache fill readings of recent log time, for the latest value and the fill's slope.
struct CacheTrend: Sendable {
    struct Reading: Sendable { var time: LogTimestamp; var percent: Double }

    /// Readings newer than `span` seconds before the newest, at most `capacity` of them.
    private(set) var readings: BoundedQueue<Reading>
    let spanMilliseconds: Int64
    /// The newest reading ever seen (kept when the queue has evicted it).
    private(set) var latest: Reading?
    /// The latest threshold any reading stated.
    private(set) var threshold: Double?

    init(capacity: Int, spanSeconds: Int) {
        readings = BoundedQueue(capacity: capacity)
        spanMilliseconds = Int64(spanSeconds) * 1000
    }

    mutating func add(time: LogTimestamp, percent: Double, threshold: Double?) {
        if let threshold { self.threshold = threshold }
        readings.append(Reading(time: time, percent: percent))
        if latest == nil || time >= latest!.time { latest = Reading(time: time, percent: percent) }
        let cutoff = latest!.time.milliseconds - spanMilliseconds
        while let first = readings.first, first.time.milliseconds < cutoff { readings.removeFirst() }
    }

    /// The newest reading at or before `now`.
    func reading(atOrBefore now: LogTimestamp) -> Reading? {
        if let latest, latest.time <= now { return latest }
        var best: Reading?
        for i in 0..<readings.count {
            let r = readings.fromNewest(i)
            if r.time <= now, best == nil || r.time > best!.time { best = r }
        }
        return best
    }

    /// Readings whose time lies in `from...to`.
    func readings(from: LogTimestamp, to: LogTimestamp) -> [Reading] {
        (0..<readings.count).map { readings.fromNewest($0) }.filter { $0.time >= from && $0.time <= to }.reversed()
    }

    /// Least-squares slope in percentage points per minute; nil with fewer than two readings or
    /// when they all share one instant.
    static func slopePerMinute(_ points: [Reading]) -> Double? {
        guard points.count >= 2 else { return nil }
        let t0 = points[0].time.milliseconds
        let xs = points.map { Double($0.time.milliseconds - t0) / 60_000 }
        let ys = points.map(\.percent)
        let mx = xs.reduce(0, +) / Double(xs.count)
        let my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
        guard sxx > 0 else { return nil }
        return sxy / sxx
    }
}
