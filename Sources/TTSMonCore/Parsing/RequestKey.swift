/// A request id packed into words: hashing and comparing it needs no String. Ids up to 24 bytes
/// are stored whole; longer ones keep their first 16 bytes, their length and a 64-bit hash of
/// the rest.
public struct RequestKey: Hashable, Sendable {
    var a: UInt64 = 0
    var b: UInt64 = 0
    var c: UInt64 = 0
    var length: Int = 0

    /// Packs id bytes (already validated).
    @inline(__always)
    public init(bytes: ByteSpan) {
        let n = bytes.count
        length = n
        guard let base = bytes.baseAddress, n > 0 else { return }
        if n >= 24 || n == 8 || n == 16 {
            a = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
            if n >= 16 { b = UnsafeRawPointer(base + 8).loadUnaligned(as: UInt64.self) }
            if n == 24 { c = UnsafeRawPointer(base + 16).loadUnaligned(as: UInt64.self) }
            if n > 24 {
                var hash: UInt64 = 0xCBF2_9CE4_8422_2325   // FNV-1a over the rest
                for i in 16..<n { hash = (hash ^ UInt64(base[i])) &* 0x100_0000_01B3 }
                c = hash
            }
            if n == 8 || n == 16 || n >= 24 { return }
        }
        // Shorter ids: whole words plus one overlapping load shifted down, so every byte lands
        // where a zero-padded copy would put it (no byte copy, no store-forwarding stall).
        let raw = UnsafeRawPointer(base)
        switch n {
        case 17...23:
            a = raw.loadUnaligned(as: UInt64.self)
            b = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            c = RequestKey.tail(raw, word: 2, end: n)
        case 9...15:
            a = raw.loadUnaligned(as: UInt64.self)
            b = RequestKey.tail(raw, word: 1, end: n)
        case 4...7:
            let low = UInt64(raw.loadUnaligned(as: UInt32.self))
            let high = UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) >> UInt64((8 - n) * 8)
            a = low | high << 32
        default:
            for i in 0..<n { a |= UInt64(base[i]) << UInt64(8 * i) }
        }
    }

    /// Bytes [8 * word, end) of an id, low byte first. (Not a local function: a function holding
    /// one was never inlined, and every parsed id passes here.)
    @inline(__always)
    static func tail(_ raw: UnsafeRawPointer, word: Int, end: Int) -> UInt64 {
        raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self) >> UInt64((8 * word + 8 - end) * 8)
    }

    /// Packs an id string.
    public init(_ id: String) {
        var copy = id
        self = copy.withUTF8 { RequestKey(bytes: $0) }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(a &+ (b &* 0x9E37_79B9_7F4A_7C15) &+ (c &* 0xC2B2_AE3D_27D4_EB4F) &+ UInt64(length))
    }
}
