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
        // Ids of formats joined by order are numbered per file: keep the newest file's request.
        var kept = perFile.map(\.0)
        if let newest = kept.indices.last(where: { logs[$0].format.join == .sequence && !kept[$0].isEmpty }) {
            for i in kept.indices where i != newest && logs[i].format.join == .sequence { kept[i] = [] }
        }
        let records = kept.flatMap { $0 }
        let warnings = zip(logs, perFile).compactMap { log, result in result.1.map { "\(log.input.displayName): \($0)" } }
        return (records.isEmpty ? nil : RequestTrace(id: id, records: records), warnings)
    }

    /// The records of `id` in one opened input, each with its traceback lines kept in `line`.
    public static func search(id: String, in log: OpenedLog, cancelled: (@Sendable () -> Bool)? = nil) -> [RequestTrace.Found] {
        if log.format.join == .sequence { return searchInOrder(id: id, in: log, cancelled: cancelled) }
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
                    var entry = RequestTrace.Found(file: log.input.displayName, offset: blockOffset + Int64(lineStart),
                                                   line: Sanitizer.clean(bytes: line), record: record)
                    if let traceback = record?.traceback {
                        entry.continuation = traceback.split(separator: "\n", omittingEmptySubsequences: false).map { Sanitizer.clean(String($0)) }
                    }
                    found.append(entry)
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

    /// For formats joined by order (no id in the text): reads the file in order and keeps the
    /// request's lines, from its first record to its completion, traceback lines included.
    static func searchInOrder(id: String, in log: OpenedLog, cancelled: (@Sendable () -> Bool)?) -> [RequestTrace.Found] {
        let parser = LineParser(format: log.format, captureText: true)
        var found: [RequestTrace.Found] = []
        var inside = false
        var record = LogRecord(time: LogTimestamp(milliseconds: 0))
        log.lines().forEachLine { line in
            guard case .text(let bytes, let offset, _) = line, cancelled?() != true else { return }
            let kind = parser.parse(bytes, into: &record)
            let mine = kind == .record && record.id == id
            if mine { inside = true }
            guard inside else { return }
            let text = Sanitizer.clean(bytes: bytes)
            if kind == .record {
                found.append(RequestTrace.Found(file: log.input.displayName, offset: offset, line: text, record: record))
            } else if !found.isEmpty {
                found[found.count - 1].continuation.append(text)
            }
            if mine, record.event == .synthesisComplete { inside = false }
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
