import Foundation
import Testing
import TTSMonCore
import TTSMonNet

/// Issue 9: `ttsmon export` on its own (no Prometheus needed): `/metrics` counts exactly what
/// `report` counts, through a log rotation, and binds loopback by default.
@Suite(.serialized) struct ExportTests {
    @Test func countersMatchReportThroughRotation() async throws { try await offThePool {
        let dir = ScratchDir()
        var options = GeneratorOptions(outputDirectory: dir.path + "/gen", requests: 2000)
        options.incident = true
        options.seed = 21
        _ = try LogGenerator.generate(options)
        let source = dir.path + "/gen/app.log"
        let expected = ReportSummary(try ReportRunner.run(ReportOptions(inputs: [LogInput(path: source)])))
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        var cut = data.count / 2
        while data[cut - 1] != 10 { cut += 1 }
        let log = dir.path + "/app.log"
        try data.prefix(cut).write(to: URL(fileURLWithPath: log))

        let port = freeLoopbackPort()
        let export = Process()
        export.executableURL = TTSMonBinary.url
        export.arguments = ["export", "--log", log, "--listen", "127.0.0.1:\(port)"]
        let err = Pipe()
        export.standardOutput = FileHandle.nullDevice
        export.standardError = err
        try export.run()
        defer { if export.isRunning { export.terminate(); export.waitUntilExit() } }
        let fetcher = HTTPFetcher(timeout: 2)
        defer { try? DashboardTmuxTests.blocking { await fetcher.shutdown() } }
        func metrics() -> String { Self.scrape(fetcher, port: port) }
        func total(_ text: String, _ filter: (String) -> Bool = { _ in true }) -> Int {
            text.split(separator: "\n").filter { $0.hasPrefix("ttsmon_requests_total{") && filter(String($0)) }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
        }
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline { text = metrics(); if total(text) > 0 { break }; Thread.sleep(forTimeInterval: 0.2) }
        #expect(total(text) > 0, "no requests exported")
        // Rotate by rename + create, then write the rest: the counters keep every request once.
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        try data.suffix(from: cut).write(to: URL(fileURLWithPath: log))
        let until = Date().addingTimeInterval(20)
        while Date() < until { text = metrics(); if total(text) == expected.total { break }; Thread.sleep(forTimeInterval: 0.2) }
        #expect(total(text) == expected.total)
        #expect(total(text) { $0.contains("status=\"failed\"") } == expected.failed)
        for e in expected.errors { #expect(total(text) { $0.contains("code=\"\(e.code)\"") } == e.count, "\(e.code)") }
        // Every metric has HELP and TYPE; counters end in _total; latency is in seconds.
        let families = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        for family in families { #expect(text.contains("# HELP \(family) "), "\(family) has HELP") }
        #expect(text.contains("# TYPE ttsmon_request_duration_seconds histogram"))
        #expect(text.contains("ttsmon_request_duration_seconds_bucket{service=\"indextts\",le=\"30.0\"}")
                || text.contains("ttsmon_request_duration_seconds_bucket{service=\"indextts\",le=\"30\"}"))
        #expect(text.contains("ttsmon_cache_used_ratio "))
        #expect(text.contains("ttsmon_requests_in_flight "), "in-flight requests exported (issue 20)")
        export.terminate()
        export.waitUntilExit()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(said.contains("serving metrics on http://127.0.0.1:\(port)/metrics"))
    } }

    /// Issue 14, item 4: 50,000 pipelined scrapes on one connection that reads nothing do not
    /// take the exporter's memory (it grew to 842 MB and kept it), and it still serves others.
    @Test func pipelinedScrapesDoNotTakeTheMemory() async throws { try await offThePool {
        let dir = ScratchDir()
        _ = try LogGenerator.generate(GeneratorOptions(outputDirectory: dir.path, requests: 2000))
        let port = freeLoopbackPort()
        let export = Process()
        export.executableURL = TTSMonBinary.url
        export.arguments = ["export", "--log", dir.path + "/app.log", "--listen", "127.0.0.1:\(port)"]
        export.standardOutput = FileHandle.nullDevice
        export.standardError = FileHandle.nullDevice
        try export.run()
        defer { if export.isRunning { export.terminate(); export.waitUntilExit() } }
        let fetcher = HTTPFetcher(timeout: 2)
        defer { try? DashboardTmuxTests.blocking { await fetcher.shutdown() } }
        func scrape() -> Bool {
            let r = try? DashboardTmuxTests.blocking { await fetcher.get("http://127.0.0.1:\(port)/metrics") }
            if case .success(let a)? = r { return a.status == 200 && a.body.count > 1000 }
            return false
        }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !scrape() { Thread.sleep(forTimeInterval: 0.2) }
        #expect(scrape())
        // A real second process pipelines the requests, then holds the connection unread.
        let flood = Process()
        flood.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        flood.arguments = ["python3", "-c", """
            import socket, time
            s = socket.create_connection(("127.0.0.1", \(port)))
            s.sendall(b"GET /metrics HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" * 50000)
            time.sleep(4)
            """]
        try flood.run()
        Thread.sleep(forTimeInterval: 3)
        let rss = Self.residentMB(pid: export.processIdentifier)
        #expect(scrape(), "a normal scrape is still answered")
        flood.waitUntilExit()
        #expect(rss != nil && rss! < 150, "export RSS \(rss ?? -1) MB while flooded")
    } }

    /// Resident memory of a process in MB, from /proc.
    static func residentMB(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kb / 1024
    }

    @Test func badListenAddressIsAUsageError() async throws { try await offThePool {
        let (code, _, err) = try TTSMonBinary.run(["export", "--log", "/dev/null", "--listen", "nowhere"])
        #expect(code == 2)
        #expect(err.contains("--listen 'nowhere'"))
    } }

    /// `/metrics` of an export on `port`, or "" when it does not answer 200.
    static func scrape(_ fetcher: HTTPFetcher, port: Int) -> String {
        let r = try? DashboardTmuxTests.blocking { await fetcher.get("http://127.0.0.1:\(port)/metrics") }
        if case .success(let a)? = r, a.status == 200 { return String(decoding: a.body, as: UTF8.self) }
        return ""
    }
}
