import CTextScan
import Foundation

/// Builds request indexes explicitly (`ttsmon index`, the dashboard's background pass): for each
/// file, the stored index when it is still whole and current, else a new one.
public enum RequestIndexer {
    /// What indexing one file did.
    public struct Outcome: Sendable {
        public var file: String
        /// Text bytes the index covers (uncompressed).
        public var textBytes: Int64
        /// Bytes of the stored index.
        public var indexBytes: Int
        public var entries: Int
        public var accessPoints: Int
        public var seconds: Double
        /// The stored index was current: nothing was read.
        public var reused: Bool
        /// Why the file has no index (its layout numbers requests by order, it is not a regular
        /// file, it could not be read whole), or nil.
        public var skipped: String?
    }

    /// Indexes `inputs`, several at a time; `cancelled` is checked between and within files.
    public static func run(_ inputs: [LogInput], store: RequestIndexStore, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                           cancelled: (@Sendable () -> Bool)? = nil) -> [Outcome] {
        let box = UncheckedBox(inputs)
        return ParallelWork<Outcome>.run(count: inputs.count, threads: threads) { i in
            index(box.value[i], store: store, cancelled: cancelled)
        }
    }

    static func index(_ input: LogInput, store: RequestIndexStore, cancelled: (@Sendable () -> Bool)?) -> Outcome {
        let started = Date()
        var outcome = Outcome(file: input.displayName, textBytes: 0, indexBytes: 0, entries: 0, accessPoints: 0, seconds: 0, reused: false)
        fill(&outcome, input, store: store, cancelled: cancelled)
        outcome.seconds = Date().timeIntervalSince(started)
        return outcome
    }

    private static func fill(_ outcome: inout Outcome, _ input: LogInput, store: RequestIndexStore, cancelled: (@Sendable () -> Bool)?) {
        guard let log = try? LogOpener.open(input) else { outcome.skipped = "cannot be opened"; return }
        guard RequestIndexBuilder.indexes(log.format) else {
            outcome.skipped = "\(log.format.name) numbers its requests by order; trace reads it whole"
            return
        }
        guard let fd = log.fileDescriptor, let facts = IndexedFileFacts.of(fd: fd, compressed: log.compressed) else {
            outcome.skipped = "not a regular file"
            return
        }
        // Current as stored: nothing to read. Else the search's own path, with no id to look up:
        // extend a grown live file's index, or build one.
        outcome.reused = store.open(for: facts, fd: fd, formatName: log.format.name)
            .map { log.compressed || $0.head.coverage.coveredRaw == facts.size } ?? false
        if !outcome.reused { _ = IndexedSearch.search(id: "", in: log, store: store, cancelled: cancelled) }
        guard let saved = store.open(for: facts, fd: fd, formatName: log.format.name) else {
            outcome.skipped = log.source.warning.map { "not read whole: \($0)" } ?? "the index could not be written to \(store.directory)"
            return
        }
        outcome.textBytes = saved.head.coverage.coveredText
        outcome.indexBytes = Int(saved.length)
        outcome.entries = saved.head.entryCount
        outcome.accessPoints = saved.head.points.count
    }
}

extension RequestIndexer {
    /// Indexes the rotated siblings of followed files on a thread of its own at the lowest CPU
    /// priority (the dashboard's, so that `/` is quick for last week too). Returns at once;
    /// stops between files once `cancelled` says so.
    public static func startInBackground(live: [String], formats: [LogFormat], store: RequestIndexStore,
                                         cancelled: @escaping @Sendable () -> Bool) {
        let rotated = HistoryLookup.batches(live: live).dropFirst().flatMap { $0 }
        guard !rotated.isEmpty else { return }
        let thread = Thread {
            ttsmon_lower_thread_priority()
            for path in rotated where !cancelled() {
                _ = index(LogInput(path: path, formats: formats), store: store, cancelled: cancelled)
            }
        }
        thread.start()
    }
}
