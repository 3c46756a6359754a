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
    @Test func aFullDiskIsAnErrorNotACrash() throws {
        let dir = ScratchDir()
        let log = try generatedLog(dir)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let result = try HardeningCLITests.run(["report", log], output: full)
        #expect(result.reason == .exit)
        #expect(result.status == 1)
        #expect(result.stderr.contains("No space left on device"))
    }

    /// Item 5: a reader that went away ends the program quietly, as Unix tools end.
    @Test func aClosedPipeEndsQuietly() throws {
        let dir = ScratchDir()
        let log = try generatedLog(dir)
        for arguments in [["report", log], ["probe", "main=http://127.0.0.1:1"], ["rules"]] {
            let result = try HardeningCLITests.run(arguments, output: nil, closeReadEnd: true)
            #expect(result.reason == .uncaughtSignal && result.status == SIGPIPE, "\(arguments): \(result)")
            #expect(result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
    }

    /// Item 6 (and issue 15's exit code): absurd values, unknown options and missing values
    /// are usage errors with exit 2, before anything is probed or drawn.
    @Test func usageErrorsExitTwo() throws {
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
    }

    /// Issue 15: option values that begin with `-` are taken where the help suggests them.
    @Test func relativeTimesStartingWithADashAreValues() throws {
        let dir = ScratchDir()
        let log = try generatedLog(dir)
        let (rc, out, err) = try TTSMonBinary.run(["report", "--format", "json", "--from", "-15m", log])
        #expect(rc == 0, "\(err)")
        #expect(out.contains("\"total\""))
    }
}
