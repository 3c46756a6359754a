import CBytes
import Foundation

/// Finds every record of one request id in a set of inputs (plain or gzip), in parallel across
/// files, by searching whole blocks for the id and checking token boundaries.
public enum RequestTracer {
    /// Searches `inputs` (any order) for `id`; records come back in log order. With `index`,
    /// files it has an index of are read only where the id is, and others are indexed as they
    /// are searched. Throws `InputError` when an input cannot be opened.
    public static func trace(id: String, inputs: [LogInput], index: RequestIndexStore? = nil,
                             threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                             cancelled: (@Sendable () -> Bool)? = nil) throws -> (trace: RequestTrace?, warnings: [String]) {
        let ordered = LogInput.chronological(inputs)
        let logs = try ordered.map { try LogOpener.open($0) }
        let box = UncheckedBox(logs)
        let perFile = ParallelWork<([RequestTrace.Found], String?)>.run(count: logs.count, threads: threads) { i in
            let log = box.value[i]
            let found = IndexedSearch.search(id: id, in: log, store: index, cancelled: cancelled)
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
        var scan = TraceScan(id: id, file: log.input.displayName, format: log.format)
        scan.run(log.lines(), base: 0, cancelled: cancelled)
        return scan.found
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
}
