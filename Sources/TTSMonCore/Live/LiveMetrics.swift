/// The live metrics engine: folds followed log lines, in log time, into per-second figures that
/// snapshots read for any window (1, 5 or 15 minutes) ending at "now", the latest log time.
///
/// Time comes only from log timestamps, so replaying a log gives the same figures. Memory is
/// bounded: per-second counts cover the last `countRingSeconds` of log time (two of the longest
/// window, so the previous window exists for error trends), latency histograms the last
/// `latencyRingSeconds`, each in a ring of fixed size; in-flight requests time out; the recent
/// request index, signals, failovers and cache readings are fixed-capacity queues. Records older
/// than the rings count only toward the since-start totals.
public struct LiveMetrics: Sendable {
    /// Capacities and limits.
    public struct Configuration: Sendable {
        /// Completed requests kept in the id index (`indexedRequest(id:)`, `recentRequests`);
        /// 0 keeps none, and then no request text or voice is kept either.
        public var recentRequests = 50_000
        /// Log seconds after which a start without its completion is forgotten.
        public var pendingTimeoutSeconds = 600
        /// Early signals kept.
        public var signalCapacity = 200
        /// Failovers kept.
        public var failoverCapacity = 100
        /// Most in-flight requests held at once (the oldest half goes when full).
        public var pendingCapacity = 200_000
        /// Cache readings kept for the slope (also limited to the count ring's span).
        public var cacheReadingCapacity = 4096
        /// Error codes a snapshot lists (the top N by count).
        public var topErrors = 10
        /// Alert rules evaluated as log time passes (and at probe rounds).
        public var rules = AlertRule.builtIn
        /// Told of every completed request and stage timing (`ttsmon export`).
        public var observer: (any MetricsObserver)?
        public init() {}
    }

    /// Seconds of log time the per-second counts cover: two of the longest per-second window.
    public static let countRingSeconds = 2 * LiveWindow.longestPerSecond
    /// Seconds of log time the per-second latency histograms cover: the longest per-second window.
    public static let latencyRingSeconds = LiveWindow.longestPerSecond
    /// Minutes the per-minute counts cover (two of the longest window, for trends) and the
    /// per-minute latency histograms (the longest window): windows of an hour and more.
    public static let countRingMinutes = 2 * LiveWindow.longestSeconds / 60
    public static let latencyRingMinutes = LiveWindow.longestSeconds / 60

    public let configuration: Configuration
    var counts = SecondRing<CountSlot>(capacity: LiveMetrics.countRingSeconds)
    var latency = SecondRing<LatencySlot>(capacity: LiveMetrics.latencyRingSeconds)
    /// The same figures minute by minute (ring keys are minutes).
    var minuteCounts = SecondRing<CountSlot>(capacity: LiveMetrics.countRingMinutes)
    var minuteLatency = SecondRing<LatencySlot>(capacity: LiveMetrics.latencyRingMinutes)
    var sourceLines: [LineContext] = []
    var pending: PendingJoins
    var index: RecentRequestIndex
    var cache: CacheTrend
    var signals: BoundedQueue<StoredSignal>
    var failovers: BoundedQueue<FailoverEvent>
    /// The stage names met, each a latency family (1 + index).
    var stageNames = StageNames()
    /// The instance the last failover switched to.
    var activeInstance: String?
    var alertSeries: AlertSeries
    /// The alert rules' state machines.
    public private(set) var alerts: AlertEngine
    /// Per source: its format, once known (service label, HTTP-like codes).
    var sourceFormats: [LogFormat?] = []

    /// The wall clock as local log time, when following live (set by the collector at each poll):
    /// a record far ahead of it and of its source's other records does not move the clock.
    public var wallClock: LogTimestamp?

    /// Lines of every source since start.
    public private(set) var lines = LineCounts()
    /// Completed requests since start (`requests.total`), and how they ended.
    public internal(set) var totalRequests = 0, totalSuccess = 0, totalFailed = 0
    /// The earliest and latest record times seen.
    public internal(set) var first: LogTimestamp?, latest: LogTimestamp?

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        pending = PendingJoins(timeoutSeconds: configuration.pendingTimeoutSeconds, capacity: configuration.pendingCapacity)
        index = RecentRequestIndex(capacity: configuration.recentRequests)
        cache = CacheTrend(capacity: configuration.cacheReadingCapacity, spanSeconds: LiveMetrics.countRingSeconds)
        signals = BoundedQueue(capacity: configuration.signalCapacity)
        failovers = BoundedQueue(capacity: configuration.failoverCapacity)
        alertSeries = AlertSeries(rules: configuration.rules)
        alerts = AlertEngine(rules: configuration.rules)
    }

    /// Seconds of log time a second waits, after a later one appears, before rules evaluate it
    /// (so sources a little behind one another still count in it).
    public static let alertSettleSeconds: Int64 = 2

    /// Tells the metrics which format source `source` turned out to be.
    public mutating func setFormat(_ format: LogFormat, source: Int) {
        if sourceFormats.count <= source { sourceFormats.append(contentsOf: repeatElement(nil, count: source + 1 - sourceFormats.count)) }
        sourceFormats[source] = format
    }

    /// The service (format name) of source `source`.
    @inline(__always)
    func service(_ source: Int) -> String { source < sourceFormats.count ? sourceFormats[source]?.name ?? "unknown" : "unknown" }

    /// Whether source `source` writes HTTP-like codes (read in place: no format is copied).
    @inline(__always)
    func writesStatusCodes(_ source: Int) -> Bool { source < sourceFormats.count && sourceFormats[source]?.codesAreHTTPStatus == true }

    /// The newest cache reading (used percent) and the last threshold logged, without a snapshot.
    public var latestCache: (usedPercent: Double?, threshold: Double?) { (cache.latest?.percent, cache.threshold) }

    /// The instance traffic is on, as the last failover line said (nil before any).
    public var loggedActiveInstance: String? { activeInstance }

    /// Evaluates the probe rules at `time` (probe time, as a local log timestamp).
    public mutating func evaluateProbeAlerts(at time: LogTimestamp, activeTargetUp: Bool?, diskFreePercent: Double?,
                                             logStaleSeconds: Double? = nil, resources: ResourceAlertInputs = ResourceAlertInputs()) {
        alerts.evaluateProbe(at: time, activeTargetUp: activeTargetUp, diskFreePercent: diskFreePercent, logStaleSeconds: logStaleSeconds,
                             resources: resources)
    }

    /// Alert transitions since the last call (for a bell or Alertmanager).
    public mutating func drainAlertTransitions() -> [AlertTransition] { alerts.drainTransitions() }

    /// Whether a record of `second` can still count toward alert rules.
    @inline(__always)
    func alertAccepts(_ second: Int64) -> Bool { alerts.evaluatedThrough.map { second > $0 } ?? true }

    /// The log second of a timestamp (floor of milliseconds / 1000).
    @inline(__always)
    static func second(of time: LogTimestamp) -> Int64 { time.second }

    /// The minute a log second is in (the per-minute rings' key).
    static func minute(of second: Int64) -> Int64 { second >= 0 ? second / 60 : (second - 59) / 60 }

    /// Counts one completed request into the slot `key` of a pair of rings.
    @inline(__always)
    static func tally(_ o: RequestOutcome, key: Int64, counts: inout SecondRing<CountSlot>, latency: inout SecondRing<LatencySlot>) {
        if let slot = counts.slot(for: key) {
            counts.slots[slot].add(status: o.status, code: o.code, serverError: o.serverError,
                                   cacheHit: o.cacheHit, bucket: TextLengthBucket(length: o.textLen))
            if let audio = o.audioMs { counts.slots[slot].audioMs += Int64(audio); counts.slots[slot].audioKnown &+= 1 }
            if let gpu = o.gpuID { counts.slots[slot].addGPU(gpu, failed: o.status == .failed) }
        }
        if let slot = latency.slot(for: key) {
            if let duration = o.durationMs { latency.slots[slot].add(family: 0, value: duration) }
            if let factor = o.rtf { latency.slots[slot].add(family: LatencySlot.rtfFamily, value: factor) }
        }
    }

    /// Folds one physical line of source `source` (an index the caller assigns per followed file):
    /// `kind` and `record` as produced by `LineParser.parse(_:into:)` (record valid only when
    /// kind == .record); `offset` is the line's byte offset in its file, `file` the file's
    /// display name. Counts lines like `ReportAccumulator` (a line with no timestamp after an
    /// ERROR/CRITICAL record of the same source is a continuation, else unparsed; .malformed is
    /// unparsed), and joins synthesis_start / synthesis_failed / synthesis_complete by id exactly
    /// as `ReportAccumulator` does. Parse with `captureText: true` so the index gets ids, texts
    /// and voices; without ids (`keepIDs: false`) requests are counted but not indexed.
    /// Returns whether the line was understood (a record, or a traceback's line).
    @inline(__always) @discardableResult
    public mutating func add(_ kind: LineKind, _ record: LogRecord, source: Int, file: String, offset: Int64) -> Bool {
        precondition(source >= 0, "source indexes are non-negative")
        if source >= sourceLines.count { growSources(to: source) }
        let counted = sourceLines[source].count(kind, level: kind == .record ? record.level : .unknown)
        lines.add(counted)
        if kind == .record { admit(record, source: source, file: file, offset: offset) }
        return counted != .unparsed
    }

    /// Folds a record unless its source's clock holds it back (see `SourceClock`).
    @inline(__always)
    mutating func admit(_ record: LogRecord, source: Int, file: String, offset: Int64) {
        var dropped = 0
        switch sourceLines[source].clock.admit(record, file: file, offset: offset, wall: wallClock, dropped: &dropped) {
        case .fold: fold(record, source: source, file: file, offset: offset)
        case .held: break
        case .confirmed(let held): for h in held { fold(h.record, source: source, file: h.file, offset: h.offset) }
        }
        if dropped > 0 {
            sourceLines[source].lines.outOfOrder += dropped
            lines.outOfOrder += dropped
        }
    }

    /// Counts a skipped overlong line.
    public mutating func addOverlongLine(source: Int) {
        precondition(source >= 0, "source indexes are non-negative")
        if source >= sourceLines.count { growSources(to: source) }
        sourceLines[source].countOverlong()
        lines.add(.unparsed)
    }

    /// Forgets a source's traceback context, for a file that was rotated or truncated: its next
    /// untimestamped lines are unparsed until an ERROR record comes.
    public mutating func resetContext(source: Int) {
        guard source >= 0, source < sourceLines.count else { return }
        sourceLines[source].inErrorContext = false
    }

    /// Line counts of one source since start.
    public func lines(source: Int) -> LineCounts {
        source >= 0 && source < sourceLines.count ? sourceLines[source].lines : LineCounts()
    }

    private mutating func growSources(to source: Int) {
        sourceLines.append(contentsOf: repeatElement(LineContext(), count: source + 1 - sourceLines.count))
    }

    @inline(__always)
    mutating func fold(_ record: LogRecord, source: Int, file: String, offset: Int64) {
        let time = record.time
        let second = LiveMetrics.second(of: time)
        if latest == nil || time > latest! {
            latest = time
            if counts.newest == nil || second > counts.newest! {
                counts.advance(to: second)
                latency.advance(to: second)
                minuteCounts.advance(to: LiveMetrics.minute(of: second))
                minuteLatency.advance(to: LiveMetrics.minute(of: second))
                pending.expire(now: second)
                alerts.evaluateLog(&alertSeries, through: second - LiveMetrics.alertSettleSeconds)
            }
        }
        if first == nil || time < first! { first = time }
        switch record.event {
        case .synthesisStart:
            if let key = record.idKey {
                let keeps = configuration.recentRequests > 0
                pending.start(key, second: second, textLen: record.textLen, cacheHit: record.cacheHit,
                              text: keeps ? record.text.map(RecentRequest.pendingText) : nil, voice: keeps ? record.voice.map(RecentRequest.cleanVoice) : nil)
            }
        case .synthesisFailed:
            if let key = record.idKey, let code = record.errorCode { pending.failed(key, second: second, code: code) }
        case .stageTime:
            if let i = stageNames.index(of: record), let duration = record.durationMs {
                if let slot = latency.slot(for: second) { latency.slots[slot].add(family: LatencySlot.firstStage + i, value: duration) }
                if let slot = minuteLatency.slot(for: LiveMetrics.minute(of: second)) {
                    minuteLatency.slots[slot].add(family: LatencySlot.firstStage + i, value: duration)
                }
                configuration.observer?.stageTimed(service: service(source), stage: stageNames.names[i], durationMs: duration)
            }
        case .synthesisComplete:
            complete(record, second: second, source: source, file: file, offset: offset)
        case .cacheUsage, .cacheHealth:
            if let percent = record.usedPercent {
                cache.add(time: time, percent: percent, threshold: record.threshold)
                if alertAccepts(second) { alertSeries.addCache(second: second, percent: percent) }
            }
        case .failover:
            let to = record.failoverTo ?? "?"
            let from = FailoverEvent.resolvedFrom(logged: record.failoverFrom, to: to, active: activeInstance)
            failovers.append(FailoverEvent(time: time, from: from, to: to,
                                           message: RecentRequest.clipped(record.message ?? "", scalars: LiveSignal.detailLength)))
            if alertAccepts(second) { alertSeries.addFailover(second: second, toMain: to == "main") }
            activeInstance = to
        case .audioMetrics, .other:
            break
        }
        if record.level == .warning || record.event == .cacheUsage || record.event == .cacheHealth,
           let signal = StoredSignal.of(record) {
            signals.append(signal)
        }
    }

    @inline(__always)
    mutating func complete(_ record: LogRecord, second: Int64, source: Int, file: String, offset: Int64) {
        let known = record.idKey.flatMap { pending.complete($0) }
        let o = RequestOutcome(completion: record, started: known?.hasStart == true, textLen: known?.textLen,
                               cacheHit: known?.cacheHit, failedCode: known?.failedCode)
        let duration = o.durationMs, factor = o.rtf, status = o.status, code = o.code
        totalRequests += 1
        if status == .success { totalSuccess += 1 } else { totalFailed += 1 }
        configuration.observer?.requestCompleted(service: service(source), status: status, code: code,
                                                 durationMs: duration, queueMs: o.queueMs, rtf: factor)
        // Second by second, and minute by minute for the long windows.
        LiveMetrics.tally(o, key: second, counts: &counts, latency: &latency)
        LiveMetrics.tally(o, key: LiveMetrics.minute(of: second), counts: &minuteCounts, latency: &minuteLatency)
        if alertAccepts(second) {
            alertSeries.addRequest(second: second, failed: status == .failed,
                                   statusCodes: writesStatusCodes(source),
                                   serverError: o.serverError, durationMs: duration, queueMs: o.queueMs, rtf: factor)
        }
        if configuration.recentRequests > 0, let id = record.id, let key = record.idKey {
            index.add(RecentRequest(id: id, time: record.time, status: status, durationMs: duration, errorCode: code,
                                    textSnippet: known?.text.map(RecentRequest.snippet), voice: known?.voice.map(RecentRequest.cleanVoice),
                                    source: source, file: file, offset: offset), key: key)
        }
    }

    /// Recent completed requests, newest first, whose id equals `query` or whose text, voice or
    /// error code contains it (case-insensitive; nil or empty matches all), and whose error code
    /// equals `code` when given; at most `limit`.
    public func recentRequests(matching query: String?, code: String? = nil, limit: Int) -> [RecentRequest] {
        var out: [RecentRequest] = []
        guard limit > 0 else { return out }
        let q = query.flatMap { $0.isEmpty ? nil : $0 }
        index.forEachNewestFirst { request in
            if let code, request.errorCode != code { return true }
            if let q, !request.matches(q) { return true }
            out.append(request)
            return out.count < limit
        }
        return out
    }

    /// Requests started and not yet completed.
    public var requestsInFlight: Int { pending.inFlight }

    /// The indexed requests completed in `[from, from + seconds)`, slowest first (failures
    /// without a duration after those with one).
    public func requests(completedFrom from: LogTimestamp, seconds: Int, limit: Int) -> [RecentRequest] {
        let to = from.adding(milliseconds: Int64(seconds) * 1000)
        var out: [RecentRequest] = []
        index.forEachNewestFirst { request in
            if request.time >= from, request.time < to { out.append(request) }
            return request.time >= from.adding(milliseconds: -60_000)   // completions arrive nearly in order
        }
        out.sort { ($0.durationMs ?? -1, $0.id) > ($1.durationMs ?? -1, $1.id) }
        return Array(out.prefix(limit))
    }

    /// The indexed entry of one request id (its newest completion), if still in the bounded index.
    public func indexedRequest(id: String) -> RecentRequest? {
        guard isValidRequestID(id) else { return nil }
        return index.lookup(id: id)
    }

    /// Sizes of everything that could grow, for checking that memory stays bounded.
    public struct Footprint: Sendable, Equatable {
        /// Slots of the per-second count ring and latency ring (fixed).
        public var countSlots, latencySlots: Int
        /// Sparse histogram entries held across the latency ring.
        public var histogramEntries: Int
        /// Error tallies held across the count ring.
        public var errorTallies: Int
        /// In-flight requests awaiting their completion, and how many were dropped unjoined.
        public var pending, pendingEvicted: Int
        /// Entries and ids in the recent-request index.
        public var indexedRequests, indexedIds: Int
        public var signals, failovers, cacheReadings, sources: Int
    }

    /// Current sizes of the bounded structures.
    public var footprint: Footprint {
        Footprint(countSlots: counts.slots.count, latencySlots: latency.slots.count,
                  histogramEntries: latency.slots.reduce(0) { $0 + $1.entries.count },
                  errorTallies: counts.slots.reduce(0) { $0 + $1.errors.count },
                  pending: pending.count, pendingEvicted: pending.evicted,
                  indexedRequests: index.count, indexedIds: index.keyCount,
                  signals: signals.count, failovers: failovers.count, cacheReadings: cache.readings.count,
                  sources: sourceLines.count)
    }
}
