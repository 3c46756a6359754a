import ArgumentParser
import Foundation
import TTSMonCore

extension GeneratedFormat: ExpressibleByArgument {}

struct GenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Write deterministic, realistic TTS logs (for tests, benchmarks and demos).",
        discussion: "Latency and error mix like the seeds' services, CJK and English texts, tracebacks, cache readings, hostile lines; --rotate splits into app.log, app.log.1.gz ... app.log.K.gz."
    )

    @Option(help: "Directory to write into (created if missing).") var out: String
    @Option(help: "Number of requests.") var requests: Int
    @Option(help: "Random seed: the same seed writes the same bytes.") var seed: UInt64 = 1
    @Option(help: "Mean requests per second of log time.") var rate: Double = 20
    @Option(help: "Number of rotated .gz files.") var rotate: Int = 0
    @Flag(help: "Add a latency and error incident, cache fill past 90 %, a failover and failback.") var incident = false
    @Flag(name: .customLong("no-hostile"), help: "Leave out hostile lines.") var noHostile = false
    @Option(help: "Log format: indextts, chattts or jsonl.") var format: GeneratedFormat = .indexTTS
    @Option(help: "Name of the live file.") var name: String = "app.log"
    @Option(help: "Log time of the first record.") var start: String = "2024-06-12 08:00:00,000"
    @Flag(help: "Also write truth.json: the generator's own figures, for checking readers.") var truth = false

    func validate() throws {
        try check(rate, "--rate", .requestRate)
        try check(requests, "--requests", 0...100_000_000)
        try check(rotate, "--rotate", 0...1000)
        var options = GeneratorOptions(outputDirectory: out, requests: requests)
        options.rate = rate
        options.start = start
        options.fileName = name
        if let problem = options.problem { throw ValidationError("gen: \(problem)") }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var options = GeneratorOptions(outputDirectory: out, requests: requests)
        options.seed = seed
        options.rate = rate
        options.rotate = rotate
        options.incident = incident
        options.hostile = !noHostile
        options.format = format
        options.fileName = name
        options.start = start
        options.collectTruth = truth
        let result: GeneratedTruth
        do { result = try LogGenerator.generate(options) } catch {
            fail("gen: \(error.localizedDescription)", code: 2)
        }
        emit("wrote \(result.files.joined(separator: ", ")) in \(out): \(result.requestCount) requests, \(result.totalLines) lines")
    }
}
