import Foundation
import Testing
@testable import TTSMonCore

/// Issue 17: what the router measures of an answer (MPEG frames counted as they pass) and the
/// status it answers, which the dashboard's `--router` reads back.
struct RouterAudioAndStatusTests {
    /// MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417 bytes and 1152 samples a frame.
    static func mp3(frames: Int, firstFrame: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<frames {
            var frame: [UInt8] = [0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: UInt8(i & 0x7F), count: 413)
            if i == 0, !firstFrame.isEmpty { frame.replaceSubrange(36..<(36 + firstFrame.count), with: firstFrame) }
            out += frame
        }
        return out
    }

    static let frameMs = 1152.0 * 1000 / 44_100

    static func counted(_ bytes: [UInt8], splits: [Int] = []) -> Int? {
        var counter = MPEGFrameCounter()
        var at = 0
        for split in splits + [bytes.count] {
            counter.feed(bytes[at..<split])
            at = split
        }
        return counter.milliseconds
    }

    @Test func framesAreCountedWhereverTheChunksBreak() {
        let stream = Self.mp3(frames: 12)
        let expected = Int((12 * Self.frameMs).rounded())
        #expect(Self.counted(Self.mp3(frames: 100)) == Int((100 * Self.frameMs).rounded()))
        for split in 0...stream.count {
            #expect(Self.counted(stream, splits: [split]) == expected, "split at \(split)")
        }
        // One byte at a time.
        #expect(Self.counted(stream, splits: Array(1..<stream.count)) == expected)
    }

    @Test func tagsAndEncoderFramesAreNotAudio() {
        // ID3v2 (10-byte header, synchsafe size 300) before, ID3v1 (128 bytes) after.
        let id3v2: [UInt8] = Array("ID3".utf8) + [4, 0, 0, 0, 0, 2, 0x2C] + [UInt8](repeating: 0x20, count: 300)
        let id3v1: [UInt8] = Array("TAG".utf8) + [UInt8](repeating: 0x41, count: 125)
        #expect(Self.counted(id3v2 + Self.mp3(frames: 10) + id3v1) == Int((10 * Self.frameMs).rounded()))
        // LAME's Info frame (and Xing's) holds the encoder's table, no audio.
        #expect(Self.counted(Self.mp3(frames: 11, firstFrame: Array("Info".utf8))) == Int((10 * Self.frameMs).rounded()))
        #expect(Self.counted(Self.mp3(frames: 11, firstFrame: Array("Xing".utf8))) == Int((10 * Self.frameMs).rounded()))
    }

    @Test func whatIsNotAChainOfFramesIsNotCounted() {
        let wav: [UInt8] = Array("RIFF".utf8) + [36, 0, 0, 0] + Array("WAVEfmt ".utf8) + [UInt8](repeating: 0, count: 400)
        #expect(Self.counted(wav) == nil)
        #expect(Self.counted(Array("{\"error\": \"boom\"}".utf8)) == nil)
        #expect(Self.counted([]) == nil)
        #expect(Self.counted(Self.mp3(frames: 10) + [UInt8](repeating: 0x55, count: 500)) == nil, "junk after the frames")
        #expect(Self.counted([0xFF, 0xFB, 0x00, 0x64] + [UInt8](repeating: 0, count: 600)) == nil, "free bitrate")
        // Other layers and versions: MPEG-2 Layer III (576 samples at 22.05 kHz, 72 × bitrate / rate).
        let frame: [UInt8] = [0xFF, 0xF3, 0x90, 0x64] + [UInt8](repeating: 0, count: 72 * 80_000 / 22_050 - 4)
        #expect(Self.counted(Array([[UInt8]](repeating: frame, count: 20).joined())) == Int((20 * 576 * 1000 / 22_050.0).rounded()))
    }

    @Test func statusRoundTripsThroughItsJSON() {
        let status = RouterStatus(active: "standby", targets: [
            .init(name: "main", url: "http://127.0.0.1:8000", up: false, lastProbeMs: 3000, reason: "timeout after 3 s"),
            .init(name: "standby", url: "http://127.0.0.1:8001", up: true, lastProbeMs: 412, reason: nil),
        ])
        let text = status.json.serialized()
        #expect(text.hasPrefix(#"{"active": "standby", "targets": [{"name": "main", "url": "http://127.0.0.1:8000", "up": false, "last_probe_ms": 3000, "reason": "timeout after 3 s"}"#), "\(text)")
        #expect(RouterStatus(json: Array(text.utf8)) == status)
        #expect(RouterStatus(json: Array(#"{"active": null, "targets": []}"#.utf8)) == RouterStatus(active: nil, targets: []))
        #expect(RouterStatus(json: Array("<html>".utf8)) == nil)
        #expect(RouterStatus(json: Array(#"{"targets": [{"name": "x"}]}"#.utf8)) == nil)
        let hostile = RouterStatus(json: Array(#"{"active": "m\u001b[2Jain", "targets": [{"name": "m\u001b[2Jain", "up": true}]}"#.utf8))
        #expect(hostile?.targets.first?.name.contains("\u{1b}") == false && hostile?.active?.contains("\u{1b}") == false)
    }

    @Test func aFailoverStateFollowsTheRoutersStatus() {
        var state = FailoverState(targets: [], mode: .manual)
        let t0 = LogTimestamp(milliseconds: 1_000_000)
        func status(_ active: String?, mainUp: Bool) -> RouterStatus {
            RouterStatus(active: active, targets: [.init(name: "main", url: nil, up: mainUp, lastProbeMs: 10, reason: mainUp ? nil : "connection refused"),
                                                   .init(name: "standby", url: nil, up: true, lastProbeMs: 12, reason: nil)])
        }
        #expect(state.adopt(status("main", mainUp: true), at: t0) == nil, "the first status is where we start, not a switch")
        #expect(state.active == "main" && state.targets.map(\.name) == ["main", "standby"])
        let change = state.adopt(status("standby", mainUp: false), at: LogTimestamp(milliseconds: 1_005_000))
        #expect(change?.from == "main" && change?.to == "standby" && change?.reason == "main failed: connection refused" && change?.origin == .router)
        #expect(state.targets[0].up == false)
        #expect(state.adopt(status("standby", mainUp: false), at: LogTimestamp(milliseconds: 1_010_000)) == nil)
        // Main back; the router waits for a person: failback is offered after two good reads.
        _ = state.adopt(status("standby", mainUp: true), at: LogTimestamp(milliseconds: 1_015_000))
        _ = state.adopt(status("standby", mainUp: true), at: LogTimestamp(milliseconds: 1_020_000))
        #expect(state.failbackPending)
        #expect(state.timeline.count == 1)
        // The router's log line for the same switch replaces the status's entry (its time is exact).
        state.noteLogged(FailoverEvent(time: LogTimestamp(milliseconds: 1_004_200), from: "main", to: "standby",
                                       message: "main instance failed, switching to standby"))
        #expect(state.timeline.map(\.origin) == [.log] && state.timeline.first?.time.milliseconds == 1_004_200)
        // A switch whose log line came first is not told twice.
        state.noteLogged(FailoverEvent(time: LogTimestamp(milliseconds: 1_021_000), from: "standby", to: "main",
                                       message: "main instance recovered, switching to main"))
        #expect(state.adopt(status("main", mainUp: true), at: LogTimestamp(milliseconds: 1_025_000)) == nil)
        #expect(state.active == "main" && state.timeline.map(\.origin) == [.log, .log])
    }
}
