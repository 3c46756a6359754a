import Foundation
import Testing
@testable import TTSMonCore

/// The router's and the demo's log: rotated by size into NAME.N.gz (newest first) with no line
/// lost, compressed in the background so no write waits for gzip.
struct RotatingLogWriterTests {
    @Test func rotatesIntoGzipNewestFirstAndLosesNoLine() throws {
        let dir = NSTemporaryDirectory() + "ttsmon-rotate-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/router.log"
        let writer = RotatingLogWriter(path: path, maxBytes: 8192, keep: 9)
        for i in 0..<1000 { writer.write([("router", "INFO", "synthesis_complete: id=ts_\(String(format: "%08x", i)), status=success, duration_ms=\(i)")]) }
        writer.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(!names.contains { $0.contains("rotated") }, "\(names)")
        #expect(names.contains("router.log.1.gz") && names.contains("router.log.9.gz") && !names.contains("router.log.10.gz"), "\(names)")
        // Newest first: .1.gz holds later ids than .2.gz, and the live file the latest.
        func ids(_ file: String) throws -> [Int] {
            var out: [Int] = []
            try LogOpener.open(LogInput(path: dir + "/" + file)).lines().forEachLine { line in
                guard case .text(let bytes, _, _) = line, let r = String(decoding: bytes, as: UTF8.self).range(of: "id=ts_") else { return }
                let text = String(decoding: bytes, as: UTF8.self)
                out.append(Int(text[r.upperBound...].prefix(8), radix: 16)!)
            }
            return out
        }
        let live = try ids("router.log"), first = try ids("router.log.1.gz"), second = try ids("router.log.2.gz")
        #expect(!live.isEmpty && !first.isEmpty && !second.isEmpty)
        #expect(second.last! + 1 == first.first! && first.last! + 1 == live.first!, "contiguous: \(second.last!) \(first.first!) \(first.last!) \(live.first!)")
        #expect(live.last == 999)
    }
}
