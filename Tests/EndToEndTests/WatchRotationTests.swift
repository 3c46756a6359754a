import Foundation
import Testing
import TTSMonCore

/// `ttsmon watch` follows a log through rename+create and copytruncate rotation while a writer
/// appends in bursts that split lines: it must count exactly the requests written.
@Suite struct WatchRotationTests {
    /// Writes `bytes` to `path` in bursts of random size (so lines split across writes), with
    /// rotations at the given line boundaries.
    final class Writer {
        let path: String
        var handle: FileHandle
        init(path: String) {
            self.path = path
            FileManager.default.createFile(atPath: path, contents: nil)
            handle = FileHandle(forWritingAtPath: path)!
        }
        func write(_ data: Data) { handle.write(data) }
        func renameAndCreate() throws {
            try handle.close()
            try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
            FileManager.default.createFile(atPath: path, contents: nil)
            handle = FileHandle(forWritingAtPath: path)!
        }
        func copyTruncate() throws {
            try handle.synchronize()
            Thread.sleep(forTimeInterval: 1.0)   // logrotate's window: the reader catches up
            try? FileManager.default.removeItem(atPath: path + ".2")
            try FileManager.default.copyItem(atPath: path, toPath: path + ".2")
            try handle.truncate(atOffset: 0)
        }
    }

    static func total(in json: String) -> Int? {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let requests = object["requests"] as? [String: Any] else { return nil }
        return requests["total"] as? Int
    }

    @Test func countsEveryRequestOnceThroughRotation() async throws { try await offThePool {
        let dir = ScratchDir()
        let source = ScratchDir()
        var options = GeneratorOptions(outputDirectory: source.path, requests: 3000)
        options.hostile = true
        options.rate = 200
        let truth = try LogGenerator.generate(options)
        let log = try Data(contentsOf: URL(fileURLWithPath: source.path + "/app.log"))
        let lines = log.split(separator: 10, omittingEmptySubsequences: false)
        let path = dir.path + "/app.log"

        let process = Process()
        process.executableURL = TTSMonBinary.url
        process.arguments = ["watch", "--log", path, "--interval", "0.2", "--window", "15m"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let collector = LineCollector(out.fileHandleForReading)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        Thread.sleep(forTimeInterval: 0.3)   // it starts before the file exists: "waiting"

        let writer = Writer(path: path)
        var rng = SystemRandomNumberGenerator()
        var i = 0
        let renameAt = lines.count / 3, truncateAt = 2 * lines.count / 3
        var pending = Data()
        while i < lines.count - 1 {
            let burst = Int.random(in: 1...120, using: &rng)
            let end = min(lines.count - 1, i + burst)
            for k in i..<end { pending.append(lines[k]); pending.append(10) }
            // Split the burst at a random byte: the first part now, the rest a moment later.
            let cut = Int.random(in: 0...pending.count, using: &rng)
            writer.write(pending.prefix(cut))
            Thread.sleep(forTimeInterval: 0.002)
            writer.write(pending.dropFirst(cut))
            pending.removeAll()
            if i < renameAt, end >= renameAt { try writer.renameAndCreate() }
            if i < truncateAt, end >= truncateAt { try writer.copyTruncate() }
            i = end
            Thread.sleep(forTimeInterval: 0.01)
        }
        try writer.handle.synchronize()
        // Wait for watch to catch up, then stop it: the last snapshot must count every request once.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, collector.last.flatMap(Self.total) != truth.requestCount { Thread.sleep(forTimeInterval: 0.1) }
        Thread.sleep(forTimeInterval: 0.5)
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let final = collector.all.compactMap(Self.total).last
        #expect(final == truth.requestCount, "lost or double-counted requests")
        #expect(collector.last?.contains("\"rotations\": 2") == true)
    } }
}
