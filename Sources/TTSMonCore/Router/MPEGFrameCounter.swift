/// Counts the frames of an MPEG audio stream (MP3, MP2, MP1) as it passes, chunk by chunk, to
/// tell its duration: an ID3v2 tag is skipped, each frame's header gives its length and its
/// samples, a Xing/Info/VBRI frame (an encoder's table, no audio) is not counted, and an ID3v1
/// tag may follow the last frame. Anything else that breaks the chain of frames means the
/// duration cannot be counted (`milliseconds` is nil). Holds a few bytes, whatever the size.
public struct MPEGFrameCounter: Sendable {
    private enum Phase: Sendable {
        /// Collecting the first 10 bytes: an ID3v2 header or the first frame's.
        case start
        case skipTag(Int)
        /// Collecting a frame header (4 bytes).
        case header
        /// Inside a frame: bytes left.
        case frame(Int)
        /// The chain broke; bytes since then (an ID3v1 tag is 128).
        case trailing(Int)
    }

    private var phase = Phase.start
    private var pending: [UInt8] = []
    private var frames = 0
    private var microseconds = 0.0
    /// The first frame's opening bytes and its duration, to tell an encoder's info frame.
    private var firstFrameHead: [UInt8] = []
    private var firstFrameMicroseconds = 0.0
    private var broken = false

    public init() {}

    /// Takes the next bytes of the stream.
    public mutating func feed<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var i = bytes.startIndex
        while i != bytes.endIndex, !broken {
            switch phase {
            case .start:
                pending.append(bytes[i]); i = bytes.index(after: i)
                if pending.count == 3, pending != [0x49, 0x44, 0x33] {        // not "ID3": a frame header
                    phase = .header
                } else if pending.count == 10 {
                    // Synchsafe size: 7 bits a byte; a footer adds 10.
                    let size = pending[6...9].reduce(0) { $0 << 7 | Int($1 & 0x7F) } + (pending[5] & 0x10 != 0 ? 10 : 0)
                    pending.removeAll()
                    phase = size > 0 ? .skipTag(size) : .header
                }
            case .skipTag(let left):
                let n = Swift.min(left, bytes.distance(from: i, to: bytes.endIndex))
                i = bytes.index(i, offsetBy: n)
                phase = left - n > 0 ? .skipTag(left - n) : .header
            case .header:
                pending.append(bytes[i]); i = bytes.index(after: i)
                if pending.count == 1, pending[0] != 0xFF, frames > 0 { phase = .trailing(1); pending.removeAll(); continue }
                guard pending.count >= 4 else { continue }
                guard let frame = MPEGFrameCounter.frame(pending[0], pending[1], pending[2]) else {
                    if frames > 0 { phase = .trailing(pending.count) } else { broken = true }
                    pending.removeAll()
                    continue
                }
                pending.removeAll()
                if frames == 0 { firstFrameMicroseconds = frame.microseconds }
                frames += 1
                microseconds += frame.microseconds
                phase = .frame(frame.length - 4)
            case .frame(let left):
                let n = Swift.min(left, bytes.distance(from: i, to: bytes.endIndex))
                if frames == 1, firstFrameHead.count < 48 {
                    firstFrameHead += bytes[i...].prefix(Swift.min(n, 48 - firstFrameHead.count))
                }
                i = bytes.index(i, offsetBy: n)
                phase = left - n > 0 ? .frame(left - n) : .header
            case .trailing(let seen):
                let n = bytes.distance(from: i, to: bytes.endIndex)
                i = bytes.endIndex
                phase = .trailing(seen + n)
            }
        }
    }

    /// The audio's duration, when the stream was a chain of MPEG frames (nil otherwise).
    public var milliseconds: Int? {
        guard !broken, frames > 0 else { return nil }
        switch phase {
        case .trailing(let seen) where seen > 128: return nil     // junk, not an ID3v1 tag
        case .start, .skipTag: return nil
        default: break
        }
        var total = microseconds
        let head = firstFrameHead
        let tags: [[UInt8]] = [Array("Xing".utf8), Array("Info".utf8), Array("VBRI".utf8)]
        if head.count >= 4, (0...(head.count - 4)).contains(where: { at in tags.contains { Array(head[at..<(at + 4)]) == $0 } }) {
            total -= firstFrameMicroseconds
        }
        return Int((total / 1000).rounded())
    }

    /// Length in bytes and duration of the frame whose header starts with these bytes.
    static func frame(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8) -> (length: Int, microseconds: Double)? {
        guard b0 == 0xFF, b1 & 0xE0 == 0xE0 else { return nil }
        let version = Int(b1 >> 3) & 3          // 0: 2.5, 1: reserved, 2: 2, 3: 1
        let layer = Int(b1 >> 1) & 3            // 1: III, 2: II, 3: I
        let bitrateIndex = Int(b2 >> 4)
        let rateIndex = Int(b2 >> 2) & 3
        guard version != 1, layer != 0, bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
        let v1 = version == 3
        let kbps: [Int]
        switch (v1, layer) {
        case (true, 3): kbps = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
        case (true, 2): kbps = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
        case (true, _): kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
        case (false, 3): kbps = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
        default: kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        }
        let base = [44_100, 48_000, 32_000][rateIndex]
        let sampleRate = version == 3 ? base : version == 2 ? base / 2 : base / 4
        let bitrate = kbps[bitrateIndex] * 1000
        let padding = Int(b2 >> 1) & 1
        let samples: Int
        let length: Int
        if layer == 3 {
            samples = 384
            length = (12 * bitrate / sampleRate + padding) * 4
        } else {
            samples = layer == 2 || v1 ? 1152 : 576
            length = samples / 8 * bitrate / sampleRate + padding
        }
        guard length > 4 else { return nil }
        return (length, Double(samples) * 1_000_000 / Double(sampleRate))
    }
}
