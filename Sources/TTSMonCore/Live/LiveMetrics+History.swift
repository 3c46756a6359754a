/// Older history folded in after the fact: the dashboard reads a log's recent stretch first
/// (its figures are right at once) and the hours before it in the background when a long
/// window needs them. Each line is read by exactly one of the two, so the slots add up.
extension LiveMetrics {
    /// Adds `older`'s per-second and per-minute figures (read from the part of the files before
    /// where this one began) and its totals.
    public mutating func mergeOlderHistory(_ older: LiveMetrics) {
        // Stage families are numbered by each side's own names: align them by name.
        let stageMap = older.stageNames.names.map { name -> Int in
            stageNames.index(named: name) ?? -1
        }
        LiveMetrics.merge(older.counts, into: &counts)
        LiveMetrics.merge(older.minuteCounts, into: &minuteCounts)
        LiveMetrics.merge(older.latency, into: &latency, stageMap: stageMap)
        LiveMetrics.merge(older.minuteLatency, into: &minuteLatency, stageMap: stageMap)
        totalRequests += older.totalRequests
        totalSuccess += older.totalSuccess
        totalFailed += older.totalFailed
        if let f = older.first, first == nil || f < first! { first = f }
        if latest == nil { latest = older.latest }
    }

    static func merge(_ source: SecondRing<CountSlot>, into target: inout SecondRing<CountSlot>) {
        for p in source.slots.indices {
            guard let key = source.key(at: p), let slot = target.existingOrOlderSlot(for: key) else { continue }
            target.slots[slot].merge(source.slots[p])
        }
    }

    static func merge(_ source: SecondRing<LatencySlot>, into target: inout SecondRing<LatencySlot>, stageMap: [Int]) {
        for p in source.slots.indices {
            guard let key = source.key(at: p), let slot = target.existingOrOlderSlot(for: key) else { continue }
            target.slots[slot].merge(source.slots[p], stageMap: stageMap)
        }
    }
}

extension SecondRing {
    /// The key slot `p` holds (nil when never used).
    func key(at p: Int) -> Int64? { seconds[p] == Int64.min ? nil : seconds[p] }

    /// The slot for a key at or before the newest that the ring still covers, claimed (and
    /// cleared) when it held an older key; nil when the key is newer than the ring (the ring
    /// never moves forward for history) or older than it covers.
    mutating func existingOrOlderSlot(for key: Int64) -> Int? {
        guard let newest, key <= newest, key > newest - Int64(capacity) else { return nil }
        return claim(key)
    }
}

extension CountSlot {
    /// Adds another slot's counts (the same second, from a different stretch of input).
    mutating func merge(_ o: CountSlot) {
        requests &+= o.requests; success &+= o.success; failed &+= o.failed; serverErrors &+= o.serverErrors
        cacheHits &+= o.cacheHits; cacheKnown &+= o.cacheKnown; audioMs += o.audioMs; audioKnown &+= o.audioKnown
        if !o.lengths.isEmpty {
            if lengths.isEmpty { lengths = Array(repeating: 0, count: o.lengths.count) }
            for i in o.lengths.indices { lengths[i] &+= o.lengths[i] }
        }
        for tally in o.errors { for _ in 0..<tally.count { addError(tally.code) } }
        for tally in o.gpus { addGPU(Int(tally.gpu), requests: tally.requests, failed: tally.failed) }
    }
}

extension LatencySlot {
    /// Adds another slot's histograms (bucket counts add exactly); `stageMap` renumbers its
    /// stage families into this side's (-1: dropped).
    mutating func merge(_ o: LatencySlot, stageMap: [Int]) {
        func family(_ f: Int) -> Int? {
            guard f >= LatencySlot.firstStage else { return f }
            let i = f - LatencySlot.firstStage
            return i < stageMap.count && stageMap[i] >= 0 ? LatencySlot.firstStage + stageMap[i] : nil
        }
        for entry in o.entries {
            let key = Int(entry >> 32), count = Int(UInt32(truncatingIfNeeded: entry))
            guard let f = family(key / LogLinearBuckets.count) else { continue }
            addBucket(family: f, bucket: key % LogLinearBuckets.count, count: count)
        }
        for (f, m) in o.maxima.enumerated() where m >= 0 {
            guard let target = family(f) else { continue }
            if target >= maxima.count { maxima.append(contentsOf: repeatElement(-1, count: target + 1 - maxima.count)) }
            maxima[target] = Swift.max(maxima[target], m)
        }
    }
}
