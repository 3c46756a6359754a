import Foundation

/// Finds where a log's recent stretch of time begins without reading it from the start:
/// records are in time order within a file, so a binary search over byte offsets, reading a
/// few lines at each probe, lands on the first line of the stretch. A dashboard started on a
/// 2 GB log reads its last minutes, not days of history shown as if they were now.
public enum TimeSeek {
    /// The log's last timestamped record time, from its final 64 KB (nil: none there).
    public static func lastTime(in fd: Int32, size: Int64, parser: LineParser) -> LogTimestamp? {
        var latest: LogTimestamp?
        forEachRecordTime(fd: fd, from: max(0, size - 65_536), size: size, limit: 65_536, parser: parser) { _, time in
            if latest == nil || time > latest! { latest = time }
            return true
        }
        return latest
    }

    /// A line start at or before the first record dated `target` or later (0 when the file
    /// starts after it). It errs early, never late: reading a little more history is harmless,
    /// starting after the stretch's first line would lose it.
    public static func offset(of target: LogTimestamp, in fd: Int32, size: Int64, parser: LineParser) -> Int64 {
        var low: Int64 = 0          // 0, or a line start whose record is older than target
        var high = size             // the stretch starts before this
        while high - low > 65_536 {
            let mid = low + (high - low) / 2
            guard let (at, time) = firstRecord(fd: fd, from: mid, size: size, parser: parser), at < high else {
                high = mid           // no dated record in [mid, high): the stretch starts before mid
                continue
            }
            if time < target { low = at } else { high = at }
        }
        // The last stretch, line by line; nothing found there (undated lines): the safe side.
        var answer = low
        forEachRecordTime(fd: fd, from: low, size: size, limit: Int(high - low) + 65_536, parser: parser) { at, time in
            if time >= target { answer = min(answer, at); return false }
            return true
        }
        return answer
    }

    /// The first timestamped record at or after the first line start after `from`.
    static func firstRecord(fd: Int32, from: Int64, size: Int64, parser: LineParser) -> (Int64, LogTimestamp)? {
        var found: (Int64, LogTimestamp)?
        forEachRecordTime(fd: fd, from: from, size: size, limit: 1 << 20, parser: parser) { at, time in
            found = (at, time)
            return false
        }
        return found
    }

    /// Calls `body` with each dated record's line start and time, from the first line start at
    /// or after `from` (`from` itself when 0), reading at most `limit` bytes, until it answers false.
    static func forEachRecordTime(fd: Int32, from: Int64, size: Int64, limit: Int, parser: LineParser? = nil,
                                  _ body: (Int64, LogTimestamp) -> Bool) {
        let length = Int(min(Int64(limit), size - from))
        guard length > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: length)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(from)) }
        guard n > 0 else { return }
        let parsers = parser.map { [$0] } ?? LogFormat.all.map { LineParser(format: $0) }
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        buffer.withUnsafeBufferPointer { bytes in
            var start = 0
            if from > 0 {
                // The first whole line begins after the first newline (a probe lands mid-line).
                guard let newline = bytes[0..<n].firstIndex(of: 10) else { return }
                start = newline + 1
            }
            while start < n {
                guard let end = bytes[start..<n].firstIndex(of: 10) else { return }   // a cut last line
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                for p in parsers {
                    if case .record = p.parse(line, into: &record), !record.untimed {
                        if !body(from + Int64(start), record.time) { return }
                        break
                    }
                }
                start = end + 1
            }
        }
    }
}
