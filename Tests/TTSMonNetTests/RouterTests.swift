import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import TTSMonCore
import TTSMonNet

/// Issue 17 (first part): `ttsmon router` routes to main while it passes the synthesis probe,
/// else standby, streams answers back, round-trips ids, and logs every request in the seed's
/// layout so `report` counts what the clients saw.
@Suite(.serialized) struct RouterTests {
    /// The router's lines are the seed's: the parser reads back what it wrote.
    @Test func recordsReadBackAsTheSeedsEvents() {
        let parser = LineParser(format: .indexTTS, captureText: true)
        let start = "2024-06-12 14:22:37,892 - router - INFO - " + RouterRecords.start(
            id: "ts_0000abcd", text: "你好, \"quoted\" \\ text", voice: "alloy", upstream: "main", path: "/tts?x=1")
        guard case .record(let s) = parser.parse(start) else { Issue.record("start not read: \(start)"); return }
        #expect(s.event == .synthesisStart && s.id == "ts_0000abcd" && s.text == "你好, \"quoted\" \\ text" && s.voice == "alloy")
        let done = "2024-06-12 14:22:38,100 - router - ERROR - " + RouterRecords.complete(.init(
            id: "ts_0000abcd", upstream: "standby", httpStatus: 502, durationMs: 208, ttfbMs: 40, bytes: 2048, audioMs: 1500, errorCode: "HTTP_502"))
        guard case .record(let c) = parser.parse(done) else { Issue.record("complete not read: \(done)"); return }
        #expect(c.event == .synthesisComplete && c.status == .failed && c.errorCode == "HTTP_502" && c.durationMs == 208 && c.audioMs == 1500)
        #expect(RouterRecords.requestID(fromHeader: "client-42") == "client-42")
        #expect(RouterRecords.requestID(fromHeader: "bad id!", random: { 0xAB }) == "ts_000000ab")
        #expect(RouterRecords.bodyFields(Array(#"{"text": "今天", "voice": "female"}"#.utf8)) == ("今天", "female"))
        #expect(RouterRecords.wavMilliseconds(ToneWAV.make(seconds: 0.25)) == 250)
        #expect(RouterRecords.answerCode(status: 200, contentType: "application/json", synthesis: true) == "NOT_AUDIO")
        #expect(RouterRecords.isProbe(method: "GET", path: "/health?full=1") && !RouterRecords.isProbe(method: "POST", path: "/health"))
    }

    final class Upstream: @unchecked Sendable {
        let server: HTTPServer
        let name: String
        init(name: String) { self.name = name
            server = HTTPServer { request in
                if request.path == "/health" { return .respond(status: 200, contentType: "application/json", body: Array(#"{"status":"ok","model_loaded":true}"#.utf8)) }
                if request.path == "/fail" { return .respond(status: 500, contentType: "application/json", body: Array(#"{"error":"boom"}"#.utf8)) }
                return .respond(status: 200, contentType: "audio/wav", body: ToneWAV.make(seconds: 0.1))
            }
        }
    }

    @Test func routesFailsOverAndLogsWhatClientsSaw() async throws {
        let dir = NSTemporaryDirectory() + "ttsmon-router-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let main = Upstream(name: "main"), standby = Upstream(name: "standby")
        let mainPort = try await main.server.start(), standbyPort = try await standby.server.start()
        var options = TTSRouter.Options(targets: [ProbeTarget(name: "main", url: "http://127.0.0.1:\(mainPort)"),
                                                  ProbeTarget(name: "standby", url: "http://127.0.0.1:\(standbyPort)")])
        options.probeInterval = 0.2
        options.probeTimeout = 5
        let log = dir + "/router.log"
        let router = TTSRouter(options: options, logPath: log)
        let port = try await router.start()
        let client = HTTPClient.bounded(connect: .seconds(10), read: .seconds(30))
        do {
            try await drive(client: client, router: router, port: port, main: main, log: log)
        } catch {
            try? await client.shutdown(); await router.stop(); await main.server.stop(); await standby.server.stop()
            throw error
        }
        try await client.shutdown()
        await router.stop()
        await standby.server.stop()
        // The log: the seed's failover line, and report's totals equal what the client saw.
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("main instance failed, switching to standby"))
        #expect(text.contains("id=client-1"))
        let summary = ReportSummary(try ReportRunner.run(ReportOptions(inputs: [LogInput(path: log)])))
        #expect(summary.total == 27 && summary.success == 25 && summary.failed == 2, "\(summary.total) \(summary.success) \(summary.failed)")
        #expect(summary.errors.first?.code == "HTTP_500" && summary.serverErrors == 2)
        #expect(summary.failovers.count == 1 && summary.failovers.first?.to == "standby")
        #expect(summary.warnings.isEmpty, "\(summary.warnings)")
    }

    /// Clients' requests through the router: ids, main, then standby once main dies.
    func drive(client: HTTPClient, router: TTSRouter, port: Int, main: Upstream, log: String) async throws {
        func post(_ path: String, id: String? = nil) async throws -> (Int, String?, Int) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            if let id { request.headers.add(name: "X-Request-ID", value: id) }
            request.body = .bytes(ByteBuffer(string: #"{"text": "你好，世界", "voice": "female"}"#))
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), response.headers.first(name: "X-Request-ID"), body.readableBytes)
        }
        // Wait for the first probe round.
        for _ in 0..<200 where router.active == nil { try await Task.sleep(for: .milliseconds(100)) }
        #expect(router.active == "main")
        var sawOK = 0, sawFailed = 0
        let (status, echoed, bytes) = try await post("/tts", id: "client-1")
        #expect(status == 200 && echoed == "client-1" && bytes == ToneWAV.make(seconds: 0.1).count)
        sawOK += 1
        for _ in 0..<9 { let (s, _, _) = try await post("/tts"); if s == 200 { sawOK += 1 } else { sawFailed += 1 } }
        for _ in 0..<2 { let (s, _, _) = try await post("/fail"); if s == 200 { sawOK += 1 } else { sawFailed += 1 } }
        // Main dies: requests keep being answered (refused connections go to standby at once),
        // and the next probe round moves traffic.
        await main.server.stop()
        for _ in 0..<10 { let (s, _, _) = try await post("/tts"); if s == 200 { sawOK += 1 } else { sawFailed += 1 } }
        for _ in 0..<200 where router.active != "standby" { try await Task.sleep(for: .milliseconds(100)) }
        #expect(router.active == "standby")
        for _ in 0..<5 { let (s, _, _) = try await post("/tts"); if s == 200 { sawOK += 1 } else { sawFailed += 1 } }
        #expect(sawOK == 25 && sawFailed == 2, "only the upstream's own 500s failed: \(sawOK) ok, \(sawFailed) failed")
        // Status and manual failback answer on loopback.
        var statusRequest = HTTPClientRequest(url: "http://127.0.0.1:\(port)/admin/status")
        statusRequest.method = .GET
        let statusBody = try await client.execute(statusRequest, timeout: .seconds(30)).body.collect(upTo: 1 << 16)
        #expect(String(buffer: statusBody).contains(#""active": "standby""#))
    }

    /// `raw` on a thread of its own: a blocking socket must not hold one of the cooperative
    /// pool's two threads, which the router's own tasks need (and other tests hold).
    static func raw(_ bytes: [UInt8], port: Int) async -> String {
        await withCheckedContinuation { done in
            Thread.detachNewThread { done.resume(returning: blockingRaw(bytes, port: port)) }
        }
    }

    /// `raw`, and when the answer's first bytes came and the server closed (seen on the
    /// client's thread).
    static func rawTimed(_ bytes: [UInt8], port: Int) async -> (String, first: Date, closed: Date) {
        await withCheckedContinuation { done in
            Thread.detachNewThread {
                let fd = LoopbackSocket.connect(port: port)
                guard fd >= 0 else { return done.resume(returning: ("no connection", Date(), Date())) }
                defer { close(fd) }
                LoopbackSocket.sendAll(fd, bytes)
                var buffer = [UInt8](repeating: 0, count: 65536)
                let n = recv(fd, &buffer, buffer.count, 0)
                let first = Date()
                let answer = String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self) + (n > 0 ? LoopbackSocket.readAll(fd) : "")
                done.resume(returning: (answer, first, Date()))
            }
        }
    }

    /// Sends raw bytes and reads the answer until the server closes (or 30 s pass).
    static func blockingRaw(_ bytes: [UInt8], port: Int) -> String {
        let fd = LoopbackSocket.connect(port: port)
        guard fd >= 0 else { return "no connection" }
        defer { close(fd) }
        LoopbackSocket.sendAll(fd, bytes)
        return LoopbackSocket.readAll(fd)
    }

    /// Malformed HTTP gets 400 and a closed connection, an oversized header block 431, and the
    /// router serves the next client as before.
    @Test func badInputNeverStopsTheRouter() async throws {
        let router = TTSRouter(options: TTSRouter.Options(targets: [ProbeTarget(name: "main", url: "http://127.0.0.1:9")]), logPath: nil)
        let port = try await router.start()
        let garbage = await Self.raw(Array("GARBAGE\u{0}\u{1}\r\n\r\n".utf8), port: port)
        #expect(garbage.hasPrefix("HTTP/1.1 400 Bad Request") && garbage.contains("Connection: close"), "\(garbage)")
        let big = await Self.raw(Array(("GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: 200_000) + "\r\n\r\n").utf8), port: port)
        #expect(big.hasPrefix("HTTP/1.1 431"), "\(big.prefix(80))")
        let status = await Self.raw(Array("GET /admin/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8), port: port)
        #expect(status.hasPrefix("HTTP/1.1 200 OK") && status.contains(#""targets""#), "\(status)")
        let unreachable = await Self.raw(Array("POST /tts HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".utf8), port: port)
        #expect(unreachable.hasPrefix("HTTP/1.1 503") && unreachable.contains("UPSTREAM_UNREACHABLE"), "\(unreachable)")
        await router.stop()
    }

    /// An upstream that answers the probes, then starts a synthesis answer and stalls.
    final class StallingUpstream: @unchecked Sendable {
        let listener: RawListener
        var port: Int { listener.port }
        init() throws { listener = try RawListener(serve: Self.serve) }
        func stop() { listener.stop() }

        static func serve(_ fd: Int32) {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return }
            let head = String(decoding: buffer[0..<n], as: UTF8.self)
            func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            if head.hasPrefix("GET /health") {
                let body = Array(#"{"status":"ok","model_loaded":true}"#.utf8)
                send(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body)
                return
            }
            let wav = ToneWAV.make(seconds: 0.1)
            if head.contains("X-Probe") || !head.contains("X-Request-ID: stall") {
                send(Array("HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: \(wav.count)\r\nConnection: close\r\n\r\n".utf8) + wav)
                return
            }
            send(Array("HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: \(wav.count)\r\nConnection: close\r\n\r\n".utf8) + Array(wav.prefix(100)))
            Thread.sleep(forTimeInterval: 5)
        }
    }

    /// An answer that stops between chunks is cut after the idle timeout and logged as
    /// UPSTREAM_TIMEOUT; the client sees a short body, not a hang. The watchdog closes the
    /// client's channel itself: a CI run whose cooperative pool was busy saw a cut that waited
    /// for the relay's task take 7 s. (Holding the pool's threads in this test showed it, and
    /// was dropped: other tests' servers share the pool.)
    @Test func anAnswerThatStallsIsCutAfterTheIdleTimeout() async throws {
        let upstream = try StallingUpstream()
        defer { upstream.stop() }
        let dir = NSTemporaryDirectory() + "ttsmon-router-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = TTSRouter.Options(targets: [ProbeTarget(name: "main", url: "http://127.0.0.1:\(upstream.port)")])
        options.idleTimeout = .milliseconds(500)
        let log = dir + "/router.log"
        let router = TTSRouter(options: options, logPath: log)
        let port = try await router.start()
        // Timed on the client's thread from the answer's first bytes (the stall's start): a
        // task awaiting it would wait for the pool as well.
        let (cut, first, ended) = await Self.rawTimed(Array("POST /tts HTTP/1.1\r\nHost: a\r\nX-Request-ID: stall\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".utf8), port: port)
        let waited = ended.timeIntervalSince(first)
        await router.stop()
        #expect(cut.hasPrefix("HTTP/1.1 200 OK"), "\(cut.prefix(80))")
        #expect(waited < 4, "cut after the idle timeout, not when the upstream gave up (\(waited) s)")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("id=stall, status=failed") && text.contains("error_code=UPSTREAM_TIMEOUT"), "\(text)")
    }
}
