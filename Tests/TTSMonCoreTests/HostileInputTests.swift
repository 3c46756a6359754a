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
        #expect(t.warnings.count == 1)
    }

    @Test func sanitiserStripsEscapes() {
        #expect(Sanitizer.clean("a\u{1B}]0;pwned\u{07}b") == "ab")
        #expect(Sanitizer.clean("x\u{1B}[31mred\u{1B}[0m") == "xred")
        #expect(Sanitizer.clean("tab\there\r\n\u{9B}2J\u{202E}") == "tab here2J")
        #expect(Sanitizer.clean("今天🎉") == "今天🎉")
    }
}
