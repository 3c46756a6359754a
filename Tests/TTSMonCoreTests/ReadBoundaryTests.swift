import Foundation
import Testing
@testable import TTSMonCore

/// Where a read or a line ends must never change what a line parses to: a source may return
/// any number of bytes (a network file system's short reads), and what lies in the buffer past
/// a line's newline (the last line of a byte range is followed by stale bytes) is not looked at.
struct ReadBoundaryTests {
    /// Reads of a few bytes to tens of kilobytes, at random.
    final class ChoppySource: ByteSource {
        let rest: ByteSource
        var state: UInt64
        var warning: String? { rest.warning }
        var rawBytesRead: Int64 { rest.rawBytesRead }
        init(_ rest: ByteSource, seed: UInt64) { self.rest = rest; state = seed }

        func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let r = Int(state >> 33)
            let want = max(1, min(buffer.count, r % 3 == 0 ? r % 97 + 1 : r % 70_000 + 1))
            return rest.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        }
    }

    static func generated(_ format: GeneratedFormat, in dir: TempDir) throws -> String {
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 800)
        options.format = format
        options.seed = 8
        _ = try LogGenerator.generate(options)
        return dir.path + "/app.log"
    }

    /// What a parsed line says, as text to compare.
    static func describe(_ kind: LineKind, _ r: LogRecord) -> String {
        "\(kind) \(r.event) \(r.time) \(String(describing: r.gpuID)) \(String(describing: r.status)) \(String(describing: r.durationMs))"
    }

    @Test(arguments: [GeneratedFormat.chatTTS, .indexTTS, .jsonLines])
    func shortReadsSplitAndCheckLinesTheSame(format: GeneratedFormat) throws {
        let dir = TempDir()
        let path = try Self.generated(format, in: dir)
        let parser = LineParser(format: try LogOpener.open(LogInput(path: path)).format, keepIDs: false)
        func parsed(_ source: ByteSource, checksText: Bool) -> [String] {
            var record = LogRecord(time: LogTimestamp(milliseconds: 0))
            var out: [String] = []
            LineReader(source: source, checksText: checksText).forEachLine { line in
                guard case .text(let bytes, let offset, let checked) = line else { out.append("overlong"); return }
                out.append("\(offset) " + Self.describe(parser.parse(bytes, into: &record, checked: checked), record))
            }
            return out
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        let whole = parsed(FileDescriptorSource(fd: fd, range: 0..<Int64.max), checksText: false)
        #expect(whole.count > 500)
        for seed in UInt64(1)...5 {
            let choppy = parsed(ChoppySource(FileDescriptorSource(fd: fd, range: 0..<Int64.max), seed: seed), checksText: true)
            let first = (0..<min(choppy.count, whole.count)).first { choppy[$0] != whole[$0] }
            #expect(choppy == whole, "seed \(seed): \(choppy.count) vs \(whole.count) lines, first difference at \(String(describing: first))")
        }
    }

    @Test(arguments: [GeneratedFormat.chatTTS, .indexTTS, .jsonLines])
    func parsingLooksOnlyAtTheLine(format: GeneratedFormat) throws {
        let dir = TempDir()
        let path = try Self.generated(format, in: dir)
        let parser = LineParser(format: try LogOpener.open(LogInput(path: path)).format, keepIDs: false)
        let lines = try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: 10).map(Array.init)
        let after: [[UInt8]] = [Array(repeating: 0x20, count: 64), Array(" gpu_id=9 status=failed, duration_ms=123 code=X\n".utf8),
                                Array(repeating: 0xFF, count: 64), Array(repeating: 0x30, count: 64), Array(repeating: 0, count: 64)]
        var differing: [String] = []
        for checked in [false, true] {
            for line in lines {
                let readings = Set(after.map { tail in
                    var record = LogRecord(time: LogTimestamp(milliseconds: 0))
                    let kind = (line + tail).withUnsafeBufferPointer { parser.parse(UnsafeBufferPointer(rebasing: $0[0..<line.count]), into: &record, checked: checked) }
                    return Self.describe(kind, record)
                })
                if readings.count > 1 { differing.append(String(decoding: line, as: UTF8.self)) }
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(3))")
    }
}
