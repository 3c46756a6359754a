import CZlib
import Foundation

/// Little-endian writing into a byte array.
struct ByteWriter {
    var data: [UInt8] = []
    mutating func bytes(_ b: [UInt8]) { data.append(contentsOf: b) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
}

/// Little-endian reading with bounds: nil past `end`.
struct ByteReader {
    let data: [UInt8]
    let end: Int
    var at: Int
    mutating func u32() -> UInt32? {
        guard at + 4 <= end else { return nil }
        defer { at += 4 }
        return UInt32(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) })
    }
    mutating func u64() -> UInt64? {
        guard at + 8 <= end else { return nil }
        defer { at += 8 }
        return UInt64(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) })
    }
    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, at + n <= end else { return nil }
        defer { at += n }
        return Array(data[at..<at + n])
    }
}

/// zlib's CRC-32.
enum CRC32 {
    static func of(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc = crc32(0, nil, 0)
        if let direct = bytes.withContiguousStorageIfAvailable({ p in crc32(crc, p.baseAddress, uInt(p.count)) }) { return UInt32(direct) }
        let copy = Array(bytes)
        crc = copy.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
        return UInt32(crc)
    }

    static func of(_ span: ByteSpan) -> UInt32 { UInt32(crc32(0, span.baseAddress, uInt(span.count))) }
}
