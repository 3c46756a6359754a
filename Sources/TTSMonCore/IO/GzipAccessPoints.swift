import CInflate
import CZlib
import Foundation

/// Takes ISA-L access points every `span` text bytes while a `GzipSource` reads.
final class AccessPointRecorder {
    let span: Int64
    private(set) var points: [AccessPoint] = []
    private(set) var nextAt: Int64
    private var state: [UInt8]
    /// The point whose check CRC is still being fed with the text after it.
    private var checking: Int?

    init(span: Int64 = 4 << 20) {
        self.span = span
        nextAt = span
        state = [UInt8](repeating: 0, count: ttsmon_inflater_state_size())
    }

    func observe(_ bytes: UnsafePointer<UInt8>, count: Int) {
        guard let i = checking, count > 0 else { return }
        let take = min(count, AccessPoint.checkWanted - points[i].checkLength)
        points[i].check = UInt32(crc32(uLong(points[i].check), bytes, uInt(take)))
        points[i].checkLength += take
        if points[i].checkLength == AccessPoint.checkWanted { checking = nil }
    }

    func save(_ inflater: OpaquePointer, textOffset: Int64, rawOffset: Int64) {
        guard !state.isEmpty else { return }
        let used = state.withUnsafeMutableBytes { raw -> Int in
            ttsmon_inflater_save(inflater, raw.baseAddress)
            return ttsmon_inflater_state_used(raw.baseAddress)
        }
        guard used > 0, used <= state.count, let packed = Deflate.pack(state[0..<used]) else { return }
        points.append(AccessPoint(textOffset: textOffset, rawOffset: rawOffset, state: packed, check: 0, checkLength: 0))
        checking = points.count - 1
        nextAt = textOffset + span
    }
}

extension GzipSource {
    /// A source that goes on from an access point: the file's text from `point.textOffset`, or
    /// nil when the point cannot be used here (no ISA-L, another state size, or the first text
    /// after it fails its check).
    static func resuming(at point: AccessPoint, stateSize: Int, fd: Int32, fileSize: Int64) -> ByteSource? {
        guard stateSize > 0, stateSize == ttsmon_inflater_state_size(), point.rawOffset <= fileSize,
              let (state, length) = Deflate.unpack(point.state, size: stateSize),
              state.withUnsafeBytes({ ttsmon_inflater_state_used($0.baseAddress) }) <= length else { return nil }
        let gz = GzipSource(FileDescriptorSource(fd: fd, range: point.rawOffset..<fileSize))
        guard let fast = gz.fast else { return nil }
        let restored = state.withUnsafeBytes { ttsmon_inflater_restore(fast, $0.baseAddress, nil, 0) }
        guard restored == 0 else { return nil }
        let head = gz.readUpTo(point.checkLength)
        guard head.count == point.checkLength, CRC32.of(head) == point.check else { return nil }
        return PrefixedSource(prefix: head, rest: gz)
    }
}

/// One-shot deflate for small blobs (saved inflater states): ISA-L's level 1 where it is loaded
/// (a quarter of zlib's time, about the same size), else zlib's; zlib inflates either.
enum Deflate {
    static func pack(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let fast = out.withUnsafeMutableBufferPointer { o in bytes.withUnsafeBufferPointer { ttsmon_fast_deflate($0.baseAddress, $0.count, o.baseAddress, o.count) } }
        if fast > 0 {
            out.removeSubrange(fast...)
            return out
        }
        let status = out.withUnsafeMutableBufferPointer { o in bytes.withUnsafeBufferPointer { compress2(o.baseAddress, &length, $0.baseAddress, uLong($0.count), 1) } }
        guard status == Z_OK else { return nil }
        out.removeSubrange(Int(length)...)
        return out
    }

    /// The bytes inflated into `size` zeroed bytes, and how many of them were packed (a state
    /// is packed without its stale tail).
    static func unpack(_ bytes: [UInt8], size: Int) -> ([UInt8], Int)? {
        var length = uLong(size)
        var out = [UInt8](repeating: 0, count: size)
        let status = out.withUnsafeMutableBufferPointer { o in bytes.withUnsafeBufferPointer { uncompress(o.baseAddress, &length, $0.baseAddress, uLong($0.count)) } }
        return status == Z_OK && Int(length) <= size ? (out, Int(length)) : nil
    }
}
