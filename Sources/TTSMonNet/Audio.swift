import Foundation

/// Real audio for the demo fleet and tests.
public enum ToneWAV {
    /// A 16-bit mono WAV of a sine tone.
    public static func make(seconds: Double = 0.25, frequency: Double = 440, sampleRate: Int = 16_000) -> [UInt8] {
        let samples = max(1, Int(Double(sampleRate) * seconds))
        var out = [UInt8]()
        out.reserveCapacity(44 + samples * 2)
        func u32(_ v: Int) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 24) & 0xFF)] }
        func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        out += Array("RIFF".utf8); u32(36 + samples * 2); out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(sampleRate); u32(sampleRate * 2); u16(2); u16(16)
        out += Array("data".utf8); u32(samples * 2)
        for i in 0..<samples {
            let fade = min(1, Double(min(i, samples - i)) / 200)
            let v = Int(sin(2 * Double.pi * frequency * Double(i) / Double(sampleRate)) * 12_000 * fade)
            u16(v & 0xFFFF)
        }
        return out
    }

    /// A WAV header that promises samples and has none.
    public static let emptyHeader: [UInt8] = {
        var w = make(seconds: 0.01)
        w.removeSubrange(44...)
        return w
    }()
}
