import CBytes

/// Searches text for one request id's lines: whole blocks at a time (memmem), keeping the
/// lines that name the id as a token, with their traceback lines. Runs over a whole file or
/// over the ranges a request index names; can feed an index builder on the way.
struct TraceScan {
    let id: String
    let needle: [UInt8]
    let file: String
    let parser: LineParser
    private(set) var found: [RequestTrace.Found] = []
    /// Text offset up to which lines were taken (a record's traceback can run past a range).
    private(set) var consumedTo: Int64 = 0
    var builder: RequestIndexBuilder?

    init(id: String, file: String, format: LogFormat) {
        self.id = id
        needle = Array(id.utf8)
        self.file = file
        parser = LineParser(format: format, captureText: true)
    }

    /// Scans what `reader` yields, its first byte at text offset `base`. Only lines starting in
    /// `lines` are taken (a traceback of a taken record may run past it); with `skipFirstLine`
    /// the text before the first newline is someone else's line.
    mutating func run(_ reader: LineReader, base: Int64, lines: Range<Int64> = 0..<Int64.max, skipFirstLine: Bool = false,
                      cancelled: (@Sendable () -> Bool)? = nil) {
        var carryTraceback = false
        var skipping = skipFirstLine
        reader.forEachBlock { whole, wholeOffset in
            if cancelled?() == true { return }
            var block = whole
            var blockOffset = base + wholeOffset
            if skipping {
                skipping = false
                guard let b = block.baseAddress else { return }
                let nl = ttsmon_find_byte(b, block.count, 10)
                if nl >= block.count { return }
                block = block.slice(nl + 1, block.count)
                blockOffset += Int64(nl + 1)
            }
            builder?.addBlock(block, at: blockOffset)
            guard let base = block.baseAddress, !needle.isEmpty, blockOffset < lines.upperBound || carryTraceback else { return }
            var from = 0
            if carryTraceback {
                carryTraceback = appendContinuation(block, from: &from)
                consumedTo = blockOffset + Int64(from)
            }
            needle.withUnsafeBufferPointer { n in
                guard let needleBase = n.baseAddress else { return }
                while from < block.count,
                      let hit = ttsmon_memmem(base + from, block.count - from, needleBase, n.count) {
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    let lineStart = Self.lineStartIndex(block, before: at)
                    var lineEnd = at
                    while lineEnd < block.count, block[lineEnd] != 10 { lineEnd += 1 }
                    from = lineEnd + 1
                    let offset = blockOffset + Int64(lineStart)
                    guard lines.contains(offset), offset >= consumedTo else { continue }
                    let before = at > 0 ? block[at - 1] : 0
                    let after = at + n.count < block.count ? block[at + n.count] : 0
                    guard !isRequestIDByte(before), !isRequestIDByte(after) else { continue }
                    let line = block.slice(lineStart, lineEnd)
                    var record: LogRecord?
                    if case .record(let r) = parser.parse(line) { record = r }
                    // Keep only records that name the id as a field, or lines that merely mention it.
                    if let r = record, r.id != nil, r.id != id { continue }
                    var entry = RequestTrace.Found(file: file, offset: offset, line: Sanitizer.clean(bytes: line), record: record)
                    if let traceback = record?.traceback {
                        entry.continuation = traceback.split(separator: "\n", omittingEmptySubsequences: false).map { Sanitizer.clean(String($0)) }
                    }
                    found.append(entry)
                    consumedTo = blockOffset + Int64(from)
                    if record?.level.mayCarryTraceback == true, from < block.count {
                        carryTraceback = appendContinuation(block, from: &from)
                        consumedTo = blockOffset + Int64(from)
                    } else if record?.level.mayCarryTraceback == true {
                        carryTraceback = true
                    }
                }
            }
        }
    }

    static func lineStartIndex(_ block: ByteSpan, before at: Int) -> Int {
        var i = at
        while i > 0, block[i - 1] != 10 { i -= 1 }
        return i
    }

    /// Appends untimestamped lines at `from` to the last found record's text. Returns true when
    /// the block ended still inside the traceback.
    mutating func appendContinuation(_ block: ByteSpan, from: inout Int) -> Bool {
        while from < block.count {
            var end = from
            while end < block.count, block[end] != 10 { end += 1 }
            let line = block.slice(from, end)
            guard case .absent = LineParser.scanTimestamp(line), line.first != UInt8(ascii: "{"),
                  !found.isEmpty else { return false }
            found[found.count - 1].continuation.append(Sanitizer.clean(bytes: line))
            from = end + 1
        }
        return true
    }
}
