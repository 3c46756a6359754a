import Foundation
import Testing
import TTSMonCore

/// Issue 14: the binary under hostile conditions, as a user meets them.
@Suite struct HardeningCLITests {
    /// Runs ttsmon with stdout on `output` (stderr collected); returns how it ended.
    static func run(_ arguments: [String], output: FileHandle?, closeReadEnd: Bool = false) throws
        -> (reason: Process.TerminationReason, status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = TTSMonBinary.url
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = output ?? pipe.fileHandleForWriting
        try process.run()
        if output == nil {
            try pipe.fileHandleForWriting.close()
            if closeReadEnd { try pipe.fileHandleForReading.close() } else { _ = pipe.fileHandleForReading.readDataToEndOfFile() }
        }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus, String(decoding: errData, as: UTF8.self))
    }

    func generatedLog(_ dir: ScratchDir) throws -> String {
        _ = try LogGenerator.generate(GeneratorOptions(outputDirectory: dir.path, requests: 300))
        return dir.path + "/app.log"
    }

    /// Item 5: a full disk is an error message and exit 1, not a crash.
    @Test func aFullDiskIsAnErrorNotACrash() async throws { try await offThePool {
        let dir = ScratchDir()
        let log = try generatedLog(dir)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let result = try HardeningCLITests.run(["report", log], output: full)
        #expect(result.reason == .exit)
        #expect(result.status == 1)
        #expect(result.stderr.contains("No space left on device"))
    } }

    /// Item 5: a reader that went away ends the program quietly, as Unix tools end.
    @Test func aClosedPipeEndsQuietly() async throws { try await offThePool {
        let dir = ScratchDir()
        let log = try generatedLog(dir)
        for arguments in [["report", log], ["probe", "main=http://127.0.0.1:1"], ["rules"]] {
            let result = try HardeningCLITests.run(arguments, output: nil, closeReadEnd: true)
            #expect(result.reason == .uncaughtSignal && result.status == SIGPIPE, "\(arguments): \(result)")
            #expect(result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
    } }

    /// Item 6 (and issue 15's exit code): absurd values, unknown options and missing values
    /// are usage errors with exit 2, before anything is probed or drawn.
    @Test func usageErrorsExitTwo() async throws { try await offThePool {
        let cases: [[String]] = [
            ["probe", "--timeout", "inf", "main=http://127.0.0.1:1"],
            ["probe", "--timeout", "1e10", "main=http://127.0.0.1:1"],
            ["probe", "--watch", "0", "main=http://127.0.0.1:1"],
            ["probe", "--watch", "nan", "main=http://127.0.0.1:1"],
            ["probe", "--watch", "1e-9", "main=http://127.0.0.1:1"],
            ["export", "--probe-interval", "0", "--probe", "main=http://127.0.0.1:1"],
            ["export", "--timeout", "inf", "--probe", "main=http://127.0.0.1:1"],
            ["dashboard", "--timeout", "inf"],
            ["dashboard", "--probe-interval", "0"],
            ["dashboard", "--router", "http://127.0.0.1:1", "--probe", "main=http://127.0.0.1:1"],
            ["dashboard", "--router", "127.0.0.1:8080"],
            ["watch", "--interval", "0", "--log", "x.log"],
            ["report", "--top", "-1", "x.log"],
            ["gen", "--out", "/tmp/never", "--requests", "5", "--rate", "1e-300"],
            ["gen", "--out", "/tmp/never", "--requests", "5", "--start", "9999-12-31 23:59:59,999"],
            ["report", "--no-such-option"],
            ["no-such-command"],
        ]
        for arguments in cases {
            let (rc, _, err) = try TTSMonBinary.run(arguments)
            #expect(rc == 2, "\(arguments): \(rc) \(err)")
            #expect(!err.isEmpty, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never"))
    } }

    /// Item 13: a message that echoes the command line never passes an escape sequence on.
    @Test func messagesNeverEchoEscapeSequences() async throws { try await offThePool {
        for arguments in [["report", "/tmp/\u{1B}]0;pwned\u{07}.log"], ["report", "--x\u{1B}[31m"], ["trace", "ts_1", "/tmp/\u{1B}[2Jx"]] {
            let (rc, _, err) = try TTSMonBinary.run(arguments)
            #expect(rc == 2)
            #expect(!err.isEmpty && !err.contains("\u{1B}") && !err.contains("\u{07}"), "\(arguments): \(err.debugDescription)")
        }
    } }

    /// Issue 15: option values that begin with `-` are taken where the help suggests them.
    @Test func relativeTimesStartingWithADashAreValues() async throws { try await offThePool {
        let dir = ScratchDir()
        let log = try generatedLog(dir)
        let (rc, out, err) = try TTSMonBinary.run(["report", "--format", "json", "--from", "-15m", log])
        #expect(rc == 0, "\(err)")
        #expect(out.contains("\"total\""))
    } }

    /// Item 9: `watch` on a FIFO with no writer ends on SIGTERM with its last snapshot (it
    /// blocked in open and ignored SIGINT and SIGTERM), and reads a writer's data as report does.
    @Test func watchOnAFIFOEndsOnSIGTERMAndReadsItsWriter() async throws { try await offThePool {
        let dir = ScratchDir()
        let log = try generatedLog(dir)
        let fifo = dir.path + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let idle = Process()
        idle.executableURL = TTSMonBinary.url
        idle.arguments = ["watch", "--log", fifo, "--interval", "0.2"]
        let idleOut = Pipe()
        idle.standardOutput = idleOut
        idle.standardError = FileHandle.nullDevice
        try idle.run()
        Thread.sleep(forTimeInterval: 1)
        idle.terminate()
        let ended = Date().addingTimeInterval(5)
        while idle.isRunning, Date() < ended { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!idle.isRunning, "watch on an idle FIFO ignored SIGTERM")
        if idle.isRunning { kill(idle.processIdentifier, SIGKILL) }
        idle.waitUntilExit()
        #expect(idle.terminationReason == .exit && idle.terminationStatus == 0)
        #expect(String(decoding: idleOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("\"requests\""))

        let watch = Process()
        watch.executableURL = TTSMonBinary.url
        watch.arguments = ["watch", "--log", fifo, "--interval", "0.2", "--duration", "4"]
        let out = Pipe()
        watch.standardOutput = out
        watch.standardError = FileHandle.nullDevice
        try watch.run()
        Thread.sleep(forTimeInterval: 0.5)
        let writer = try #require(FileHandle(forWritingAtPath: fifo))
        writer.write(try Data(contentsOf: URL(fileURLWithPath: log)))
        try writer.close()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        watch.waitUntilExit()
        let last = try #require(text.split(separator: "\n").last)
        let (_, expected, _) = try TTSMonBinary.run(["report", "--format", "json", log])
        func total(_ json: Substring) -> Int? {
            (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                .flatMap { ($0["requests"] as? [String: Any])?["total"] as? Int }
        }
        #expect(total(last) == 300)
        #expect(total(Substring(expected)) == 300)
    } }

    /// Item 9: `--duration` is honoured while a large history is still being read.
    @Test func watchDurationIsHonouredWhileCatchingUp() async throws { try await offThePool {
        let dir = ScratchDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 60_000)
        options.collectTruth = false
        _ = try LogGenerator.generate(options)
        let log = dir.path + "/app.log"
        let size = try FileManager.default.attributesOfItem(atPath: log)[.size] as? Int ?? 0
        #expect(size > 8 << 20)
        let started = Date()
        let (rc, out, _) = try TTSMonBinary.run(["watch", "--log", log, "--duration", "0"])
        #expect(rc == 0)
        #expect(Date().timeIntervalSince(started) < 10)
        let json = try #require(out.split(separator: "\n").last)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let requests = (object?["requests"] as? [String: Any])?["total"] as? Int ?? -1
        #expect(requests >= 0 && requests < 60_000, "read \(requests) requests although --duration 0 asked to stop")
    } }
}
