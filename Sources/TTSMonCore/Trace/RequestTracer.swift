import CBytes
import Foundation

/// Finds every record of one request id in a set of inputs (plain or gzip), in parallel across
/// files, by searching whole blocks for the id and checking token boundaries.
public enum RequestTracer {
    /// Searches `inputs` (any order) for `id`; records come back in log order.
    /// Throws `InputError` when an input cannot be opened.
    public static func trace(id: String, inputs: [LogInput], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                             cancelled: (@Sendable () -> Bool)? = nil) throws -> (trace: RequestTrace?, warnings: [String]) {
        let ordered = LogInput.chronological(inputs)
        let logs = try ordered.map { try LogOpener.open($0) }
        let box = UncheckedBox(logs)
        let perFile = ParallelWork<([RequestTrace.Found], String?)>.run(count: logs.count, threads: threads) { i in
            let log = box.value[i]
            let found = search(id: id, in: log, cancelled: cancelled)
            return (found, log.source.warning)
        }
        let records = perFile.flatMap(\.0)
        let warnings = zip(logs, perFile).compactMap { log, result in result.1.map { "\(log.input.displayName): \($0)" } }
        return (records.isEmpty ? nil : RequestTrace(id: id, records: records), warnings)
    }

    /// The records of `id` in one opened input, each with its traceback lines kept in `line`.
    public static func search(id: String, in log: OpenedLog, cancelled: (@Sendable () -> Bool)? = nil) -> [RequestTrace.Found] {
        let parser = LineParser(format: log.format, captureText: true)
        let needle = Array(id.utf8)
        guard !needle.isEmpty else { return [] }
        var found: [RequestTrace.Found] = []
        var carryTraceback = false
        log.lines().forEachBlock { block, blockOffset in
            if cancelled?() == true { return }
            guard let base = block.baseAddress else { return }
            var from = 0
            // A traceback that started in the previous block continues here.
            if carryTraceback {
                carryTraceback = appendContinuation(block, from: &from, to: &found)
            }
            needle.withUnsafeBufferPointer { n in
                while from < block.count,
                      let hit = ttsmon_memmem(base + from, block.count - from, n.baseAddress!, n.count) {
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    let lineStart = lineStartIndex(block, before: at)
                    var lineEnd = at
                    while lineEnd < block.count, block[lineEnd] != 10 { lineEnd += 1 }
                    from = lineEnd + 1
                    let before = at > 0 ? block[at - 1] : 0
                    let after = at + n.count < block.count ? block[at + n.count] : 0
                    guard !isRequestIDByte(before), !isRequestIDByte(after) else { continue }
                    let line = block.slice(lineStart, lineEnd)
                    var record: LogRecord?
                    if case .record(let r) = parser.parse(line) { record = r }
                    // Keep only records that name the id as a field, or lines that merely mention it.
                    if let r = record, r.id != nil, r.id != id { continue }
                    found.append(RequestTrace.Found(file: log.input.displayName, offset: blockOffset + Int64(lineStart),
                                                    line: Sanitizer.clean(bytes: line), record: record))
                    if record?.level.mayCarryTraceback == true, from < block.count {
                        carryTraceback = appendContinuation(block, from: &from, to: &found)
                    } else if record?.level.mayCarryTraceback == true {
                        carryTraceback = true
                    }
                }
            }
        }
        return found
    }

    static func lineStartIndex(_ block: ByteSpan, before at: Int) -> Int {
        var i = at
        while i > 0, block[i - 1] != 10 { i -= 1 }
        return i
    }

    /// Appends untimestamped lines at `from` to the last found record's text. Returns true when
    /// the block ended still inside the traceback.
    static func appendContinuation(_ block: ByteSpan, from: inout Int, to found: inout [RequestTrace.Found]) -> Bool {
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
