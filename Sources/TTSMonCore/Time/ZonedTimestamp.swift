import Foundation

/// Timestamps written with a zone (`Z`, `+08:00`, `+0000`) and the access-log forms.
///
/// A time written with an offset is converted to this machine's local time (the `TZ` the
/// process runs in), the frame every zone-less log time and the wall clock are read in, so that
/// files written in different zones (a container's UTC and a host's local time) compare right.
/// Times without a zone are kept as written.
extension LogTimestamp {
    /// The Unix epoch as a log timestamp.
    static let unixEpoch = LogTimestamp(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0)!

    /// Converts a time written at `offsetSeconds` east of UTC to local time.
    public func convertedToLocal(fromOffsetSeconds offsetSeconds: Int) -> LogTimestamp {
        let utc = milliseconds - Int64(offsetSeconds) * 1000
        let unixSeconds = Double(utc - LogTimestamp.unixEpoch.milliseconds) / 1000
        let local = TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: unixSeconds))
        return LogTimestamp(milliseconds: utc + Int64(local) * 1000)
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.,fraction]` followed by an optional zone (`Z`, `±HH:MM`,
    /// `±HHMM`, `±HH`) at the start of `bytes`; a zone converts the time to local time. Returns
    /// the time and the bytes used, zone included.
    public static func parseZoned(_ bytes: ByteSpan) -> (LogTimestamp, Int)? {
        guard let (ts, used) = parse(bytes) else { return nil }
        var i = used
        let n = bytes.count
        // Fraction digits past the milliseconds (micro-, nanoseconds) are dropped.
        while i < n, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
        guard i < n else { return (ts, i) }
        if bytes[i] == UInt8(ascii: "Z") { return (ts.convertedToLocal(fromOffsetSeconds: 0), i + 1) }
        guard bytes[i] == 43 || bytes[i] == 45, let (offset, length) = zoneOffset(bytes, at: i + 1) else { return (ts, i) }
        let sign = bytes[i] == 45 ? -1 : 1
        return (ts.convertedToLocal(fromOffsetSeconds: sign * offset), i + 1 + length)
    }

    /// `HH:MM`, `HHMM` or `HH` at `at`, as seconds and the bytes used.
    static func zoneOffset(_ bytes: ByteSpan, at: Int) -> (Int, Int)? {
        func two(_ j: Int) -> Int? {
            guard j + 1 < bytes.count else { return nil }
            let a = Int(bytes[j]) - 48, b = Int(bytes[j + 1]) - 48
            return (0...9).contains(a) && (0...9).contains(b) ? a * 10 + b : nil
        }
        guard let hours = two(at), hours <= 18 else { return nil }
        if at + 2 < bytes.count, bytes[at + 2] == 58, let minutes = two(at + 3) { return ((hours * 60 + minutes) * 60, 5) }
        if let minutes = two(at + 2) { return ((hours * 60 + minutes) * 60, 4) }
        return (hours * 3600, 2)
    }

    /// Parses a whole string as `parseZoned` does.
    public static func zoned(_ text: String) -> LogTimestamp? {
        var copy = text
        return copy.withUTF8 { span -> LogTimestamp? in
            guard let (ts, used) = parseZoned(span), used == span.count else { return nil }
            return ts
        }
    }

    static let monthNames: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The access-log forms, without their brackets: `12/Jun/2024:14:22:37 +0000` (Apache,
    /// nginx, gunicorn; the offset is applied) and `12/Jun/2024 14:22:37` (werkzeug). Returns
    /// the time and the bytes used.
    public static func parseAccessLog(_ bytes: ByteSpan) -> (LogTimestamp, Int)? {
        let n = bytes.count
        guard n >= 20, bytes[2] == 47, bytes[6] == 47, bytes[11] == 58 || bytes[11] == 32,
              bytes[14] == 58, bytes[17] == 58 else { return nil }
        func number(_ from: Int, _ width: Int) -> Int? {
            var v = 0
            for j in from..<(from + width) {
                let d = Int(bytes[j]) - 48
                guard (0...9).contains(d) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        let name = bytes.slice(3, 6)
        guard let day = number(0, 2), let year = number(7, 4), let hour = number(12, 2),
              let minute = number(15, 2), let second = number(18, 2),
              let month = monthNames.firstIndex(where: { name.equals($0) }),
              let ts = LogTimestamp(year: year, month: month + 1, day: day, hour: hour, minute: minute,
                                    second: second, millisecond: 0) else { return nil }
        var used = 20
        if used + 5 <= n, bytes[used] == 32, bytes[used + 1] == 43 || bytes[used + 1] == 45,
           let (offset, length) = zoneOffset(bytes, at: used + 2) {
            let sign = bytes[used + 1] == 45 ? -1 : 1
            used += 2 + length
            return (ts.convertedToLocal(fromOffsetSeconds: sign * offset), used)
        }
        return (ts, used)
    }
}
