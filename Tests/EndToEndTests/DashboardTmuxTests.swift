import Foundation
import Testing
import TTSMonCore
import TTSMonNet

/// The real dashboard in tmux, as an on-call engineer uses it.
@Suite(.serialized) struct DashboardTmuxTests {
    static func healthyServer() async throws -> HTTPServer {
        let server = HTTPServer { request in
            request.path == "/health"
                ? .respond(status: 200, contentType: "application/json", body: Array(#"{"status":"ok","model_loaded":true}"#.utf8))
                : .respond(status: 200, contentType: "audio/wav", body: ToneWAV.make(seconds: 0.05))
        }
        try await server.start()
        return server
    }

    /// Runs async work to completion from synchronous test code (Process and tmux calls block,
    /// which async tests must not do).
    ///
    /// The work runs on a thread of its own (`TestExecutor`), not on the shared cooperative pool:
    /// with two cores the pool has two threads, and two tests waiting here for tasks that need
    /// those very threads would wait forever.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task.detached(executorPreference: TestExecutor.shared) {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    final class ResultBox<T>: @unchecked Sendable { var result: Result<T, Error>? }

    func run(term: String, lang: String) throws {
        let dir = ScratchDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 3000)
        options.rotate = 3
        options.incident = true
        let truth = try LogGenerator.generate(options)
        let oldest = try #require(truth.requests.first { $0.file == truth.files.last && !$0.stages.isEmpty })
        let main = try Self.blocking { try await Self.healthyServer() }
        let standby = try Self.blocking { try await Self.healthyServer() }
        let tmux = Tmux()
        defer { tmux.kill() }
        let command = "\(TTSMonBinary.url.path) dashboard --log \(dir.path)/app.log --probe main=http://127.0.0.1:\(main.port) "
            + "--probe standby=http://127.0.0.1:\(standby.port) --probe-interval 1 --timeout 1 --window 15m; echo EXIT=$?; sleep 60"
        tmux.start(command, env: ["TERM": term, "LANG": lang, "LC_ALL": lang, "XDG_CONFIG_HOME": dir.path])
        let titleBefore = tmux.title

        // The overview: p95 and the error codes of the log.
        var screen = tmux.waitFor { $0.contains("p95") && $0.contains("main") && $0.contains("active") }
        #expect(screen.contains("p95"))
        let topCode = try #require(truth.requests.filter { $0.status == "failed" && $0.file == "app.log" }.compactMap(\.errorCode).first)
        _ = topCode
        #expect(screen.contains("MODEL_LOAD_TIMEOUT") || screen.contains("SCIPY_FFT_INVALID") || screen.contains("TEXT_EMPTY"))
        #expect(screen.split(separator: "\n").contains { $0.contains("main") && $0.contains("active") })

        // Kill main: standby becomes active.
        try Self.blocking { await main.stop() }
        screen = tmux.waitFor { s in s.split(separator: "\n").contains { $0.contains("standby") && $0.contains("active") } }
        #expect(screen.split(separator: "\n").contains { $0.contains("standby") && $0.contains("active") }, "standby active after main dies")

        // A request that lives only in the oldest rotated .gz: all its stages.
        tmux.keys("/")
        tmux.literal(oldest.id)
        tmux.keys("Enter")
        screen = tmux.waitFor { s in s.contains("Request \(oldest.id)") && s.contains(truth.files.last!) && oldest.stages.allSatisfy { s.contains($0.stage) } }
        #expect(screen.contains("Request \(oldest.id)"))
        for stage in oldest.stages { #expect(screen.contains(stage.stage), "stage \(stage.stage) shown") }
        #expect(screen.contains(truth.files.last!), "the file it came from")

        // Esc returns to the overview.
        tmux.keys("Escape")
        screen = tmux.waitFor { $0.contains("Latency") && $0.contains("Stages") }
        #expect(screen.contains("Latency"))

        // A hostile line that tries to set the window title; shown in the live log view.
        let handle = try #require(FileHandle(forWritingAtPath: dir.path + "/app.log"))
        handle.seekToEndOfFile()
        handle.write(Data("2024-06-12 09:00:00,000 - app - WARNING - evil \u{1B}]0;pwned\u{07} title \u{1B}[2J\n".utf8))
        try handle.close()
        tmux.keys("l")
        screen = tmux.waitFor { $0.contains("evil") }
        #expect(screen.contains("evil"))
        #expect(!tmux.title.contains("pwned"))
        #expect(tmux.title == titleBefore)
        tmux.keys("Escape")

        // Resize below the minimum and back.
        tmux.resize(50, 12)
        screen = tmux.waitFor { $0.contains("too small") }
        #expect(screen.contains("too small"))
        tmux.resize(150, 45)
        screen = tmux.waitFor { $0.contains("Latency") }
        #expect(screen.contains("Latency"))

        // q quits with 0 and restores the terminal.
        tmux.keys("q")
        screen = tmux.waitFor { $0.contains("EXIT=") }
        #expect(screen.contains("EXIT=0"))
        try Self.blocking { await standby.stop() }
    }

    /// Issue 9: a Prometheus that never answers: the fleet dashboard stays responsive, says so,
    /// and still finds requests in the local log given with `--log`.
    @Test(.enabled(if: Tmux.available, "tmux is not installed")) func hangingPrometheusNeverFreezesTheScreen() async throws { try await offThePool {
        let dir = ScratchDir()
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 500)
        options.hostile = false
        let truth = try LogGenerator.generate(options)
        let hanging = HTTPServer { _ in .hang }
        _ = try Self.blocking { try await hanging.start() }
        defer { try? Self.blocking { await hanging.stop() } }
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) dashboard --prometheus http://127.0.0.1:\(hanging.port) --timeout 1 --log \(dir.path)/app.log; echo EXIT=$?; sleep 60",
                   env: ["XDG_CONFIG_HOME": dir.path])
        var screen = tmux.waitFor(10) { $0.contains("Instances") }
        #expect(screen.contains("prometheus 127.0.0.1"))
        // Queries time out after 1 s: the footer says Prometheus is unreachable.
        screen = tmux.waitFor(10) { $0.contains("prometheus unreachable") }
        #expect(screen.contains("prometheus unreachable"))
        // Keys still work at once: help opens and closes, a request id from the log opens.
        let started = Date()
        tmux.keys("?")
        screen = tmux.waitFor(5) { $0.contains("Keys — any key closes") }
        #expect(screen.contains("Keys — any key closes"))
        #expect(Date().timeIntervalSince(started) < 3)
        tmux.keys("Escape")
        let id = try #require(truth.requests.last?.id)
        tmux.keys("/")
        tmux.literal(id)
        tmux.keys("Enter")
        screen = tmux.waitFor(10) { $0.contains("request \(id)") && $0.contains("synthesis_complete") }
        #expect(screen.contains("synthesis_complete"), "the request from --log opens")
        tmux.keys("Escape")
        tmux.keys("q")
        screen = tmux.waitFor(10) { $0.contains("EXIT=") }
        #expect(screen.contains("EXIT=0"))
    } }

    @Test(.enabled(if: Tmux.available, "tmux is not installed")) func overviewFailoverHistoryTitleResizeQuit() async throws { try await offThePool {
        try run(term: "xterm-256color", lang: "C.UTF-8")
    } }

    @Test(.enabled(if: Tmux.available, "tmux is not installed")) func worksUnderVT100AndTheCLocale() async throws { try await offThePool {
        try run(term: "vt100", lang: "C")
    } }
}
