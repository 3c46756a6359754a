/// Keeps one source's log clock honest. A record dated far ahead of the source's other records
/// (and of the wall clock, when following live) is held back instead of moving the clock: one
/// line dated 2099 must not blank every window until 2099. A few consecutive records that agree
/// with one another confirm a real jump (a log resumed after a quiet night, a host whose logs run
/// in another time zone) and are folded in order; a lone outlier is dropped and counted.
struct SourceClock: Sendable {
    /// How far ahead of the source's newest record (or of the wall clock) a record may be.
    static let aheadLimitMs: Int64 = 3_600_000
    /// Consecutive held records, each within `aheadLimitMs` of the previous, that confirm a jump.
    static let confirmations = 3

    /// A record held back, with where it came from.
    struct HeldRecord: Sendable {
        var record: LogRecord
        var file: String
        var offset: Int64
    }

    /// What to do with a record.
    enum Verdict {
        /// Fold it now.
        case fold
        /// Held back; fold nothing now.
        case held
        /// A jump was confirmed: fold these (the record just given is the last) in order.
        case confirmed([HeldRecord])
    }

    /// The newest record time folded.
    private(set) var latest: LogTimestamp?
    private(set) var held: [HeldRecord] = []

    /// Judges a record of this source; `wall` is the wall clock as local log time when following
    /// live (nil when replaying). Records dropped as outliers are added to `dropped`.
    @inline(__always)
    mutating func admit(_ record: LogRecord, file: String, offset: Int64, wall: LogTimestamp?, dropped: inout Int) -> Verdict {
        let time = record.time
        if let latest, time.milliseconds <= latest.milliseconds + SourceClock.aheadLimitMs, held.isEmpty {
            if time > latest { self.latest = time }
            return .fold
        }
        return admitSlowly(record, file: file, offset: offset, wall: wall, dropped: &dropped)
    }

    private mutating func admitSlowly(_ record: LogRecord, file: String, offset: Int64, wall: LogTimestamp?,
                                      dropped: inout Int) -> Verdict {
        let time = record.time.milliseconds
        let bounds = [latest, wall].compactMap { $0.map { $0.milliseconds + SourceClock.aheadLimitMs } }
        if bounds.isEmpty || time <= bounds.max()! {
            // In line with the source (or nothing to judge by yet): what was held were outliers.
            dropped += held.count
            held.removeAll()
            if latest == nil || record.time > latest! { latest = record.time }
            return .fold
        }
        if let last = held.last, abs(time - last.record.time.milliseconds) > SourceClock.aheadLimitMs {
            dropped += held.count
            held.removeAll()
        }
        held.append(HeldRecord(record: record, file: file, offset: offset))
        guard held.count >= SourceClock.confirmations else { return .held }
        let confirmed = held
        held.removeAll()
        latest = confirmed.map(\.record.time).max()
        return .confirmed(confirmed)
    }
}
