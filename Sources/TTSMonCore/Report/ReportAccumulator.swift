/// A router switch seen in the logs.
public struct FailoverEvent: Sendable, Equatable {
    public var time: LogTimestamp
    public var from: String?
    public var to: String
    public var message: String
}

/// Latest and largest cache fill readings.
public struct CacheReadings: Sendable {
    public var last: (time: LogTimestamp, percent: Double)?
    public var maxPercent: Double?
    public var threshold: Double?
    public var samples = 0

    mutating func add(time: LogTimestamp, percent: Double, threshold: Double?) {
        samples += 1
        if last == nil || time >= last!.time { last = (time, percent) }
        maxPercent = Swift.max(maxPercent ?? percent, percent)
        if let threshold { self.threshold = threshold }
    }

    mutating func merge(_ other: CacheReadings) {
        if let o = other.last { add(time: o.time, percent: o.percent, threshold: nil); samples -= 1 }
        if let m = other.maxPercent { maxPercent = Swift.max(maxPercent ?? m, m) }
        if let t = other.threshold { threshold = t }
        samples += other.samples
    }
}

/// Line counts by kind.
public struct LineCounts: Sendable, Equatable {
    public var total = 0, parsed = 0, continuation = 0, unparsed = 0
    /// Parsed records dated far ahead of their source's clock, left out of the live figures
    /// (counted among `parsed`; live only).
    public var outOfOrder = 0
    public init() {}
}

/// Folds parsed lines of one stretch of input into report figures. Stretches (files, or ranges
/// of one file read in parallel) merge in log order, so the result equals a single pass.
public struct ReportAccumulator: Sendable {
    /// What is known of a request before its `synthesis_complete`.
    /// Holds no references (the code is an index into `failureCodes`), so the in-flight map
    /// moves plain bytes.
    struct Pending: Sendable {
        var hasStart = false
        var cacheHit: Bool?
        var textLen: Int?
        /// 1 + the index of the `synthesis_failed` code in `failureCodes`; 0 for none.
        var failedCode: Int32 = 0
    }

    /// A completion whose start was not in this stretch: joined when stretches merge.
    struct Orphan: Sendable {
        var id: RequestKey
        var status: RequestStatus
        var code: String?
        var duration: Int?
    }

    public var range: TimeRange
    public internal(set) var lines = LineCounts()
    /// Untimestamped lines at the start of a stretch whose context (after an ERROR?) is not known yet.
    var leadingUntimestamped = 0
    var contextKnown = false
    var inErrorContext = false
    public internal(set) var first: LogTimestamp?
    public internal(set) var last: LogTimestamp?
    public internal(set) var total = 0, success = 0, failed = 0, serverErrors = 0
    public internal(set) var cacheHits = 0, cacheKnown = 0
    public internal(set) var latency = ExactHistogram()
    /// Real-time factors (ten-thousandths) of the requests that carry one, and their audio.
    public internal(set) var rtf = ExactHistogram()
    public internal(set) var audioMs = 0, audioKnown = 0
    public internal(set) var errorCounts: [String: Int] = [:]
    /// Stage timings, by index into `stageNames`.
    public internal(set) var stages = [ExactHistogram](repeating: ExactHistogram(), count: PipelineStage.allCases.count)
    public internal(set) var stageNames = StageNames()
    public internal(set) var buckets = [BucketStats](repeating: BucketStats(), count: TextLengthBucket.allCases.count)
    /// Requests by the GPU that served them (ChatTTS's `gpu_id`), so one bad card stands out.
    public internal(set) var byGPU: [Int: BucketStats] = [:]
    public internal(set) var cache = CacheReadings()
    public internal(set) var failovers: [FailoverEvent] = []
    /// Per-second figures for alert rules.
    public internal(set) var alertSeries: AlertSeries
    /// Whether this stretch's format writes HTTP-like codes (its 5xx count toward that ratio).
    public var statusCodes = false
    var pending = RequestKeyMap<Pending>()
    /// The distinct failure codes pending requests refer to.
    var failureCodes: [String] = []
    var failureCodeIndex: [String: Int32] = [:]
    var orphans: [Orphan] = []

    /// Requests and failures in one text-length bucket.
    public struct BucketStats: Sendable {
        public var requests = 0, failed = 0
        public var latency = ExactHistogram()
    }

    public init(range: TimeRange = TimeRange(), rules: [AlertRule] = AlertRule.builtIn) {
        self.range = range
        alertSeries = AlertSeries(rules: rules)
    }

    /// Marks the start of a file: untimestamped lines before any record are unparsed.
    public mutating func beginFile() {
        if !contextKnown {
            lines.unparsed += leadingUntimestamped
            leadingUntimestamped = 0
        }
        contextKnown = true
        inErrorContext = false
    }

    /// Counts a line over the length limit (skipped unread).
    public mutating func addOverlongLine() {
        lines.total += 1
        lines.unparsed += 1
        inErrorContext = false
    }

    /// Folds one parsed line.
    public mutating func add(_ result: LineResult) {
        switch result {
        case .record(var record): add(.record, &record)
        case .noTimestamp: var r = LogRecord(time: LogTimestamp(milliseconds: 0)); add(.noTimestamp, &r)
        case .malformed: var r = LogRecord(time: LogTimestamp(milliseconds: 0)); add(.malformed, &r)
        case .joined: var r = LogRecord(time: LogTimestamp(milliseconds: 0)); add(.joined, &r)
        }
    }

    /// Folds one parsed line whose record (when `kind` is `.record`) is in `record`. The record
    /// is taken `inout` only so that the hot loop's scratch record is never copied (a borrowed
    /// capture was copied whole, 200 bytes, on every line); it is not changed.
    @inline(__always)
    public mutating func add(_ kind: LineKind, _ record: inout LogRecord) {
        lines.total &+= 1
        switch kind {
        case .noTimestamp:
            if !contextKnown { leadingUntimestamped &+= 1 }
            else if inErrorContext { lines.continuation &+= 1 }
            else { lines.unparsed &+= 1 }
        case .malformed:
            lines.unparsed &+= 1
            contextKnown = true
            inErrorContext = false
        case .joined:
            lines.continuation &+= 1
        case .record:
            lines.parsed &+= 1
            contextKnown = true
            inErrorContext = record.level.mayCarryTraceback
            fold(&record)
        }
    }

    @inline(__always)
    mutating func fold(_ record: inout LogRecord) {
        // A record without a time of its own has no place in a span: it counts only in a
        // report over the whole input.
        let inRange = record.untimed ? range.isUnbounded : range.contains(record.time)
        if inRange, !record.untimed {
            if first == nil || record.time < first! { first = record.time }
            if last == nil || record.time > last! { last = record.time }
        }
        switch record.event {
        case .synthesisStart:
            pending.update(record.idKey!, default: Pending()) { p in
                p.hasStart = true
                p.textLen = record.textLen
                p.cacheHit = record.cacheHit
            }
        case .synthesisFailed:
            if let code = record.errorCode {
                let index = intern(code)
                pending.update(record.idKey!, default: Pending()) { $0.failedCode = index }
            }
        case .stageTime:
            if inRange, let i = stageNames.index(of: record) { addStage(i, record.durationMs!) }
        case .synthesisComplete:
            complete(&record, inRange: inRange)
        case .cacheUsage, .cacheHealth:
            if inRange, !record.untimed {
                cache.add(time: record.time, percent: record.usedPercent!, threshold: record.threshold)
                alertSeries.addCache(second: record.time.second, percent: record.usedPercent!)
            }
        case .failover:
            if inRange, !record.untimed {
                alertSeries.addFailover(second: record.time.second, toMain: (record.failoverTo ?? "?") == "main")
                failovers.append(FailoverEvent(time: record.time, from: record.failoverFrom,
                                               to: record.failoverTo ?? "?", message: record.message ?? ""))
            }
        case .audioMetrics, .other:
            break
        }
    }

    mutating func complete(_ record: inout LogRecord, inRange: Bool) {
        let known = record.idKey.flatMap { pending.removeValue(forKey: $0) }
        guard inRange else { return }
        let o = RequestOutcome(completion: record, started: known?.hasStart == true, textLen: known?.textLen,
                               cacheHit: known?.cacheHit, failedCode: failureCode(known))
        total &+= 1
        if let duration = o.durationMs { latency.add(duration) }
        if o.status == .success { success &+= 1 } else { failed &+= 1 }
        if o.serverError { serverErrors &+= 1 }
        if let factor = o.rtf { rtf.add(factor) }
        if let audio = o.audioMs { audioMs += audio; audioKnown &+= 1 }
        if let gpu = o.gpuID {
            byGPU[gpu, default: BucketStats()].requests &+= 1
            if o.status == .failed { byGPU[gpu]!.failed &+= 1 }
            if let duration = o.durationMs { byGPU[gpu]!.latency.add(duration) }
        }
        if !record.untimed {
            alertSeries.addRequest(second: record.time.second, failed: o.status == .failed, statusCodes: statusCodes,
                                   serverError: o.serverError, durationMs: o.durationMs, queueMs: o.queueMs, rtf: o.rtf)
        }
        if let id = record.idKey, !o.startKnown {
            // Its start may be in an earlier stretch: joined when the stretches merge.
            orphans.append(Orphan(id: id, status: o.status, code: o.code, duration: o.durationMs))
        } else {
            finalize(status: o.status, code: o.code, textLen: o.textLen, cacheHit: o.cacheHit, duration: o.durationMs)
        }
    }

    @inline(__always)
    mutating func addStage(_ i: Int, _ duration: Int) {
        growStages(to: i)
        stages[i].add(duration)
    }

    mutating func growStages(to i: Int) {
        if i >= stages.count { stages.append(contentsOf: repeatElement(ExactHistogram(), count: i + 1 - stages.count)) }
    }

    /// The index (+1) of a failure code, added on first sight.
    mutating func intern(_ code: String) -> Int32 {
        if let i = failureCodeIndex[code] { return i }
        failureCodes.append(code)
        let i = Int32(failureCodes.count)
        failureCodeIndex[code] = i
        return i
    }

    /// The failure code a pending request carries, if any.
    func failureCode(_ p: Pending?) -> String? {
        guard let p, p.failedCode > 0 else { return nil }
        return failureCodes[Int(p.failedCode) - 1]
    }

    mutating func finalize(status: RequestStatus, code: String?, textLen: Int?, cacheHit: Bool?, duration: Int?) {
        if status == .failed { errorCounts[code ?? "UNKNOWN", default: 0] &+= 1 }
        if let hit = cacheHit { cacheKnown &+= 1; if hit { cacheHits &+= 1 } }
        let bucket = TextLengthBucket(length: textLen).rawValue
        buckets[bucket].requests &+= 1
        if status == .failed { buckets[bucket].failed &+= 1 }
        if let duration { buckets[bucket].latency.add(duration) }
    }

    /// Appends a later stretch of the same input (the next file, or the next range of a file).
    public mutating func append(_ later: ReportAccumulator) {
        // Lines whose context depended on how this stretch ended.
        if later.leadingUntimestamped > 0 {
            if inErrorContext { lines.continuation += later.leadingUntimestamped }
            else if contextKnown { lines.unparsed += later.leadingUntimestamped }
            else { leadingUntimestamped += later.leadingUntimestamped }
        }
        lines.total += later.lines.total
        lines.parsed += later.lines.parsed
        lines.continuation += later.lines.continuation
        lines.unparsed += later.lines.unparsed
        if later.contextKnown { contextKnown = true; inErrorContext = later.inErrorContext }
        if let f = later.first, first == nil || f < first! { first = f }
        if let l = later.last, last == nil || l > last! { last = l }
        total += later.total; success += later.success; failed += later.failed
        serverErrors += later.serverErrors
        cacheHits += later.cacheHits; cacheKnown += later.cacheKnown
        latency.merge(later.latency)
        rtf.merge(later.rtf)
        audioMs += later.audioMs; audioKnown += later.audioKnown
        for (code, n) in later.errorCounts { errorCounts[code, default: 0] += n }
        for (i, h) in later.stages.enumerated() where h.count > 0 {
            if let mine = stageNames.index(named: later.stageNames.names[i]) { growStages(to: mine); stages[mine].merge(h) }
        }
        for i in buckets.indices {
            buckets[i].requests += later.buckets[i].requests
            buckets[i].failed += later.buckets[i].failed
            buckets[i].latency.merge(later.buckets[i].latency)
        }
        for (gpu, g) in later.byGPU {
            byGPU[gpu, default: BucketStats()].requests += g.requests
            byGPU[gpu]!.failed += g.failed
            byGPU[gpu]!.latency.merge(g.latency)
        }
        cache.merge(later.cache)
        alertSeries.merge(later.alertSeries)
        failovers.append(contentsOf: later.failovers)
        // Join the later stretch's orphans with what this stretch still has pending.
        for orphan in later.orphans {
            if let p = pending.removeValue(forKey: orphan.id) {
                finalize(status: orphan.status, code: orphan.code ?? failureCode(p), textLen: p.textLen,
                         cacheHit: p.cacheHit, duration: orphan.duration)
            } else {
                orphans.append(orphan)
            }
        }
        for (id, var p) in later.pending {
            // The later stretch's code, as an index into this stretch's table.
            p.failedCode = later.failureCode(p).map { intern($0) } ?? 0
            if let mine = pending[id] {
                // A failure code logged in the later stretch for a start in this one.
                var joined = mine
                if p.hasStart { joined = p }
                joined.failedCode = p.failedCode != 0 ? p.failedCode : mine.failedCode
                pending[id] = joined
            } else {
                pending[id] = p
            }
        }
    }

    /// Settles completions whose start never appeared. Call once, at the end.
    public mutating func finish() {
        lines.unparsed += leadingUntimestamped
        leadingUntimestamped = 0
        for orphan in orphans {
            finalize(status: orphan.status, code: orphan.code, textLen: nil, cacheHit: nil, duration: orphan.duration)
        }
        orphans.removeAll()
    }
}
