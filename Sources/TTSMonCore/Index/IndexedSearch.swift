import Foundation

/// `trace` through the request index: a file with a valid index is read only where the index
/// says the id is (from the nearest access point for gzip); a file without one is searched
/// whole and indexed on the way; a live file that grew past its index has the rest searched and
/// added. A damaged, foreign or stale index is never used (see `RequestIndexStore.open`).
enum IndexedSearch {
    /// Text read past a range's end, for a taken record's traceback.
    static let tracebackMargin: Int64 = 1 << 20

    static func search(id: String, in log: OpenedLog, store: RequestIndexStore?, cancelled: (@Sendable () -> Bool)?) -> [RequestTrace.Found] {
        guard let store, RequestIndexBuilder.indexes(log.format), let fd = log.fileDescriptor,
              let facts = IndexedFileFacts.of(fd: fd, compressed: log.compressed) else {
            return RequestTracer.search(id: id, in: log, cancelled: cancelled)
        }
        var scan = TraceScan(id: id, file: log.input.displayName, format: log.format)
        // An empty id looks nothing up: it only brings the index up to date (`RequestIndexer`).
        guard let index = store.open(for: facts, fd: fd, formatName: log.format.name), let ranges = id.isEmpty ? [] : index.ranges(of: id) else {
            var indexing = TraceScan(id: "", file: log.input.displayName, format: log.format)
            build(into: &indexing, log: log, fd: fd, facts: facts, store: store, cancelled: cancelled)
            guard !id.isEmpty, cancelled?() != true else { return [] }
            // The scan only indexed (no search on the way): the answer comes through the index
            // just stored, the reads every later jump makes. Where none could be stored (a
            // damaged file), the file is searched whole.
            if let built = store.open(for: facts, fd: fd, formatName: log.format.name), let ranges = built.ranges(of: id) {
                return lookUp(ranges, of: log, index: built, fd: fd, facts: facts, into: &scan, store: store, cancelled: cancelled)
            }
            guard let again = try? LogOpener.open(log.input, format: log.format) else { return [] }
            return RequestTracer.search(id: id, in: again, cancelled: cancelled)
        }
        return lookUp(ranges, of: log, index: index, fd: fd, facts: facts, into: &scan, store: store, cancelled: cancelled)
    }

    /// Reads the ranges the index names; a plain file that grew past its index has the rest
    /// searched and indexed.
    static func lookUp(_ ranges: [Range<Int64>], of log: OpenedLog, index: RequestIndexFile, fd: Int32, facts: IndexedFileFacts,
                       into scan: inout TraceScan, store: RequestIndexStore, cancelled: (@Sendable () -> Bool)?) -> [RequestTrace.Found] {
        for range in ranges where range.lowerBound < index.head.coverage.coveredText {
            if cancelled?() == true { break }
            read(range, of: log, index: index, fd: fd, facts: facts, into: &scan)
        }
        if !log.compressed, facts.size > index.head.coverage.coveredRaw {
            guard let whole = index.loadAll() else {
                // The part to extend is damaged: the file whole, indexed again.
                scan = TraceScan(id: scan.id, file: log.input.displayName, format: log.format)
                build(into: &scan, log: log, fd: fd, facts: facts, store: store, cancelled: cancelled)
                return scan.found
            }
            extend(whole, into: &scan, log: log, fd: fd, facts: facts, store: store)
        }
        return scan.found
    }

    /// Reads the lines starting in `range` (text offsets) and a traceback after them.
    static func read(_ range: Range<Int64>, of log: OpenedLog, index: RequestIndexFile, fd: Int32, facts: IndexedFileFacts, into scan: inout TraceScan) {
        let start = max(0, range.lowerBound - 1)   // the byte before: is a line starting at the range's start?
        let end = min(range.upperBound, index.head.coverage.coveredText) + tracebackMargin
        if !log.compressed {
            let source = FileDescriptorSource(fd: fd, range: start..<min(end, facts.size))
            scan.run(LineReader(source: source, chunkSize: 1 << 20), base: start, lines: range, skipFirstLine: range.lowerBound > 0)
            return
        }
        var source: ByteSource?
        var base: Int64 = 0
        if let point = index.point(before: start) {
            source = GzipSource.resuming(at: point, stateSize: index.head.coverage.stateSize, fd: fd, fileSize: facts.size)
            if source != nil { base = point.textOffset }
        }
        let from = source ?? GzipSource(FileDescriptorSource(fd: fd, range: 0..<facts.size))
        scan.run(LineReader(source: LimitedSource(from, limit: end - base), chunkSize: 1 << 20), base: base, lines: range,
                 skipFirstLine: base > 0)
    }

    /// Searches the whole file, indexing it on the way, and stores the index when the read was
    /// whole and clean.
    static func build(into scan: inout TraceScan, log: OpenedLog, fd: Int32, facts: IndexedFileFacts, store: RequestIndexStore,
                      cancelled: (@Sendable () -> Bool)?) {
        let recorder = log.gzip?.fast != nil ? AccessPointRecorder() : nil
        log.gzip?.recorder = recorder
        scan.builder = RequestIndexBuilder(format: log.format)
        scan.run(log.lines(), base: 0, cancelled: cancelled)
        guard let builder = scan.builder else { return }
        guard cancelled?() != true, log.source.warning == nil else { return }
        let covered: Int64, text: Int64
        if let gzip = log.gzip { covered = facts.size; text = gzip.textProduced } else {
            guard let end = lastLineEnd(fd: fd, size: facts.size) else { return }
            covered = end; text = end
        }
        guard let tail = IndexedFileFacts.tailCRC(fd: fd, end: covered) else { return }
        guard let index = RequestIndex(facts: facts, coveredRaw: covered, coveredText: text, tailCRC: tail, formatName: log.format.name,
                                       entries: builder.entries, points: recorder?.points ?? [],
                                       stateSize: recorder == nil ? 0 : RequestIndexStore.stateSize) else { return }
        store.save(index, for: facts)
    }

    /// A plain file that grew: searches and indexes what came after the covered part.
    static func extend(_ index: RequestIndex, into scan: inout TraceScan, log: OpenedLog, fd: Int32, facts: IndexedFileFacts,
                       store: RequestIndexStore) {
        scan.builder = RequestIndexBuilder(format: log.format)
        let source = FileDescriptorSource(fd: fd, range: index.coverage.coveredRaw..<facts.size)
        scan.run(LineReader(source: source), base: index.coverage.coveredRaw)
        guard let builder = scan.builder, let end = lastLineEnd(fd: fd, size: facts.size), let tail = IndexedFileFacts.tailCRC(fd: fd, end: end) else { return }
        guard let grown = RequestIndex(facts: facts, coveredRaw: end, coveredText: end, tailCRC: tail, formatName: log.format.name,
                                       entries: index.entries + builder.entries, points: [], stateSize: 0) else { return }
        store.save(grown, for: facts)
    }

    /// Just past the last newline before `size` (whole lines only), within the last MB.
    static func lastLineEnd(fd: Int32, size: Int64) -> Int64? {
        guard size > 0 else { return 0 }
        let from = max(0, size - (1 << 20))
        guard let tail = IndexedFileFacts.readRange(fd: fd, from..<size), let nl = tail.lastIndex(of: 10) else { return nil }
        return from + Int64(nl) + 1
    }
}
