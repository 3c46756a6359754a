import Foundation

/// Deterministic generator of realistic TTS service logs with the truth about what it wrote.
public enum LogGenerator {
    /// Writes the logs and returns the truth; also writes `truth.json` beside the logs when collectTruth is true.
    public static func generate(_ options: GeneratorOptions) throws -> GeneratedTruth {
        if let problem = options.problem { throw GenError.invalidOption(problem) }
        let startMs = GenClock.parse(options.start)!
        try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)

        var rng = GenRandom(seed: options.seed)
        var log: GenBuiltLog
        switch options.format {
        case .indexTTS: log = GenEventLogBuilder.build(GenIndexTTSRenderer.self, options: options, startMs: startMs, rng: &rng)
        case .jsonLines: log = GenEventLogBuilder.build(GenJSONLinesRenderer.self, options: options, startMs: startMs, rng: &rng)
        case .chatTTS: log = GenChatTTSBuilder.build(options: options, startMs: startMs, rng: &rng)
        }

        let order = log.arena.timeOrder()
        let written = try GenLogFiles.write(log.arena, order: order, requestCount: log.requestCount, options: options)
        for i in log.requests.indices {
            let fileIndex = Int(written.fileOfRequest[i])
            log.requests[i].file = fileIndex >= 0 ? written.files[fileIndex] : ""
        }
        let refs = log.arena.refs
        let truth = GeneratedTruth(
            files: written.files, totalLines: written.totalLines, continuationLines: log.continuationLines,
            unparsedLines: log.unparsedLines,
            firstTime: order.first.map { GenClock.format(refs[$0].time) } ?? "",
            lastTime: order.last.map { GenClock.format(refs[$0].time) } ?? "",
            requests: log.requests, requestCount: log.requestCount, cacheReadings: log.cacheReadings,
            cacheThreshold: log.cacheThreshold, failovers: log.failovers)

        if options.collectTruth {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(truth)
            let path = URL(fileURLWithPath: options.outputDirectory).appendingPathComponent("truth.json")
            try data.write(to: path)
        }
        return truth
    }
}
