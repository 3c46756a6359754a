import Foundation
import Testing
import TTSMonCore

/// The real binary, as a user runs it.
@Suite struct CLITests {
    func generate(_ dir: ScratchDir, requests: Int, rotate: Int = 0) throws -> GeneratedTruth {
        var options = GeneratorOptions(outputDirectory: dir.path, requests: requests)
        options.rotate = rotate
        options.incident = true
        return try LogGenerator.generate(options)
    }

    @Test func reportAndTraceExitCodes() throws {
        let dir = ScratchDir()
        let truth = try generate(dir, requests: 400, rotate: 2)
        let (rc, out, _) = try TTSMonBinary.run(["report", "--format", "json", "-R", dir.path + "/app.log"])
        #expect(rc == 0)
        #expect(out.contains("\"total\": \(truth.requestCount)"))
        let (missing, _, err) = try TTSMonBinary.run(["report", dir.path + "/nope.log"])
        #expect(missing == 2)
        #expect(err.contains("nope.log"))
        #expect(err.split(separator: "\n").count == 1)
        let (dirRC, _, _) = try TTSMonBinary.run(["report", dir.path])
        #expect(dirRC == 2)
        let id = truth.requests.first { $0.file == truth.files.last }!.id
        let (traceRC, traceOut, _) = try TTSMonBinary.run(["trace", "--format", "json", id, "-R", dir.path + "/app.log"])
        #expect(traceRC == 0)
        #expect(traceOut.contains("\"id\": \"\(id)\""))
        let (notFound, _, notFoundErr) = try TTSMonBinary.run(["trace", "ts_00000000", "-R", dir.path + "/app.log"])
        #expect(notFound == 1)
        #expect(notFoundErr.contains("3 files"))
        let (versionRC, version, _) = try TTSMonBinary.run(["--version"])
        #expect(versionRC == 0 && !version.isEmpty)
    }

    @Test func reportReadsStandardInput() throws {
        let dir = ScratchDir()
        let truth = try generate(dir, requests: 200)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/app.log"))
        let (rc, out, _) = try TTSMonBinary.run(["report", "--format", "json", "-"], stdin: data)
        #expect(rc == 0)
        #expect(out.contains("\"total\": \(truth.requestCount)"))
    }
}
