/// What kind of early signal a WARNING line gave.
public enum LiveSignalKind: String, Sendable {
    /// A request fell back (`fallback_used=true`).
    case fallbackUsed = "fallback_used"
    /// The service named a warning (`warning_code=...`).
    case warningCode = "warning_code"
    /// A cache reading over its threshold (or any cache reading logged at WARNING).
    case cacheOverThreshold = "cache_over_threshold"
    /// p95 latency climbing over the last 30 s (derived from the figures, not from a line).
    case p95Rising = "p95_rising"
}

/// One early signal, as snapshots show it.
public struct LiveSignal: Sendable, Equatable {
    public var time: LogTimestamp
    public var kind: LiveSignalKind
    /// What the line said, sanitised and at most `LiveSignal.detailLength` characters.
    public var detail: String
    /// The request id, when the line carried one.
    public var id: String?
    /// The `warning_code` the line named, sanitised (typed: never parsed back out of `detail`).
    public var warningCode: String?
    /// The cache reading of a cache signal, in percent.
    public var usedPercent: Double?

    public init(time: LogTimestamp, kind: LiveSignalKind, detail: String, id: String?,
                warningCode: String? = nil, usedPercent: Double? = nil) {
        self.time = time; self.kind = kind; self.detail = detail; self.id = id
        self.warningCode = warningCode; self.usedPercent = usedPercent
    }

    /// A p95 that rose in each of the last three 10 s blocks, by at least half, to at least
    /// 1 s: the trend that usually comes before a latency alert.
    public static func p95Rising(_ series: [Int?], at time: LogTimestamp) -> LiveSignal? {
        guard series.count >= 3 else { return nil }
        let last = series.suffix(3)
        guard let a = last[last.startIndex], let b = last[last.startIndex + 1], let c = last[last.startIndex + 2],
              a < b, b < c, c >= 1000, Double(c) >= 1.5 * Double(a) else { return nil }
        return LiveSignal(time: time, kind: .p95Rising, detail: "p95 rising \(LiveFormat.ms(a)) → \(LiveFormat.ms(c)) over 30s", id: nil)
    }

    /// Characters of detail kept.
    public static let detailLength = 160
}

/// A signal as stored: the record's own values, formatted only when a snapshot asks.
struct StoredSignal: Sendable {
    var time: LogTimestamp
    var kind: LiveSignalKind
    var id: String?
    var message: String?
    var warningCode: String?
    var usedPercent: Double?
    var threshold: Double?

    /// The signal of a record, when it is one: `LogRecord.isEarlySignal`, plus cache readings
    /// over their threshold at any level.
    static func of(_ record: LogRecord) -> StoredSignal? {
        let isCache = record.event == .cacheUsage || record.event == .cacheHealth
        let overThreshold = isCache && record.threshold.map { (record.usedPercent ?? 0) > $0 } == true
        guard record.isEarlySignal || overThreshold else { return nil }
        let kind: LiveSignalKind = record.warningCode != nil ? .warningCode
            : record.fallbackUsed ? .fallbackUsed : .cacheOverThreshold
        return StoredSignal(time: record.time, kind: kind, id: record.id,
                            message: record.message.map { RecentRequest.clipped($0, scalars: LiveSignal.detailLength) },
                            warningCode: record.warningCode, usedPercent: record.usedPercent, threshold: record.threshold)
    }

    /// The public form, with its detail text.
    var signal: LiveSignal {
        var detail: String
        if let message, !message.isEmpty {
            detail = message
        } else {
            switch kind {
            case .warningCode: detail = "warning_code=" + (warningCode ?? "?")
            case .fallbackUsed: detail = "fallback_used=true"
            case .p95Rising: detail = "p95 rising"
            case .cacheOverThreshold:
                detail = "cache " + (usedPercent.map { LiveFormat.decimal($0, places: 1) + "%" } ?? "?")
                if let threshold { detail += " over threshold " + LiveFormat.decimal(threshold, places: 1) + "%" }
            }
        }
        if detail.unicodeScalars.count > LiveSignal.detailLength {
            detail = String(String.UnicodeScalarView(detail.unicodeScalars.prefix(LiveSignal.detailLength)))
        }
        return LiveSignal(time: time, kind: kind, detail: Sanitizer.clean(detail), id: id.map(Sanitizer.clean),
                          warningCode: warningCode.map(Sanitizer.clean), usedPercent: usedPercent)
    }
}
