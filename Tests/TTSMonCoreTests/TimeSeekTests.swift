import Foundation
import Testing
@testable import TTSMonCore

/// Issue 18, first part: a followed log's recent stretch is found from its end by log time, so
/// the live figures of every window are right at once and days of history are never read (or
/// shown) as if they were now.
@Suite struct TimeSeekTests {
    /// 40 minutes of log at 10 requests a second (~11 MB), an incident in it.
    static func generate() throws -> (TempDir, String) { try generatedLog(requests: 24_000, rate: 10, seed: 5) }

    /// Dated records of the file in order: (line start, time).
    static func records(_ path: String, parser: LineParser) throws -> [(Int64, LogTimestamp)] {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var out: [(Int64, LogTimestamp)] = []
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        var start = 0
        bytes.withUnsafeBufferPointer { all in
            while start < all.count, let end = all[start...].firstIndex(of: 10) {
                if case .record = parser.parse(UnsafeBufferPointer(rebasing: all[start..<end]), into: &record), !record.untimed {
                    out.append((Int64(start), record.time))
                }
                start = end + 1
            }
        }
        return out
    }

    @Test func theOffsetIsALineStartJustBeforeTheStretch() throws {
        let (dir, path) = try Self.generate()
        _ = dir
        let parser = LineParser(format: .indexTTS)
        let all = try Self.records(path, parser: parser)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let size = Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int)
        #expect(TimeSeek.lastTime(in: fd, size: size, parser: parser) == all.map(\.1).max())
        let newest = all.map(\.1).max()!
        for back in [0, 1, 59, 60, 300, 900, 1200, 2399, 3600] {
            let target = newest.adding(milliseconds: -Int64(back) * 1000)
            let offset = TimeSeek.offset(of: target, in: fd, size: size, parser: parser)
            // Never late: every record dated target or later is at or after the offset.
            let firstWanted = all.first { $0.1 >= target }?.0 ?? size
            #expect(offset <= firstWanted, "\(back) s back: \(offset) > \(firstWanted)")
            // A line start (or 0), and not much early: under two probe spans of older lines.
            #expect(offset == 0 || all.contains { $0.0 == offset } || offset == size, "\(back) s back: \(offset) is no line start")
            #expect(firstWanted - offset <= 2 * 65_536, "\(back) s back: \(firstWanted - offset) bytes early")
        }
    }

    @Test func aCollectorReadsOnlyTheRecentStretchAndAgreesWithOneThatReadsAll() throws {
        let (dir, path) = try Self.generate()
        _ = dir
        let size = Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int)
        let recent = LiveCollector(paths: [path], history: 17 * 60)
        let whole = LiveCollector(paths: [path])
        while recent.poll() {}
        while whole.poll() {}
        let read = recent.sourceStatus().first!.bytes
        #expect(read < size / 2 && read > size / 4, "17 of 40 minutes: \(read) of \(size) bytes")
        for window in LiveWindow.allCases where window.isPerSecond {
            let a = recent.metrics.snapshot(window: window), b = whole.metrics.snapshot(window: window)
            #expect(a.requests.window == b.requests.window && a.requests.failed == b.requests.failed, "\(window)")
            #expect(a.latency == b.latency && a.errors.map(\.code) == b.errors.map(\.code), "\(window)")
        }
    }
}
