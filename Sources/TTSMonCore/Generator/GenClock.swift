import Foundation

/// Log time as integer milliseconds since the Unix epoch (UTC, no time zones), with civil-date
/// arithmetic so no `DateFormatter` is needed on the hot path.
enum GenClock {
    static let msPerDay: Int64 = 86_400_000

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[,mmm]` (also `T` and `.`), nil when malformed or impossible.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 19 || b.count == 23 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            return v
        }
        guard b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x20 || b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
              let year = num(0, 4), let month = num(5, 2), let day = num(8, 2),
              let hour = num(11, 2), let minute = num(14, 2), let second = num(17, 2) else { return nil }
        var ms: Int64 = 0
        if b.count == 23 {
            guard b[19] == 0x2C || b[19] == 0x2E, let m = num(20, 3) else { return nil }
            ms = m
        }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second < 60 else { return nil }
        return days(year: year, month: month, day: day) * msPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + ms
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD HH:MM:SS,mmm` as a String (for truth; the writer uses `GenLineBuffer`).
    static func format(_ ms: Int64) -> String {
        var buffer = GenLineBuffer(capacity: 24)
        buffer.appendTimestamp(ms)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}
