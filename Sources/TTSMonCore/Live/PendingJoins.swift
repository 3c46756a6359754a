/// What is known of a request before its `synthesis_complete`.
struct PendingRequest: Sendable {
    /// Log second of the latest record that touched the entry (for the timeout).
    var second: Int64
    var hasStart = false
    var textLen: Int?
    var cacheHit: Bool?
    var failedCode: String?
    /// The start's text and voice, kept for the recent-request index.
    var text: String?
    var voice: String?
}

/// In-flight requests by id, joined as `ReportAccumulator` joins them. Entries untouched for
/// `timeoutSeconds` of log time are evicted by periodic sweeps, and the table never holds more
/// than `capacity` entries (the oldest half goes when it would), so memory stays bounded even
/// when completions never come.
struct PendingJoins: Sendable {
    let timeoutSeconds: Int64
    let capacity: Int
    private(set) var table = RequestKeyMap<PendingRequest>()
    private var nextSweep: Int64 = Int64.min
    /// Entries dropped by timeout or capacity, since start.
    private(set) var evicted = 0

    init(timeoutSeconds: Int, capacity: Int) {
        self.timeoutSeconds = Int64(Swift.max(1, timeoutSeconds))
        self.capacity = Swift.max(16, capacity)
    }

    var count: Int { table.count }

    /// Requests started and not yet completed (nor given up on after `timeoutSeconds`).
    var inFlight: Int { table.reduce(0) { $0 + ($1.value.hasStart ? 1 : 0) } }

    /// Records a start.
    @inline(__always)
    mutating func start(_ key: RequestKey, second: Int64, textLen: Int?, cacheHit: Bool?, text: String?, voice: String?) {
        if table.count >= capacity, table[key] == nil { shrink(now: second) }
        table.update(key, default: PendingRequest(second: second)) { p in
            p.second = second
            p.hasStart = true
            p.textLen = textLen
            p.cacheHit = cacheHit
            p.text = text
            p.voice = voice
        }
    }

    /// Records a `synthesis_failed` code.
    @inline(__always)
    mutating func failed(_ key: RequestKey, second: Int64, code: String) {
        if table.count >= capacity, table[key] == nil { shrink(now: second) }
        table.update(key, default: PendingRequest(second: second)) { p in
            p.failedCode = code
            p.second = Swift.max(p.second, second)
        }
    }

    /// Takes the pending entry of a completed request.
    @inline(__always)
    mutating func complete(_ key: RequestKey) -> PendingRequest? {
        table.removeValue(forKey: key)
    }

    /// Sweeps out timed-out entries when log time has moved far enough since the last sweep.
    @inline(__always)
    mutating func expire(now: Int64) {
        guard now >= nextSweep else { return }
        nextSweep = now + Swift.max(1, timeoutSeconds / 10)
        sweep(olderThan: now - timeoutSeconds)
    }

    /// Drops entries last touched before `cutoff`.
    mutating func sweep(olderThan cutoff: Int64) {
        guard !table.isEmpty else { return }
        evicted += table.removeAll { $0.second < cutoff }
    }

    /// Makes room: timed-out entries first, then the older half.
    private mutating func shrink(now: Int64) {
        sweep(olderThan: now - timeoutSeconds)
        guard table.count >= capacity else { return }
        let seconds = table.map(\.value.second).sorted()
        sweep(olderThan: seconds[seconds.count / 2] + 1)
    }
}
