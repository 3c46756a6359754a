import CBytes
import Foundation

/// Splits a byte source into lines without copying them. Lines longer than `maxLineLength` are
/// skipped without ever being held whole and reported as overlong.
public final class LineReader {
    /// One physical line, or an overlong one that was skipped.
    public enum Line {
        /// `checked`: the line is already known to be valid UTF-8 without NUL bytes (see
        /// `checksText`), so the parser need not check it again.
        case text(ByteSpan, offset: Int64, checked: Bool)
        case overlong(offset: Int64)
    }

    let source: ByteSource
    let maxLineLength: Int
    let readStep: Int
    var buffer: UnsafeMutableRawBufferPointer
    /// Check the text of all whole lines of each read at once (a vector pass where the CPU has
    /// one), marking the lines `checked`.
    let checksText: Bool

    public init(source: ByteSource, chunkSize: Int = 4 << 20, maxLineLength: Int = 1 << 20, checksText: Bool = false) {
        self.source = source
        self.maxLineLength = maxLineLength
        self.checksText = checksText && LineValidation.blockCheckAvailable
        readStep = min(chunkSize, 256 << 10)
        buffer = .allocate(byteCount: max(chunkSize, maxLineLength * 2), alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Bytes per text-check window: small enough that a damaged line costs only its
    /// neighbours a second check.
    static let checkWindow = 16 << 10

    /// The last newline before `to`, or `atLeast` (a newline already found) if none is later.
    @inline(__always)
    static func wholeLinesEnd(_ base: UnsafeMutablePointer<UInt8>, to: Int, atLeast: Int) -> Int {
        var i = to - 1
        while i > atLeast, base[i] != 10 { i -= 1 }
        return Swift.max(i, atLeast)
    }

    /// Calls `body` for every line in order; a final line without a newline is included.
    public func forEachLine(_ body: (Line) -> Void) {
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let capacity = buffer.count
        var filled = 0
        var streamOffset: Int64 = 0       // stream offset of base[0]
        var skipping = false
        while true {
            // Read in cache-sized steps so lines are parsed while still in cache; the buffer is
            // larger only to hold long lines.
            let n = source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<min(capacity, filled + readStep)]))
            let atEnd = n == 0
            filled += n
            var start = 0
            // Text checks run over windows of whole lines: lines ending at or before
            // `checkedEnd` passed; a window that fails leaves its lines to the parser's own check.
            var windowEnd = -1, checkedEnd = -1
            while start < filled {
                let end = start &+ ttsmon_find_byte(base + start, filled &- start, 10)
                if end == filled { break }
                if skipping {
                    skipping = false
                } else if end &- start > maxLineLength {
                    body(.overlong(offset: streamOffset + Int64(start)))
                } else {
                    if checksText, end > windowEnd {
                        windowEnd = LineReader.wholeLinesEnd(base, to: Swift.min(filled, start + LineReader.checkWindow), atLeast: end)
                        checkedEnd = LineValidation.isCleanBlock(ByteSpan(start: base + start, count: windowEnd - start)) ? windowEnd : -1
                    }
                    body(.text(ByteSpan(start: base + start, count: end &- start), offset: streamOffset &+ Int64(start),
                               checked: end <= checkedEnd))
                }
                start = end &+ 1
            }
            // The rest is a partial line.
            var rest = filled - start
            if atEnd {
                if rest > 0, !skipping {
                    body(.text(ByteSpan(start: base + start, count: rest), offset: streamOffset + Int64(start), checked: false))
                }
                return
            }
            if rest > maxLineLength || (skipping && rest > 0) {
                if !skipping { body(.overlong(offset: streamOffset + Int64(start))) }
                skipping = true
                start = filled
                rest = 0
            }
            if start > 0 {
                if rest > 0 { memmove(base, base + start, rest) }
                streamOffset += Int64(start)
                filled = rest
            }
            if filled == capacity {
                // Cannot happen while capacity >= 2 × maxLineLength, but never loop forever.
                body(.overlong(offset: streamOffset))
                skipping = true
                streamOffset += Int64(filled)
                filled = 0
            }
        }
    }
}

/// Returns bytes already read before handing over to the underlying source (for sniffing stdin).
final class PrefixedSource: ByteSource {
    var prefix: [UInt8]
    let rest: ByteSource
    var warning: String? { rest.warning }
    var rawBytesRead: Int64 { rest.rawBytesRead }

    init(prefix: [UInt8], rest: ByteSource) { self.prefix = prefix; self.rest = rest }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if !prefix.isEmpty {
            let n = min(prefix.count, buffer.count)
            prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
            prefix.removeFirst(n)
            return n
        }
        return rest.read(into: buffer)
    }
}

extension LineReader {
    /// Calls `body` with blocks of whole lines (each block ends just before a newline, or at the
    /// end of input) and the stream offset of the block's first byte. Overlong lines are skipped.
    /// Searching a block at once (memmem) is much faster than line by line.
    public func forEachBlock(_ body: (ByteSpan, Int64) -> Void) {
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let capacity = buffer.count
        var filled = 0
        var streamOffset: Int64 = 0
        var skipping = false
        while true {
            let n = source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            filled += n
            var start = 0
            if skipping {
                guard let hit = memchr(base, 10, filled) else {
                    streamOffset += Int64(filled); filled = 0
                    if n == 0 { return }
                    continue
                }
                start = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
                skipping = false
            }
            if n == 0 {
                if filled > start { body(ByteSpan(start: base + start, count: filled - start), streamOffset + Int64(start)) }
                return
            }
            // Last newline in the buffer.
            var end = filled - 1
            while end >= start, base[end] != 10 { end -= 1 }
            if end >= start {
                body(ByteSpan(start: base + start, count: end - start), streamOffset + Int64(start))
                start = end + 1
            }
            let rest = filled - start
            if rest > maxLineLength || filled == capacity && start == 0 {
                skipping = true
                streamOffset += Int64(filled); filled = 0
                continue
            }
            if start > 0 {
                if rest > 0 { memmove(base, base + start, rest) }
                streamOffset += Int64(start)
                filled = rest
            }
        }
    }
}
