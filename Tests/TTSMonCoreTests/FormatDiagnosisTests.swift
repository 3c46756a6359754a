import Foundation
import Testing
@testable import TTSMonCore

/// Issue 16, "Say so": a file ttsmon does not understand is named, with `ttsmon formats test`.
@Suite struct FormatDiagnosisTests {
    /// loguru's default format (what `logger.add(path)` writes), with the seed's own events.
    static let loguru = (0..<40).map { i in
        "2024-06-12 14:22:37.\(100 + i) | INFO     | app.tts:synthesize:120 - synthesis_complete: id=ts_\(String(format: "%08x", i)), status=success, duration_ms=523"
    }.joined(separator: "\n") + "\n"

    @Test func aLoguruFileIsNamedAsNotUnderstood() throws {
        let dir = TempDir()
        let path = dir.write("loguru.log", Self.loguru)
        let summary = try report([path])
        #expect(summary.warnings.contains { $0.contains("loguru.log: only 0 of the first 40 lines were understood") && $0.contains("ttsmon formats test") })
        let text = try FormatsListing.test(LogInput(path: path), lines: 3)
        #expect(text.contains("not understood: it starts with a timestamp, but the rest is not in the indextts layout"))
        #expect(text.contains("first 40 non-blank lines: 0 understood, 0 requests completed"))
        // Live too: the collector says so once, naming the file.
        let collector = LiveCollector(paths: [path])
        while collector.poll() {}
        collector.poll()
        let notes = collector.drainNotes()
        #expect(notes.filter { $0.contains("loguru.log: only 0 of the first 40 lines") }.count == 1)
        #expect(collector.sourceStatus().first?.formatWarning != nil)
        collector.poll()
        #expect(collector.drainNotes().isEmpty, "said once")
    }

    @Test func aSeedLogReadsWellAndAFileOfNoRequestsIsNamed() throws {
        let dir = TempDir()
        let truth = try LogGenerator.generate(GeneratorOptions(outputDirectory: dir.path, requests: 400))
        let summary = try report(truth.files.map { dir.path + "/" + $0 })
        #expect(!summary.warnings.contains { $0.contains("understood") || $0.contains("no request") })
        // 1,000 well-formed lines of events ttsmon does not know: understood, yet no request.
        let other = (0..<1200).map { "2024-06-12 14:22:37,\(String(format: "%03d", $0 % 1000)) - app - INFO - model_loaded: name=gpt, ms=\($0)" }
        let path = dir.write("other.log", other.joined(separator: "\n") + "\n")
        let warned = try report([path])
        #expect(warned.warnings.contains { $0.contains("other.log: no request in the first 1000 lines") })
    }
}
