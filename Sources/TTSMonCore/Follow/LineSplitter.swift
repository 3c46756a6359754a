import Foundation

/// Splits a stream that arrives in chunks into lines, for every follower: a partial last line
/// is held until its newline arrives (or `flush` says the stream moved on); lines over the limit
/// are skipped without being held whole. Offsets are the stream's byte offsets.
struct LineSplitter {
    let maxLineLength: Int
    /// Bytes of a line whose newline has not arrived yet.
    private var partial: [UInt8] = []
    private var partialOffset: Int64 = 0
    private var skippingOverlong = false
    /// Lines longer than the limit that were skipped.
    private(set) var overlongLines = 0

    init(maxLineLength: Int) { self.maxLineLength = maxLineLength }

    /// Whether part of a line is held.
    var holdsPartialLine: Bool { !partial.isEmpty }

    /// Hands every complete line of `chunk` (which starts at stream offset `chunkStart`) to
    /// `handle`, joining it to a held partial line.
    mutating func split(_ chunk: ByteSpan, at chunkStart: Int64, _ handle: (LineReader.Line) -> Void) {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while start < chunk.count {
            guard let hit = memchr(base + start, 10, chunk.count - start) else {
                // No newline: keep the rest for later (or skip it when it is overlong).
                if !skippingOverlong {
                    if partial.isEmpty { partialOffset = chunkStart + Int64(start) }
                    partial.append(contentsOf: ByteSpan(start: base + start, count: chunk.count - start))
                    if partial.count > maxLineLength {
                        partial.removeAll()
                        skippingOverlong = true
                        overlongLines += 1
                        handle(.overlong(offset: partialOffset))
                    }
                }
                return
            }
            let end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if skippingOverlong {
                skippingOverlong = false
            } else if partial.isEmpty {
                if end - start > maxLineLength {
                    overlongLines += 1
                    handle(.overlong(offset: chunkStart + Int64(start)))
                } else {
                    handle(.text(ByteSpan(start: base + start, count: end - start), offset: chunkStart + Int64(start), checked: false))
                }
            } else {
                partial.append(contentsOf: ByteSpan(start: base + start, count: end - start))
                if partial.count > maxLineLength {
                    overlongLines += 1
                    handle(.overlong(offset: partialOffset))
                } else {
                    let at = partialOffset
                    partial.withUnsafeBufferPointer { handle(.text($0, offset: at, checked: false)) }
                }
                partial.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
    }

    /// A held partial line is a line when its stream is left (rotation, truncation, end of a
    /// stream, or a file no longer written): hands it over and forgets it.
    mutating func flush(_ handle: (LineReader.Line) -> Void) {
        if !partial.isEmpty, !skippingOverlong {
            let at = partialOffset
            partial.withUnsafeBufferPointer { handle(.text($0, offset: at, checked: false)) }
        }
        partial.removeAll(keepingCapacity: true)
        skippingOverlong = false
    }
}
