import CBytes
import Foundation
import Testing
@testable import TTSMonCore

/// Property tests: the parser, reader and sanitiser never crash or hang on hostile bytes, and
/// what they accept still obeys the rules.
@Suite struct HostileInputTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    static let seeds = [
        #"2024-06-12 14:22:37,892 - app.tts_engine - INFO - synthesis_start: id=ts_7f3a2b1c, text="今天, \"天气\" = 好🎉", lang=zh, voice=alloy, duration_ms=0, cache_hit=false"#,
        "2024-06-12 14:22:38,010 - app.tts_engine - INFO - stage_time: stage=llm_inference, id=ts_7f3a2b1c, duration_ms=483",
        "2024-06-12 14:22:38,415 - app.tts_engine - INFO - synthesis_complete: id=ts_7f3a2b1c, status=failed, duration_ms=523, error_code=SCIPY_FFT_INVALID",
        "2024-06-12 10:05:11,203 - app.cache - WARNING - cache_dir_usage: path=/app/cache, used_percent=92.7, threshold=90.0",
        "2024-06-12 14:30:00,001 - tts.router - WARNING - main instance failed, switching to standby",
        "2024-06-12 14:22:38,415 | 9f8e7d6c5b4a | 500 | 523ms | 86 | 0 | a | b | c",
        #"{"time": "2024-06-12 14:22:37,892", "level": "INFO", "event": "synthesis_complete", "id": "x", "status": "success", "duration_ms": 5, "t": "\u00e9\"", "n": {"a": [1, {"b": "}"}]}}"#,
    ]

    /// Checks what a parse accepted.
    static func checkInvariants(_ kind: LineKind, _ record: LogRecord) {
        guard case .record = kind else { return }
        switch record.event {
        case .synthesisComplete:
            #expect(record.id.map(isValidRequestID) == true)
            #expect((record.durationMs ?? -1) >= 0)
        case .stageTime, .synthesisStart, .synthesisFailed:
            #expect(record.id?.isEmpty == false)
        default: break
        }
    }

    @Test func mutatedLinesNeverCrash() {
        var rng = Rng(state: 42)
        let parsers = LogFormat.all.flatMap { [LineParser(format: $0), LineParser(format: $0, captureText: true)] }
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        for round in 0..<20_000 {
            var bytes = Array(Self.seeds[round % Self.seeds.count].utf8)
            for _ in 0..<(1 + rng.below(6)) {
                switch rng.below(5) {
                case 0 where !bytes.isEmpty: bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
                case 1 where !bytes.isEmpty: bytes.remove(at: rng.below(bytes.count))
                case 2: bytes.insert([0, 0x1B, 0x22, 0x5C, 0x2C, 0x3D, 0xFF, 0xC3, 0x20, 0x7C][rng.below(10)], at: rng.below(bytes.count + 1))
                case 3 where !bytes.isEmpty: bytes.removeSubrange(rng.below(bytes.count)...)
                default: bytes += bytes.prefix(rng.below(bytes.count + 1))
                }
            }
            for parser in parsers {
                let kind = bytes.withUnsafeBufferPointer { parser.parse($0, into: &record) }
                Self.checkInvariants(kind, record)
            }
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = Rng(state: 7)
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        let parsers = LogFormat.all.map { LineParser(format: $0, captureText: true) }
        for _ in 0..<20_000 {
            let bytes = (0..<rng.below(300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for parser in parsers {
                let kind = bytes.withUnsafeBufferPointer { parser.parse($0, into: &record) }
                Self.checkInvariants(kind, record)
            }
            let clean = Sanitizer.clean(bytes: bytes.withUnsafeBufferPointer { $0 })
            #expect(!clean.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        }
    }

    @Test func reportSurvivesJunkFiles() throws {
        var rng = Rng(state: 99)
        let dir = TempDir()
        var bytes: [UInt8] = []
        for i in 0..<4000 {
            if i % 3 == 0 { bytes += (0..<rng.below(200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
            else { bytes += Array(Self.seeds[rng.below(Self.seeds.count)].utf8) }
            bytes.append(10)
        }
        bytes += [UInt8](repeating: 0x41, count: (1 << 20) + 10) + [10]   // one line over 1 MiB
        let path = dir.write("junk.log", bytes: bytes)
        let s = try report([path], threads: 2, split: 40_000)
        #expect(s.lines.total == s.lines.parsed + s.lines.continuation + s.lines.unparsed)
        #expect(s.lines.unparsed >= 1)
        let gz = dir.write("junk.log.gz", bytes: Array(Gzip.compress(bytes).prefix(30_000)))
        let t = try report([gz])
        #expect(t.warnings.filter { $0.contains("gzip") }.count == 1)   // the truncation (a junk file may also be named as not understood)
    }

    /// The reader's whole-window text check (AVX2) must agree byte for byte with the per-line
    /// check it replaces: every UTF-8 error class, NUL bytes, and sequences cut or straddling
    /// the vector's 32-byte steps.
    @Test func blockTextCheckAgreesWithLineCheck() {
        guard LineValidation.blockCheckAvailable else {
            print("skipped: this CPU has no AVX2, the reader checks line by line")
            return
        }
        var rng = Rng(state: 2024)
        let valid: [[UInt8]] = [Array("a, b=\"c\" ".utf8), Array("今天".utf8), Array("é".utf8), Array("🎉".utf8),
                                Array("\u{10FFFF}".utf8), [0xED, 0x9F, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF], [0x7F], [0x1B, 0x5B, 0x32, 0x4A]]
        let invalid: [[UInt8]] = [
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
            [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x80],
            [0xBF, 0x80], [0xE4, 0xBB], [0xF0, 0x9F, 0x8E], [0xC3], [0], [0xE4, 0xBB, 0x8A, 0x80],
        ]
        var disagreements = 0, rejected = 0
        for round in 0..<30_000 {
            var bytes = Array(Self.seeds[round % 5].utf8.prefix(rng.below(120)))
            for _ in 0..<rng.below(8) {
                bytes.insert(contentsOf: valid[rng.below(valid.count)], at: rng.below(bytes.count + 1))
            }
            // Usually at most one damaged piece, so that it alone decides.
            if rng.below(2) == 0 { bytes.insert(contentsOf: invalid[rng.below(invalid.count)], at: rng.below(bytes.count + 1)) }
            if rng.below(3) == 0 { bytes += Array(repeating: 0x61, count: rng.below(70)) }
            let (block, line) = bytes.withUnsafeBufferPointer { (LineValidation.isCleanBlock($0), LineValidation.isCleanText($0)) }
            if block != line { disagreements += 1; if disagreements < 5 { Issue.record("disagree on \(bytes)") } }
            if !line { rejected += 1 }
        }
        #expect(disagreements == 0)
        #expect(rejected > 10_000 && rejected < 20_000)   // both answers well exercised
        for piece in invalid {
            let line = Array("2024-06-12 14:22:37,892 - app - INFO - x: text=\"".utf8) + piece + Array("\" tail".utf8)
            #expect(line.withUnsafeBufferPointer { !LineValidation.isCleanBlock($0) }, "\(piece)")
        }
    }

    /// The reader's newline search (16 bytes per step) finds what `firstIndex` finds, at every
    /// length and position, including none.
    @Test func newlineSearchAgreesWithFirstIndex() {
        var rng = Rng(state: 77)
        for _ in 0..<20_000 {
            let count = rng.below(80)
            var bytes = (0..<count).map { _ in UInt8(0x20 + rng.below(90)) }
            for _ in 0..<rng.below(3) where count > 0 { bytes[rng.below(count)] = 10 }
            let found = bytes.withUnsafeBufferPointer { ttsmon_find_byte($0.baseAddress, $0.count, 10) }
            #expect(found == (bytes.firstIndex(of: 10) ?? count))
        }
    }

    /// Lines counted through the reader's window check (a damaged line among clean ones) equal
    /// a plain line-by-line count.
    @Test func windowCheckedCountsEqualLineByLine() throws {
        var rng = Rng(state: 5)
        let dir = TempDir()
        var bytes: [UInt8] = []
        for i in 0..<30_000 {
            var line = Array(Self.seeds[rng.below(5)].utf8)
            if i % 97 == 0 { line[rng.below(line.count)] = [0xFF, 0, 0xC3, 0xED][rng.below(4)] }
            bytes += line + [10]
        }
        let path = dir.write("mixed.log", bytes: bytes)
        let s = try report([path], threads: 2, split: 300_000)
        let parser = LineParser(format: .indexTTS)
        var acc = ReportAccumulator()
        acc.beginFile()
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        try LogOpener.open(LogInput(path: path)).lines().forEachLine { line in
            guard case .text(let b, _, _) = line else { return }
            let kind = parser.parse(b, into: &record)   // not `checked`: the parser checks each line
            acc.add(kind, &record)
        }
        #expect(acc.lines == s.lines)
        #expect(s.lines.unparsed > 200)
    }

    @Test func sanitiserStripsEscapes() {
        #expect(Sanitizer.clean("a\u{1B}]0;pwned\u{07}b") == "ab")
        #expect(Sanitizer.clean("x\u{1B}[31mred\u{1B}[0m") == "xred")
        #expect(Sanitizer.clean("tab\there\r\n\u{9B}2J\u{202E}") == "tab here2J")
        #expect(Sanitizer.clean("今天🎉") == "今天🎉")
    }
}
