/// What kind of early signal a WARNING line gave.
public enum LiveSignalKind: String, Sendable {
    /// A request fell back (`fallback_used=true`).
    case fallbackUsed = "fallback_used"
    /// The service named a warning (`warning_code=...`).
    case warningCode = "warning_code"
    /// A cache reading over its threshold (or any cache reading logged at WARNING).
    case cacheOverThreshold = "cache_over_threshold"
}

/// One early signal, as snapshots show it.
public struct LiveSignal: Sendable, Equatable {
    public var time: LogTimestamp
    public var kind: LiveSignalKind
    /// What the line said, sanitised and at most `LiveSignal.detailLength` characters.
    public var detail: String
    /// The request id, when the line carried one.
    public var id: String?

    public init(time: LogTimestamp, kind: LiveSignalKind, detail: String, id: String?) {
        self.time = time; self.kind = kind; self.detail = detail; self.id = id
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
        return StoredSignal(time: record.time, kind: kind, id: record.id, message: record.message,
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
            case .cacheOverThreshold:
                detail = "cache " + (usedPercent.map { LiveFormat.decimal($0, places: 1) + "%" } ?? "?")
                if let threshold { detail += " over threshold " + LiveFormat.decimal(threshold, places: 1) + "%" }
            }
        }
        if detail.unicodeScalars.count > LiveSignal.detailLength {
            detail = String(String.UnicodeScalarView(detail.unicodeScalars.prefix(LiveSignal.detailLength)))
        }
        return LiveSignal(time: time, kind: kind, detail: Sanitizer.clean(detail), id: id.map(Sanitizer.clean))
    }
}
