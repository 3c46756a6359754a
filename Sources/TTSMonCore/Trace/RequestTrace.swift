/// Everything the logs say about one request: its records, stage waterfall and outcome.
public struct RequestTrace: Sendable {
    public enum Status: String, Sendable { case success, failed, incomplete }

    /// One stage of the waterfall.
    public struct StageSpan: Sendable, Equatable {
        public var stage: String
        public var durationMs: Int
        /// Start relative to the request's start: the sum of the stages before it.
        public var offsetMs: Int
    }

    /// One raw record and where it was found.
    public struct Found: Sendable {
        public var file: String
        public var offset: Int64
        public var line: String
        public var record: LogRecord?
        /// Traceback lines that follow the record.
        public var continuation: [String] = []

        public init(file: String, offset: Int64, line: String, record: LogRecord?) {
            self.file = file; self.offset = offset; self.line = line; self.record = record
        }
    }

    public var id: String
    public var file: String?
    public var status: Status
    public var start: LogTimestamp?
    public var end: LogTimestamp?
    public var durationMs: Int?
    public var errorCode: String?
    public var text: String?
    public var textLen: Int?
    public var voice: String?
    public var lang: String?
    public var cacheHit: Bool?
    public var audioSizeKB: Int?
    public var stages: [StageSpan]
    public var criticalStage: String?
    public var failedStage: String?
    public var records: [Found]

    /// Joins the records of one request (in log order) into a trace.
    public init(id: String, records: [Found]) {
        self.id = id
        self.records = records
        var status = Status.incomplete
        var stages: [StageSpan] = []
        var offset = 0
        var complete: LogRecord?
        var startRecord: LogRecord?
        var failedCode: String?
        for found in records {
            guard let r = found.record else { continue }
            switch r.event {
            case .synthesisStart:
                startRecord = r
            case .stageTime:
                let d = r.durationMs ?? 0
                stages.append(StageSpan(stage: r.stageName ?? r.stage?.name ?? "?", durationMs: d, offsetMs: offset))
                offset += d
            case .synthesisFailed:
                failedCode = r.errorCode ?? failedCode
            case .synthesisComplete:
                complete = r
                file = found.file
            default:
                break
            }
        }
        if let c = complete { status = c.status == .failed ? .failed : .success }
        self.status = status
        self.stages = stages
        // Records without a time of their own (IndexTTS2's prints) give no start or end.
        let timed = records.compactMap { $0.record.flatMap { $0.untimed ? nil : $0.time } }
        start = startRecord.flatMap { $0.untimed ? nil : $0.time } ?? timed.min()
        end = complete.flatMap { $0.untimed ? nil : $0.time } ?? timed.max()
        durationMs = complete?.durationMs
        errorCode = status == .failed ? (complete?.errorCode ?? failedCode ?? "UNKNOWN") : (status == .incomplete ? failedCode : nil)
        text = startRecord?.text
        textLen = startRecord?.textLen ?? complete?.textLen
        voice = startRecord?.voice
        lang = startRecord?.lang
        cacheHit = startRecord?.cacheHit
        audioSizeKB = complete?.audioSizeKB
        if file == nil { file = records.first?.file }
        criticalStage = stages.max { $0.durationMs < $1.durationMs }?.stage
        if status == .failed || (status == .incomplete && failedCode != nil) {
            // model_stage names the last stage reached: where it failed. Without it, the stage
            // after the furthest one that logged its time (stages run in order: a log that
            // leaves some out has still passed those before the last it wrote).
            // (Only for the seed's pipeline: another service's stages are not known ahead.)
            let done = stages.map { PipelineStage(name: $0.stage) }
            if let modelStage = complete?.modelStage {
                failedStage = modelStage
            } else if done.allSatisfy({ $0 != nil }) {
                let next = done.compactMap { $0 }.max().map { $0.rawValue + 1 } ?? 0
                failedStage = PipelineStage(rawValue: next)?.name
            }
        }
    }
}
