import CZlib
import Foundation

/// Inflates a gzip stream (several members allowed) from another byte source. Stops at damage
/// and reports it through `warning`, keeping everything decoded before it.
public final class GzipSource: ByteSource {
    let input: ByteSource
    var stream = z_stream()
    var inputBuffer: UnsafeMutableRawBufferPointer
    var finished = false
    var initialized = false
    public private(set) var warning: String?
    public var rawBytesRead: Int64 { input.rawBytesRead }

    public init(_ input: ByteSource) {
        self.input = input
        inputBuffer = .allocate(byteCount: 1 << 18, alignment: 16)
        initialized = ttsmon_inflateInit2(&stream, 15 + 16) == Z_OK
        if !initialized { warning = "gzip: cannot initialise zlib"; finished = true }
    }

    deinit {
        if initialized { inflateEnd(&stream) }
        inputBuffer.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                let n = input.read(into: inputBuffer)
                if n == 0 {
                    if let problem = input.warning { warning = problem }
                    else if !atMemberBoundary { warning = "gzip stream truncated" }
                    finished = true
                    break
                }
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
        return buffer.count - Int(stream.avail_out)
    }

    /// True between gzip members (before the first byte of the next one).
    var atMemberBoundary = false
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
