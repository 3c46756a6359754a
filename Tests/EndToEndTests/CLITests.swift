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

    @Test func reportAndTraceExitCodes() async throws { try await offThePool {
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
    } }

    /// `trace` through the index answers as a whole search does, in every rotated `.gz`, whether
    /// ISA-L or zlib inflates (`TTSMON_NO_ISAL`: a machine without libisal2).
    @Test(arguments: [true, false])
    func traceThroughTheIndexWithEitherInflater(zlib: Bool) async throws { try await offThePool {
        let dir = ScratchDir()
        let truth = try generate(dir, requests: 1500, rotate: 3)
        var environment = ["XDG_CACHE_HOME": dir.path + "/cache"]
        if zlib { environment["TTSMON_NO_ISAL"] = "1" }
        let ids = truth.files.flatMap { file in
            let inFile = truth.requests.filter { $0.file == file }
            return [inFile.first!.id, inFile[inFile.count / 2].id, inFile.last!.id]
        }
        for id in ids {
            let (wholeRC, whole, wholeErr) = try TTSMonBinary.run(["trace", "--no-index", "--format", "json", id, "-R", dir.path + "/app.log"], environment: environment)
            let (buildingRC, building, buildingErr) = try TTSMonBinary.run(["trace", "--format", "json", id, "-R", dir.path + "/app.log"], environment: environment)
            let (_, indexed, _) = try TTSMonBinary.run(["trace", "--format", "json", id, "-R", dir.path + "/app.log"], environment: environment)
            #expect(wholeRC == 0 && whole.contains(#""id": "\#(id)""#), "\(id), zlib: \(zlib): \(wholeRC) \(wholeErr) \(whole.prefix(300))")
            #expect(building == whole, "\(id) while indexing, zlib: \(zlib): \(buildingRC) \(buildingErr) \(building.prefix(300))")
            #expect(indexed == whole, "\(id) through the index, zlib: \(zlib)")
        }
        let (_, listing, _) = try TTSMonBinary.run(["index", "--format", "json", "-R", dir.path + "/app.log"], environment: environment)
        #expect(!listing.contains(#""text_bytes": 0"#), "every file's text is counted: \(listing)")
    } }

    @Test func reportReadsStandardInput() async throws { try await offThePool {
        let dir = ScratchDir()
        let truth = try generate(dir, requests: 200)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/app.log"))
        let (rc, out, _) = try TTSMonBinary.run(["report", "--format", "json", "-"], stdin: data)
        #expect(rc == 0)
        #expect(out.contains("\"total\": \(truth.requestCount)"))
    } }
}

/// Issue 8: `ttsmon rules` in its three forms; the Prometheus form passes `promtool check rules`.
@Suite struct RulesCommandTests {
    static let promtool = Tmux.which("promtool")

    @Test func textJSONAndBadFiles() async throws { try await offThePool {
        let (code, out, _) = try TTSMonBinary.run(["rules"])
        #expect(code == 0)
        for name in ["ServiceDown", "HighP95Latency", "HighP90Latency", "HighErrorRate", "HighServerErrorRate",
                     "CacheNearlyFull", "DiskLow", "GPUQueueSlow", "Failover"] {
            #expect(out.contains(name))
        }
        let (jcode, json, _) = try TTSMonBinary.run(["rules", "--format", "json"])
        #expect(jcode == 0 && json.hasPrefix("[{\"name\": \"ServiceDown\""))
        let dir = ScratchDir()
        let bad = dir.path + "/rules.yaml"
        try "rules:\n  - name: HighP95Latency\n    for: soon\n".write(toFile: bad, atomically: true, encoding: .utf8)
        for command in [["rules"], ["report", "/dev/null"], ["watch", "--log", "/dev/null", "--duration", "1"]] {
            let (c, _, err) = try TTSMonBinary.run(command + ["--rules", bad])
            #expect(c == 2, "\(command)")
            #expect(err == "ttsmon: \(bad):3: field 'for': 'soon' is not a duration (30s, 2m, 1h)\n", "\(command)")
        }
    } }

    @Test func diskRuleReadsTheWatchedFileSystem() async throws { try await offThePool {
        // Free space is always below 101 %: DiskLow fires on the probe clock at the first tick.
        let dir = ScratchDir()
        let rules = dir.path + "/rules.toml"
        try "[[rule]]\nname = \"DiskLow\"\nthreshold = 101\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let log = dir.path + "/app.log"
        try "2024-06-12 10:00:00,000 - x - INFO - tick: a=1\n".write(toFile: log, atomically: true, encoding: .utf8)
        let (code, out, _) = try TTSMonBinary.run(["watch", "--log", log, "--disk", dir.path, "--rules", rules,
                                                   "--interval", "0.5", "--duration", "2"])
        #expect(code == 0)
        #expect(out.split(separator: "\n").last?.contains("\"name\": \"DiskLow\", \"state\": \"firing\"") == true, "\(out.suffix(600))")
        let (bad, _, err) = try TTSMonBinary.run(["watch", "--log", log, "--disk", dir.path + "/missing/x", "--duration", "1"])
        #expect(bad == 2)
        #expect(err.contains("--disk"))
    } }

    @Test(.enabled(if: promtool != nil, "promtool (Debian package prometheus) is not installed; .ci/run installs it"))
    func prometheusRulesPassPromtool() async throws { try await offThePool {
        let dir = ScratchDir()
        let custom = dir.path + "/rules.toml"
        try "[[rule]]\nname = \"SlowP99\"\nexpr = \"p99_latency_seconds >= 8\"\nfor = \"90s\"\nwindow = \"2m\"\n"
            .write(toFile: custom, atomically: true, encoding: .utf8)
        let (code, out, _) = try TTSMonBinary.run(["rules", "--format", "prometheus", "--rules", custom])
        #expect(code == 0)
        #expect(out.contains("histogram_quantile(0.99, sum by (instance, le) (rate(ttsmon_request_duration_seconds_bucket[2m]))) >= 8"))
        #expect(out.contains("for: 1m30s") || out.contains("for: 90s"))
        let file = dir.path + "/alerts.yml"
        try out.write(toFile: file, atomically: true, encoding: .utf8)
        let check = Process()
        check.executableURL = URL(fileURLWithPath: Self.promtool!)
        check.arguments = ["check", "rules", file]
        let pipe = Pipe()
        check.standardOutput = pipe
        check.standardError = pipe
        try check.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(text)")
        #expect(text.contains("SUCCESS: \(AlertRule.builtIn.count + 1) rules found"), "\(text)")   // the built-ins and SlowP99
    } }
}
