import Foundation

/// Unique request ids. Hex ids come from a bijective mix of a counter, so they look random
/// but can never repeat; the ids reserved for hostile lines are skipped.
struct GenRequestIds {
    private let key32: UInt32
    private let key48: UInt64
    private var counter: UInt64 = 0
    private var otherCounter = 0
    private let datePart: String

    /// Ids that hostile lines use; no request ever gets them.
    static let reservedIndexTTS: [String] = ["ts_bad00001", "ts_bad00002"]
    static let reservedChatTTS: [String] = ["bad000000001", "bad000000002"]

    init(seed: UInt64, startMs: Int64) {
        key32 = UInt32(truncatingIfNeeded: (seed &* 0x9E37_79B9_7F4A_7C15) >> 17)
        key48 = (seed &* 0xD1B5_4A32_D192_ED03) & GenRequestIds.mask48
        let date = GenClock.civil(days: startMs >= 0 ? startMs / GenClock.msPerDay : (startMs - GenClock.msPerDay + 1) / GenClock.msPerDay)
        datePart = String(format: "%04d.%02d.%02d", Int(date.year), Int(date.month), Int(date.day))
    }

    private static let mask48: UInt64 = (1 << 48) - 1

    /// A bijection on 32-bit values.
    private static func mix32(_ x0: UInt32) -> UInt32 {
        var x = x0
        x ^= x >> 16
        x &*= 0x7FEB_352D
        x ^= x >> 15
        x &*= 0x846C_A68B
        x ^= x >> 16
        return x
    }

    /// A bijection on 48-bit values.
    private static func mix48(_ x0: UInt64) -> UInt64 {
        var x = x0 & mask48
        x ^= x >> 24
        x = (x &* 0x9E37_79B9_7F4B) & mask48
        x ^= x >> 21
        x = (x &* 0xC2B2_AE3D_27D5) & mask48
        x ^= x >> 24
        return x
    }

    /// An IndexTTS id: `ts_` + 8 hex, or (about 1 %) another legal form.
    mutating func nextIndexTTS(_ rng: inout GenRandom) -> String {
        if rng.chance(0.01) {
            otherCounter += 1
            switch otherCounter % 3 {
            case 0: return "req-\(datePart):" + String(format: "%04d", otherCounter)
            case 1: return "A_b-\(otherCounter)"
            default: return "job.\(otherCounter)_x"
            }
        }
        while true {
            counter += 1
            let value = GenRequestIds.mix32(UInt32(truncatingIfNeeded: counter) &+ key32)
            var buffer = GenLineBuffer(capacity: 11)
            buffer.append("ts_")
            buffer.appendHex(UInt64(value), digits: 8)
            let id = String(decoding: buffer.bytes, as: UTF8.self)
            if !GenRequestIds.reservedIndexTTS.contains(id) { return id }
        }
    }

    /// A ChatTTS trace id: 12 hex.
    mutating func nextChatTTS() -> String {
        while true {
            counter += 1
            let value = GenRequestIds.mix48(counter &+ key48)
            var buffer = GenLineBuffer(capacity: 12)
            buffer.appendHex(value, digits: 12)
            let id = String(decoding: buffer.bytes, as: UTF8.self)
            if !GenRequestIds.reservedChatTTS.contains(id) { return id }
        }
    }
}
