extension LiveMetrics {
    /// Figures for the window ending at `now` (default: the latest log time seen), inclusive of
    /// now's second: the `window.seconds` log seconds up to and including it.
    ///
    /// QPS divides the window's requests by the seconds of it the log covers (from the first
    /// record's second, at least 1), so a young log is not diluted by seconds before it began.
    /// Error trends compare each code's count with the previous window of the same length.
    public func snapshot(window: LiveWindow, now: LogTimestamp? = nil) -> LiveSnapshot {
        var snap = LiveSnapshot(window: window)
        snap.latest = latest
        snap.lines = lines
        snap.alerts = alerts.statuses
        snap.requests.total = totalRequests
        snap.requests.inFlight = pending.inFlight
        // Slots of a second (the short windows) or of a minute (an hour and more); the
        // percentile series in blocks of 10 s, or per minute.
        let unit = window.unitSeconds, block = unit == 1 ? 10 : 1
        let length = window.seconds / unit
        snap.qpsSeries = Array(repeating: 0, count: length)
        snap.p95Series = Array(repeating: nil, count: length / block)
        snap.p50Series = snap.p95Series
        snap.p99Series = snap.p95Series
        snap.okSeries = Array(repeating: 0, count: length)
        snap.failedSeries = snap.okSeries
        snap.latencyHeat = Array(repeating: Array(repeating: 0, count: LatencyBands.upperMs.count), count: length / block)
        guard let end = now ?? latest else {
            snap.byTextLength = LiveMetrics.bucketRows([Int](repeating: 0, count: 2 * TextLengthBucket.allCases.count))
            return snap
        }
        snap.time = end
        let endSecond = LiveMetrics.second(of: end)
        let endKey = unit == 1 ? endSecond : LiveMetrics.minute(of: endSecond)
        let startKey = endKey - Int64(length) + 1
        let windowStart = LogTimestamp(milliseconds: startKey * Int64(unit) * 1000)

        fillCounts(into: &snap, ring: unit == 1 ? counts : minuteCounts, from: startKey, to: endKey, unit: unit, endSecond: endSecond)
        fillLatency(into: &snap, ring: unit == 1 ? latency : minuteLatency, from: startKey, to: endKey, block: block)
        fillCache(into: &snap, from: windowStart, to: end)

        let kept = failovers.newestFirst.filter { $0.time <= end }
        snap.failovers = kept
        snap.failoversInWindow = kept.filter { $0.time >= windowStart }.count
        snap.signals = signals.newestFirst.filter { $0.time <= end && $0.time >= windowStart }.map(\.signal)
        if unit == 1, let rising = LiveSignal.p95Rising(snap.p95Series, at: end) { snap.signals.insert(rising, at: 0) }
        return snap
    }

    /// Requests, QPS, errors with trends, text-length buckets, cache-hit and 5xx ratios.
    private func fillCounts(into snap: inout LiveSnapshot, ring counts: SecondRing<CountSlot>, from start: Int64, to end: Int64,
                            unit: Int, endSecond: Int64) {
        var lengths = [Int](repeating: 0, count: 2 * TextLengthBucket.allCases.count)
        var errorsNow: [String: Int] = [:]
        var errorsBefore: [String: Int] = [:]
        var gpus: [Int: (requests: Int, failed: Int)] = [:]
        var cacheHits = 0, cacheKnown = 0
        for s in start...end {
            guard let p = counts.existingSlot(for: s) else { continue }
            let slot = counts.slots[p]
            snap.requests.window += Int(slot.requests)
            snap.requests.success += Int(slot.success)
            snap.requests.failed += Int(slot.failed)
            snap.requests.serverErrors += Int(slot.serverErrors)
            cacheHits += Int(slot.cacheHits); cacheKnown += Int(slot.cacheKnown)
            if slot.audioKnown > 0 { snap.audioSeconds = (snap.audioSeconds ?? 0) + Double(slot.audioMs) / 1000 }
            for (i, n) in slot.lengths.enumerated() { lengths[i] += Int(n) }
            for tally in slot.errors { errorsNow[tally.code, default: 0] += Int(tally.count) }
            for tally in slot.gpus {
                gpus[Int(tally.gpu), default: (0, 0)].requests += Int(tally.requests)
                gpus[Int(tally.gpu), default: (0, 0)].failed += Int(tally.failed)
            }
            snap.qpsSeries[Int(s - start)] = Double(slot.requests) / Double(unit)
            snap.okSeries[Int(s - start)] = Int(slot.success)
            snap.failedSeries[Int(s - start)] = Int(slot.failed)
        }
        let length = end - start + 1
        for s in (start - length)..<start {
            guard let p = counts.existingSlot(for: s) else { continue }
            for tally in counts.slots[p].errors { errorsBefore[tally.code, default: 0] += Int(tally.count) }
        }
        // Seconds the window covers: its slots up to now's second, or fewer from a young log's first.
        let firstSecond = first.map(LiveMetrics.second(of:)) ?? endSecond
        snap.requests.coveredSeconds = Int(Swift.max(1, Swift.min(endSecond - start * Int64(unit) + 1, endSecond - firstSecond + 1)))
        snap.requests.qps = Double(snap.requests.window) / Double(snap.requests.coveredSeconds)
        let failedTotal = Swift.max(1, errorsNow.values.reduce(0, +))
        var rows = errorsNow.map { code, count in
            let previous = errorsBefore[code] ?? 0
            return LiveSnapshot.ErrorRow(code: code, count: count, share: Double(count) / Double(failedTotal),
                                         previous: previous, trend: LiveMetrics.trend(now: count, before: previous))
        }
        rows.sort { $0.count != $1.count ? $0.count > $1.count : $0.code < $1.code }
        snap.errors = Array(rows.prefix(Swift.max(0, configuration.topErrors)))
        snap.byTextLength = LiveMetrics.bucketRows(lengths)
        snap.byGPU = gpus.keys.sorted().map { LiveSnapshot.GPURow(gpuID: $0, requests: gpus[$0]!.requests, failed: gpus[$0]!.failed) }
        snap.cacheHitRatio = cacheKnown > 0 ? Double(cacheHits) / Double(cacheKnown) : nil
        snap.serverErrorRatio = snap.requests.window > 0
            ? Double(snap.requests.serverErrors) / Double(snap.requests.window) : nil
    }

    /// Up or down beyond ±10 % of the previous window, else flat; new when it was absent (the
    /// one rule for error rows, whether counted from logs or read from Prometheus).
    public static func trend(now: Int, before: Int) -> LiveSnapshot.Trend {
        if before == 0 { return now == 0 ? .flat : .new }
        if now * 10 > before * 11 { return .up }
        if now * 10 < before * 9 { return .down }
        return .flat
    }

    static func bucketRows(_ lengths: [Int]) -> [LiveSnapshot.BucketRow] {
        TextLengthBucket.allCases.compactMap { bucket in
            let requests = lengths[2 * bucket.rawValue], failed = lengths[2 * bucket.rawValue + 1]
            if bucket == .unknown, requests == 0 { return nil }
            return LiveSnapshot.BucketRow(bucket: bucket, requests: requests, failed: failed)
        }
    }

    /// Latency percentiles, stage p95s and the 10 s p95 series.
    private func fillLatency(into snap: inout LiveSnapshot, ring latency: SecondRing<LatencySlot>, from start: Int64, to end: Int64,
                             block: Int) {
        var merged = WindowLatency(families: LatencySlot.firstStage + stageNames.names.count)
        var entries: [UInt64] = []
        var blockMax = -1
        for s in start...end {
            let offset = Int(s - start)
            if let p = latency.existingSlot(for: s) {
                let slot = latency.slots[p]
                merged.add(slot)
                if let m = slot.maxima.first, m >= 0 {
                    blockMax = Swift.max(blockMax, Int(m))
                    entries.append(contentsOf: slot.entries.prefix { Int($0 >> 32) < LogLinearBuckets.count })
                }
            }
            if offset % block == block - 1 {
                let b = offset / block
                if b < snap.p95Series.count {
                    snap.p50Series[b] = WindowLatency.percentile(entries: entries, maximum: blockMax, perMille: 500)
                    snap.p95Series[b] = WindowLatency.percentile(entries: entries, maximum: blockMax, perMille: 950)
                    snap.p99Series[b] = WindowLatency.percentile(entries: entries, maximum: blockMax, perMille: 990)
                    snap.latencyHeat[b] = LatencyBands.counts(entries: entries)
                }
                entries.removeAll(keepingCapacity: true)
                blockMax = -1
            }
        }
        snap.latency.p50 = merged.percentile(family: 0, perMille: 500)
        snap.latency.p90 = merged.percentile(family: 0, perMille: 900)
        snap.latency.p95 = merged.percentile(family: 0, perMille: 950)
        snap.latency.p99 = merged.percentile(family: 0, perMille: 990)
        snap.latency.max = merged.maximum(family: 0)
        snap.latency.count = merged.count(family: 0)
        let f = LatencySlot.rtfFamily
        if merged.count(family: f) > 0 {
            func q(_ perMille: Int) -> Double { Double(merged.percentile(family: f, perMille: perMille) ?? 0) / 10_000 }
            snap.rtf = LiveSnapshot.RTF(p50: q(500), p95: q(950), p99: q(990), max: Double(merged.maximum(family: f) ?? 0) / 10_000)
        }
        snap.stages = stageNames.names.enumerated().compactMap { i, name in
            let family = LatencySlot.firstStage + i
            guard let p95 = merged.percentile(family: family, perMille: 950) else { return nil }
            return LiveSnapshot.StageRow(stage: name, p95: p95, count: merged.count(family: family),
                                         p50: merged.percentile(family: family, perMille: 500))
        }
    }

    /// The latest cache reading, its threshold, and the slope over the window.
    private func fillCache(into snap: inout LiveSnapshot, from start: LogTimestamp, to end: LogTimestamp) {
        let latestReading = cache.reading(atOrBefore: end)
        snap.cache.usedPercent = latestReading?.percent
        snap.cache.readingTime = latestReading?.time
        snap.cache.threshold = cache.threshold
        let points = cache.readings(from: start, to: end)
        snap.cache.readings = points.count
        let slope = CacheTrend.slopePerMinute(points)
        snap.cache.slopePerMinute = slope
        if let slope, slope > 0, let used = latestReading?.percent {
            snap.cache.fullInSeconds = used >= 100 ? 0 : (100 - used) / slope * 60
        }
    }
}
