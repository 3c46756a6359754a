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
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            raw.baseAddress!.copyMemory(from: base, byteCount: n)
        }
        (a, b, c) = words
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
