import Foundation
import Testing
@testable import TTSMonCore

@Suite struct ReaderTests {
    @Test func splitsLinesAcrossChunksAndKeepsLastPartialLine() {
        let lines = readLines(MemorySource(Array("alpha\nbeta\r\n\ngamma-without-newline".utf8)))
        #expect(lines == ["alpha", "beta\r", "", "gamma-without-newline"])
    }

    @Test func skipsOverlongLinesWithoutHoldingThem() {
        let long = String(repeating: "x", count: 5000)
        let lines = readLines(MemorySource(Array("a\n\(long)\nb\n\(long)".utf8), step: 100), chunk: 64, maxLine: 1000)
        #expect(lines == ["a", "<overlong>", "b", "<overlong>"])
    }

    @Test func blocksHoldWholeLines() {
        var joined: [String] = []
        LineReader(source: MemorySource(Array("one\ntwo\nthree-is-far-too-long\nfour".utf8), step: 5), chunkSize: 8, maxLineLength: 4)
            .forEachBlock { block, _ in joined.append(String(decoding: block, as: UTF8.self)) }
        #expect(joined.joined(separator: "\n").split(separator: "\n").map(String.init) == ["one", "two", "four"])
    }

    @Test func gzipMembersTruncationAndCorruption() throws {
        let dir = TempDir()
        let a = Gzip.compress(Array("first line\n".utf8))
        let b = Gzip.compress(Array("second line\n".utf8))
        let multi = dir.write("multi.gz", bytes: a + b)
        let opened = try LogOpener.open(LogInput(path: multi))
        #expect(opened.compressed)
        #expect(readLines(opened.source) == ["first line", "second line"])
        #expect(opened.source.warning == nil)

        let big = Gzip.compress(Array((0..<2000).map { "line \($0) of a longer file\n" }.joined().utf8))
        let cut = dir.write("cut.gz", bytes: Array(big.prefix(big.count / 2)))
        let truncated = try LogOpener.open(LogInput(path: cut))
        let got = readLines(truncated.source)
        #expect(got.count > 100)
        #expect(got.first == "line 0 of a longer file")
        #expect(truncated.source.warning?.contains("truncated") == true)

        var damaged = big
        for i in 200..<260 { damaged[i] ^= 0x5A }
        let bad = dir.write("bad.gz", bytes: damaged)
        let corrupt = try LogOpener.open(LogInput(path: bad))
        _ = readLines(corrupt.source)
        #expect(corrupt.source.warning != nil)
    }

    /// Both engines count the text they produce (the index records how far a `.gz` was read,
    /// and believes nothing past it).
    @Test func gzipCountsTheTextItProduces() {
        let text = Array((0..<5_000).map { "line \($0)\n" }.joined().utf8)
        let bytes = Gzip.compress(text) + Gzip.compress(Array("tail\n".utf8))
        for fast in GzipSource.usesFastInflate ? [false, true] : [false] {
            let source = GzipSource(MemorySource(bytes, step: 1 << 12), fastIfPresent: fast)
            #expect(readLines(source).count == 5_001)
            #expect(source.textProduced == Int64(text.count + 5), "fast: \(fast)")
        }
    }

    /// ISA-L and zlib read the same bytes: several members with padding between them, a stream
    /// cut short, damaged data (each says so, keeping what came before the damage).
    @Test(.enabled(if: GzipSource.usesFastInflate, "libisal2 is not installed (apt-get install libisal2)"))
    func fastInflateAgreesWithZlib() {
        let text = Array((0..<30_000).map { "2024-06-12 08:00:00,\($0 % 1000) - app - INFO - line \($0) 你好\n" }.joined().utf8)
        let member = Gzip.compress(text)
        var damaged = member
        for i in 5_000..<5_100 { damaged[i] ^= 0x5A }
        let cases: [[UInt8]] = [member + [0, 0, 0] + Gzip.compress(Array("tail\n".utf8)), Array(member.prefix(member.count / 3)), damaged]
        for (n, bytes) in cases.enumerated() {
            let fast = GzipSource(MemorySource(bytes, step: 1 << 16)), slow = GzipSource(MemorySource(bytes, step: 1 << 16), fastIfPresent: false)
            #expect(fast.fast != nil && slow.fast == nil)
            let a = readLines(fast, chunk: 1 << 20), b = readLines(slow, chunk: 1 << 20)
            if n == 0 { #expect(a == b && a.count == 30_001 && fast.warning == nil) }
            if n == 1 { #expect(a.count > 1000 && b.starts(with: a.dropLast()) && fast.warning?.contains("truncated") == true) }
            if n == 2 { #expect(fast.warning != nil && slow.warning != nil) }
        }
    }

    @Test func missingDirectoryAndRotationOrder() throws {
        let dir = TempDir()
        #expect(throws: InputError.self) { try LogOpener.open(LogInput(path: dir.path + "/nope.log")) }
        #expect(throws: InputError.self) { try LogOpener.open(LogInput(path: dir.path)) }
        let ordered = LogInput.chronological(["app.log", "app.log.1", "app.log.3.gz", "app.log.2.gz"].map(LogInput.init(path:)))
        #expect(ordered.map(\.path) == ["app.log.3.gz", "app.log.2.gz", "app.log.1", "app.log"])
        for name in ["app.log", "app.log.1", "app.log.2.gz", "app.log.10.gz", "app.log.bak", "other.log.1"] { dir.write(name, "") }
        let siblings = LogInput(path: dir.path + "/app.log").rotatedSiblings().map { URL(fileURLWithPath: $0.path).lastPathComponent }
        #expect(siblings == ["app.log.1", "app.log.2.gz", "app.log.10.gz"])
    }
}
