import Foundation

/// Locates the `ttsmon` executable built beside the test bundle and runs it.
enum TTSMonBinary {
    static var url: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The XCTest bundle may sit one level deeper than the products directory.
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("ttsmon")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/ttsmon")
        return fallback
    }

    /// Runs ttsmon to completion; returns exit code, stdout and stderr.
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        // Request indexes go to this test run's own cache, never the user's.
        process.environment = ProcessInfo.processInfo.environment.merging(["XDG_CACHE_HOME": testCacheHome]) { _, new in new }
            .merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// The cache directory (`XDG_CACHE_HOME`) of every ttsmon this test run starts.
let testCacheHome = NSTemporaryDirectory() + "ttsmon-test-cache-\(getpid())"

/// A temporary directory removed when the value goes away.
final class ScratchDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "ttsmon-e2e-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Collects a running process's stdout lines as they arrive.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var lines: [String] = []

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] h in
            let data = h.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.buffer.append(data)
            while let nl = self.buffer.firstIndex(of: 10) {
                self.lines.append(String(decoding: self.buffer[self.buffer.startIndex..<nl], as: UTF8.self))
                self.buffer.removeSubrange(self.buffer.startIndex...nl)
            }
            self.lock.unlock()
        }
    }

    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    var last: String? { all.last }
}
