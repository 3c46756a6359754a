/// Finds one request in a set of followed files and their history: the live files first (the
/// recent index usually names one), then every rotated sibling (`PATH.N`, `PATH.N.gz`), newest
/// first. Cancellable between and within batches; says how far it got after each.
public enum HistoryLookup {
    /// The batches searched, in order: the live files, then their rotated siblings.
    public static func batches(live: [String]) -> [[String]] {
        let rotated = live.flatMap { LogInput(path: $0).rotatedSiblings().map(\.path) }.filter { !live.contains($0) }
        return [live, rotated].filter { !$0.isEmpty }
    }

    /// Searches the batches for `id`; `progress(done, total)` after each batch that did not
    /// find it. Nil when not found or cancelled.
    public static func run(id: String, live: [String], formats: [LogFormat] = [], index: RequestIndexStore? = nil,
                           cancelled: @escaping @Sendable () -> Bool,
                           progress: (Int, Int) -> Void) -> RequestTrace? {
        let batches = batches(live: live)
        let total = batches.reduce(0) { $0 + $1.count }
        var done = 0
        for batch in batches {
            if cancelled() { return nil }
            let result = try? RequestTracer.trace(id: id, inputs: batch.map { LogInput(path: $0, formats: formats) }, index: index,
                                                 cancelled: cancelled)
            done += batch.count
            if cancelled() { return nil }
            if let trace = result?.trace { return trace }
            progress(done, total)
        }
        return nil
    }
}
