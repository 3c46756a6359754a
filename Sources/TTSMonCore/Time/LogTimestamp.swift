/// A log timestamp in the log's own local time, as milliseconds since 0000-03-01 (proleptic
/// Gregorian). A time written without a zone is kept as written; one written with an offset is
/// converted to this machine's local time (`ZonedTimestamp.swift`), so the two compare.
public struct LogTimestamp: Hashable, Comparable, Sendable {
    /// Milliseconds since the civil epoch used by `days(fromYear:month:day:)`.
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              day <= LogTimestamp.daysIn(month: month, year: year),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (0...999).contains(millisecond) else { return nil }
        let days = Int64(LogTimestamp.days(fromYear: year, month: month, day: day))
        milliseconds = ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60_000
            + Int64(second) * 1000 + Int64(millisecond)
    }

    public static func < (lhs: LogTimestamp, rhs: LogTimestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Adds a number of milliseconds.
    public func adding(milliseconds delta: Int64) -> LogTimestamp { LogTimestamp(milliseconds: milliseconds + delta) }

    /// The whole second this time falls in (floor of milliseconds / 1000).
    @inline(__always)
    public var second: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }

    /// Seconds from `self` to `other`, as a Double.
    public func seconds(until other: LogTimestamp) -> Double { Double(other.milliseconds - milliseconds) / 1000 }

    /// The civil date and time of this timestamp.
    public var components: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        var ms = milliseconds
        var days = ms / 86_400_000
        ms -= days * 86_400_000
        if ms < 0 { ms += 86_400_000; days -= 1 }
        let (y, m, d) = LogTimestamp.civil(fromDays: Int(days))
        let msInt = Int(ms)
        return (y, m, d, msInt / 3_600_000, (msInt / 60_000) % 60, (msInt / 1000) % 60, msInt % 1000)
    }

    /// The timestamp as logs write it: `YYYY-MM-DD HH:MM:SS,mmm`.
    public var logText: String {
        let c = components
        var bytes = [UInt8](repeating: 0, count: 23)
        func put(_ value: Int, _ width: Int, at start: Int) {
            var v = value
            for i in stride(from: start + width - 1, through: start, by: -1) {
                bytes[i] = UInt8(48 + v % 10); v /= 10
            }
        }
        put(c.year, 4, at: 0); bytes[4] = 45; put(c.month, 2, at: 5); bytes[7] = 45; put(c.day, 2, at: 8)
        bytes[10] = 32; put(c.hour, 2, at: 11); bytes[13] = 58; put(c.minute, 2, at: 14); bytes[16] = 58
        put(c.second, 2, at: 17); bytes[19] = 44; put(c.millisecond, 3, at: 20)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Start of the same day.
    public var startOfDay: LogTimestamp {
        LogTimestamp(milliseconds: milliseconds - ((milliseconds % 86_400_000) + 86_400_000) % 86_400_000)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 0000-03-01 (Howard Hinnant's days_from_civil, shifted).
    static func days(fromYear year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe
    }

    static func civil(fromDays z: Int) -> (Int, Int, Int) {
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension LogTimestamp {
    /// Parses like `parse(_:)`, reusing the date of the previous line when its ten bytes repeat
    /// (consecutive log lines share their day).
    @inline(__always)
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, cache: DateCache) -> (LogTimestamp, Int)? {
        let n = bytes.count
        guard n >= 19, let base = bytes.baseAddress else { return nil }
        let dateWord = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
        let dateTail = UnsafeRawPointer(base + 8).loadUnaligned(as: UInt16.self)
        guard cache.valid, dateWord == cache.word, dateTail == cache.tail,
              base[13] == 58, base[16] == 58, base[10] == 32 || base[10] == 84 else {
            guard let parsed = parse(bytes) else { return nil }
            cache.word = dateWord; cache.tail = dateTail
            cache.dayStart = parsed.0.startOfDay.milliseconds
            cache.valid = true
            return parsed
        }
        @inline(__always) func two(_ i: Int) -> Int? {
            let a = Int(base[i]) &- 48, b = Int(base[i + 1]) &- 48
            guard a >= 0, a <= 9, b >= 0, b <= 9 else { return nil }
            return a &* 10 &+ b
        }
        guard let hour = two(11), let minute = two(14), let second = two(17),
              hour < 24, minute < 60, second <= 60 else { return parse(bytes) }
        var used = 19
        var millis = 0
        if n >= 23, base[19] == 44 || base[19] == 46, let hi = two(20) {
            let last = Int(base[22]) &- 48
            if last >= 0, last <= 9 {
                millis = hi &* 10 &+ last
                used = 23
                while used < n, base[used] >= 48, base[used] <= 57 { used &+= 1 }
            }
        }
        let ms = cache.dayStart &+ Int64(((hour &* 60 &+ minute) &* 60 &+ second) &* 1000 &+ millis)
        return (LogTimestamp(milliseconds: ms), used)
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[,.]mmm` (also `T` between date and time, and no fraction) at the
    /// start of `bytes`. Returns the timestamp and the number of bytes it used.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (LogTimestamp, Int)? {
        let n = bytes.count
        guard n >= 19 else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let d = Int(bytes[i]) &- 48
            return (0...9).contains(d) ? d : nil
        }
        @inline(__always) func number(_ from: Int, _ width: Int) -> Int? {
            var v = 0
            for i in from..<(from + width) { guard let d = digit(i) else { return nil }; v = v * 10 + d }
            return v
        }
        guard bytes[4] == 45, bytes[7] == 45, bytes[10] == 32 || bytes[10] == 84,
              bytes[13] == 58, bytes[16] == 58,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var used = 19
        var millis = 0
        if n >= 23, bytes[19] == 44 || bytes[19] == 46, let ms = number(20, 3) {
            millis = ms; used = 23
            // Accept longer fractions (microseconds) by skipping extra digits.
            while used < n, digit(used) != nil { used += 1 }
        }
        guard let ts = LogTimestamp(year: year, month: month, day: day, hour: hour, minute: minute,
                                    second: second, millisecond: millis) else { return nil }
        return (ts, used)
    }

    /// Parses a timestamp from a string (see `parse(_:)`); the whole string must be used.
    public init?(_ text: String) { self.init(text, zone: false) }

    /// With `zone`, a `Z` or `±HH:MM` / `±HHMM` after the time is accepted and applied: the
    /// time is converted to local time (see `parseZoned`).
    public init?(_ text: String, zone: Bool) {
        if zone {
            guard let ts = LogTimestamp.zoned(text) else { return nil }
            self = ts
            return
        }
        var copy = text
        let result: (LogTimestamp, Int)? = copy.withUTF8 { LogTimestamp.parse($0) }
        guard let (ts, used) = result, used == text.utf8.count else { return nil }
        self = ts
    }
}

/// The day of the last parsed timestamp, so lines of the same day skip the calendar arithmetic.
/// One per parser (one thread).
final class DateCache {
    var valid = false
    var word: UInt64 = 0
    var tail: UInt16 = 0
    var dayStart: Int64 = 0
}

import Foundation

extension LogTimestamp {
    /// A wall-clock instant in local time, as a log would write it (for probe schedules and
    /// logs the project writes itself; figures never use it).
    public init(localTime date: Date) {
        let seconds = date.timeIntervalSince1970 + Double(TimeZone.current.secondsFromGMT(for: date))
        let epoch = LogTimestamp(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0)!
        self = epoch.adding(milliseconds: Int64((seconds * 1000).rounded(.down)))
    }

    /// The wall-clock instant of this log time read as local time (the inverse of
    /// `init(localTime:)`, for systems that want real instants, such as Alertmanager).
    public var localDate: Date {
        let epoch = LogTimestamp(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0)!
        let local = Double(milliseconds - epoch.milliseconds) / 1000
        return Date(timeIntervalSince1970: local - Double(TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: local))))
    }
}
