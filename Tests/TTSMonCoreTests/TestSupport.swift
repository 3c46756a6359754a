import Foundation
@testable import TTSMonCore

/// A temporary directory removed when the value goes away.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "ttsmon-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { write(name, bytes: Array(text.utf8)) }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let p = path + "/" + name
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
}

/// Runs a report over paths and returns the summary.
func report(_ paths: [String], threads: Int = 1, split: Int64 = 32 << 20, from: String? = nil, to: String? = nil) throws -> ReportSummary {
    var options = ReportOptions(inputs: paths.map(LogInput.init(path:)))
    options.threads = threads
    options.splitThreshold = split
    options.rangeSize = split
    options.from = from.flatMap(TimeBound.init)
    options.to = to.flatMap(TimeBound.init)
    return ReportSummary(try ReportRunner.run(options))
}

/// Collects every line a reader yields.
func readLines(_ source: ByteSource, chunk: Int = 64, maxLine: Int = 1 << 20) -> [String] {
    var out: [String] = []
    LineReader(source: source, chunkSize: chunk, maxLineLength: maxLine).forEachLine { line in
        switch line {
        case .text(let bytes, _, _): out.append(String(decoding: bytes, as: UTF8.self))
        case .overlong: out.append("<overlong>")
        }
    }
    return out
}

/// A byte source over memory, delivering at most `step` bytes per read.
final class MemorySource: ByteSource {
    var bytes: [UInt8]
    var position = 0
    let step: Int
    var warning: String? { nil }
    var rawBytesRead: Int64 { Int64(position) }
    init(_ bytes: [UInt8], step: Int = 7) { self.bytes = bytes; self.step = step }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(step, buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}

/// An IndexTTS log from the generator, with an incident in it: the directory (kept alive by the
/// caller) and the log's path.
func generatedLog(requests: Int, rate: Double, seed: UInt64) throws -> (TempDir, String) {
    let dir = TempDir()
    var options = GeneratorOptions(outputDirectory: dir.path, requests: requests)
    options.rate = rate
    options.incident = true
    options.seed = seed
    _ = try LogGenerator.generate(options)
    return (dir, dir.path + "/app.log")
}
