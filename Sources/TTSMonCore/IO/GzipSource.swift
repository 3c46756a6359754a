import CInflate
import CZlib
import Foundation

/// Inflates a gzip stream (several members allowed) from another byte source. Stops at damage
/// and reports it through `warning`, keeping everything decoded before it. Uses ISA-L where the
/// system has it (`libisal2`; 4-8x zlib's speed on logs), zlib otherwise.
public final class GzipSource: ByteSource {
    let input: ByteSource
    var stream = z_stream()
    /// ISA-L's inflater, when present (then `stream` is unused).
    let fast: OpaquePointer?
    var inputBuffer: UnsafeMutableRawBufferPointer
    var finished = false
    var initialized = false
    public private(set) var warning: String?
    public var rawBytesRead: Int64 { input.rawBytesRead }

    /// True when gzip files are inflated by ISA-L.
    public static var usesFastInflate: Bool { ttsmon_fast_inflate_available() != 0 }

    /// `fastIfPresent: false` keeps to zlib (tests compare the two).
    public init(_ input: ByteSource, fastIfPresent: Bool = true) {
        self.input = input
        inputBuffer = .allocate(byteCount: 1 << 18, alignment: 16)
        fast = fastIfPresent ? ttsmon_inflater_new() : nil
        if fast != nil { return }
        initialized = ttsmon_inflateInit2(&stream, 15 + 16) == Z_OK
        if !initialized { warning = "gzip: cannot initialise zlib"; finished = true }
    }

    deinit {
        if initialized { inflateEnd(&stream) }
        if let fast { ttsmon_inflater_free(fast) }
        inputBuffer.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        if let fast { return readFast(fast, into: buffer) }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                let n = refill()
                if n == 0 { break }
                stream.next_in = inputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(n)
            }
            if atMemberBoundary {
                // Skip padding zeros between or after members.
                while stream.avail_in > 0, stream.next_in.pointee == 0 { stream.next_in += 1; stream.avail_in -= 1 }
                if stream.avail_in == 0 { continue }
                atMemberBoundary = false
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            if status == Z_STREAM_END {
                inflateReset(&stream)
                atMemberBoundary = true
                continue
            }
            if status != Z_OK && status != Z_BUF_ERROR {
                warning = "gzip data corrupt (\(status == Z_DATA_ERROR ? "bad data" : "zlib error \(status)"))"
                finished = true
                break
            }
        }
        let produced = buffer.count - Int(stream.avail_out)
        textProduced += Int64(produced)
        return produced
    }

    /// True between gzip members (before the first byte of the next one).
    var atMemberBoundary = false

    /// Reads more compressed input; 0 at its end, when `warning` says whether it was cut short.
    private func refill() -> Int {
        let n = input.read(into: inputBuffer)
        if n == 0 {
            if let problem = input.warning { warning = problem }
            else if !atMemberBoundary { warning = "gzip stream truncated" }
            finished = true
        }
        return n
    }
    /// ISA-L's input not yet consumed (within `inputBuffer`).
    var pendingInput: UnsafePointer<UInt8>?
    var pendingCount = 0
    /// Text bytes produced so far (the stream offset of the next one).
    var textProduced: Int64 = 0
    /// Saves access points while reading, when set (ISA-L only).
    var recorder: AccessPointRecorder?

    /// `read` through ISA-L: the same members, padding and damage rules as zlib's path.
    func readFast(_ fast: OpaquePointer, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var room = buffer.count
        while room > 0 {
            if pendingCount == 0 {
                let n = refill()
                if n == 0 { break }
                pendingInput = UnsafePointer(inputBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
                pendingCount = n
            }
            if atMemberBoundary {
                while pendingCount > 0, pendingInput!.pointee == 0 { pendingInput! += 1; pendingCount -= 1 }
                if pendingCount == 0 { continue }
                atMemberBoundary = false
            }
            var next: UnsafePointer<UInt8>? = pendingInput
            var avail = pendingCount
            let before = avail
            var outNext: UnsafeMutablePointer<UInt8>? = out
            // While points are taken, calls end every 256 KB of text so one lands near each span.
            let callRoom = recorder == nil ? room : min(room, 256 << 10)
            var outRoom = callRoom
            let status = ttsmon_inflater_run(fast, &next, &avail, &outNext, &outRoom)
            let produced = callRoom - outRoom
            pendingInput = next; pendingCount = avail
            if let recorder {
                recorder.observe(UnsafePointer(out), count: produced)
                textProduced += Int64(produced)
                if status == 0, textProduced >= recorder.nextAt {
                    recorder.save(fast, textOffset: textProduced, rawOffset: input.rawBytesRead - Int64(avail))
                }
            } else { textProduced += Int64(produced) }
            out += produced; room -= produced
            if status == 1 {
                ttsmon_inflater_reset(fast)
                atMemberBoundary = true
                continue
            }
            if status < 0 {
                warning = "gzip data corrupt (\(status == -6 ? "checksum mismatch" : "bad data, ISA-L error \(status)"))"
                finished = true
                break
            }
            if produced == 0, status == 0, avail > 0, avail == before, callRoom > 0 {
                // Input left, room to write, and nothing moved: never spin.
                warning = "gzip data corrupt (ISA-L made no progress)"
                finished = true
                break
            }
        }
        return buffer.count - room
    }
}

/// Gzip helpers for writers (the generator, the demo's rotation).
public enum Gzip {
    /// Compresses a file into a new gzip file.
    public static func compressFile(atPath source: String, toPath destination: String, level: Int32 = 6) throws {
        guard let input = fopen(source, "rb") else { throw InputError("\(source): cannot open for reading") }
        defer { fclose(input) }
        guard let output = fopen(destination, "wb") else { throw InputError("\(destination): cannot create") }
        defer { fclose(output) }
        var stream = z_stream()
        guard ttsmon_deflateInit2(&stream, level, 15 + 16) == Z_OK else { throw InputError("zlib: deflateInit failed") }
        defer { deflateEnd(&stream) }
        let chunk = 1 << 18
        var inBuf = [UInt8](repeating: 0, count: chunk)
        var outBuf = [UInt8](repeating: 0, count: chunk)
        var flush = Z_NO_FLUSH
        repeat {
            let n = inBuf.withUnsafeMutableBytes { fread($0.baseAddress, 1, chunk, input) }
            flush = n < chunk ? Z_FINISH : Z_NO_FLUSH
            try inBuf.withUnsafeMutableBytes { inPtr in
                stream.next_in = inPtr.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(n)
                repeat {
                    try outBuf.withUnsafeMutableBytes { outPtr in
                        stream.next_out = outPtr.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.avail_out = uInt(chunk)
                        let status = deflate(&stream, flush)
                        guard status != Z_STREAM_ERROR else { throw InputError("zlib: deflate failed") }
                        let have = chunk - Int(stream.avail_out)
                        guard fwrite(outPtr.baseAddress, 1, have, output) == have else {
                            throw InputError("\(destination): write failed")
                        }
                    }
                } while stream.avail_out == 0
            }
        } while flush != Z_FINISH
    }

    /// Gzips bytes in memory (tests).
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard ttsmon_deflateInit2(&stream, 6, 15 + 16) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var input = bytes
        let produced: Int = input.withUnsafeMutableBytes { inPtr in
            out.withUnsafeMutableBytes { outPtr in
                stream.next_in = inPtr.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(inPtr.count)
                stream.next_out = outPtr.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(outPtr.count)
                _ = deflate(&stream, Z_FINISH)
                return outPtr.count - Int(stream.avail_out)
            }
        }
        return Array(out[0..<produced])
    }
}
