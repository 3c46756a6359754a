/// The stage names met in a log, each with a small index: the seed's pipeline first, in its
/// order (so its stages cost no lookup), then any other name a format yields, in order of first
/// sight. Stages are data: a service whose stages are `gpt_gen` and `bigvgan` gets those.
public struct StageNames: Sendable, Equatable {
    /// The names, by index.
    public private(set) var names: [String] = PipelineStage.allCases.map(\.name)
    private var indexes: [String: Int] = [:]
    /// The most distinct stages kept (later names are not tallied: hostile logs cannot grow it).
    public static let capacity = 64

    public init() {}

    /// The index of a record's stage, assigned on first sight; nil without a stage or when full.
    @inline(__always)
    public mutating func index(of record: LogRecord) -> Int? {
        if let stage = record.stage { return stage.rawValue }
        guard let name = record.stageName else { return nil }
        return index(named: name)
    }

    /// The index of a stage name, assigned on first sight; nil when full.
    public mutating func index(named name: String) -> Int? {
        if let stage = PipelineStage(name: name) { return stage.rawValue }
        if let i = indexes[name] { return i }
        guard names.count < StageNames.capacity else { return nil }
        names.append(name)
        indexes[name] = names.count - 1
        return names.count - 1
    }
}
