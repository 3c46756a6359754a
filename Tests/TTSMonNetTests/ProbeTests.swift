import Foundation
import Testing
import TTSMonCore
@testable import TTSMonNet

/// The prober against real HTTP servers on 127.0.0.1, one per behaviour.
@Suite(.serialized) struct ProbeTests {
    static let healthyBody = Array(#"{"status": "ok", "model_loaded": true}"#.utf8)

    static func server(health: HTTPReply, tts: HTTPReply) async throws -> HTTPServer {
        let server = HTTPServer { request in
            switch request.path {
            case "/health": return health
            case "/tts": return tts
            default: return .respond(status: 404, contentType: "text/plain", body: Array("not found".utf8))
            }
        }
        try await server.start()
        return server
    }

    static let okHealth = HTTPReply.respond(status: 200, contentType: "application/json", body: healthyBody)
    static let okTTS = HTTPReply.respond(status: 200, contentType: "audio/wav", body: ToneWAV.make())

    func target(_ name: String, _ server: HTTPServer) -> ProbeTarget {
        ProbeTarget(name: name, url: "http://127.0.0.1:\(server.port)")
    }

    @Test func healthyHTMLAnd500() async throws {
        let healthy = try await Self.server(health: Self.okHealth, tts: Self.okTTS)
        let html = try await Self.server(health: Self.okHealth,
                                         tts: .respond(status: 200, contentType: "text/html; charset=utf-8",
                                                       body: Array("<html><body>\u{1B}]0;x\u{07}502 Bad Gateway</body></html>".utf8)))
        let broken = try await Self.server(health: .respond(status: 500, contentType: "text/plain", body: Array("boom".utf8)),
                                           tts: .respond(status: 500, contentType: "application/json", body: Array(#"{"error":"oom"}"#.utf8)))
        let degraded = try await Self.server(health: .respond(status: 200, contentType: "application/json",
                                                              body: Array(#"{"status": "degraded", "model_loaded": false}"#.utf8)), tts: Self.okTTS)
        let prober = HTTPProber(timeout: .seconds(2))
        let results = await prober.probeAll([target("main", healthy), target("html", html), target("broken", broken), target("degraded", degraded)])
        await prober.shutdown()
        #expect(results[0].up)
        #expect(results[0].synthesis.audio?.hasPrefix("wav 16000 Hz") == true)
        #expect(results[0].health.status == 200)
        #expect(!results[1].up)
        #expect(results[1].health.ok)
        #expect(results[1].synthesis.error == "content type text/html")
        #expect(results[1].synthesis.snippet?.contains("502 Bad Gateway") == true)
        #expect(results[1].synthesis.snippet?.contains("\u{1B}") == false)
        #expect(results[2].health.error == "HTTP 500")
        #expect(results[2].synthesis.error == "HTTP 500")
        #expect(!results[3].up)
        #expect(results[3].health.error == "status \"degraded\"")
        #expect(results[3].synthesis.ok)
        for s in [healthy, html, broken, degraded] { await s.stop() }
    }

    @Test func emptyWAVClosedPortAndOversizedBody() async throws {
        let empty = try await Self.server(health: Self.okHealth, tts: .respond(status: 200, contentType: "audio/wav", body: ToneWAV.emptyHeader))
        let closed = try await Self.server(health: Self.okHealth, tts: Self.okTTS)
        let closedTarget = target("closed", closed)
        await closed.stop()
        var huge = ToneWAV.make(seconds: 1)
        huge += [UInt8](repeating: 0, count: 11 << 20)
        let big = try await Self.server(health: Self.okHealth, tts: .respond(status: 200, contentType: "audio/wav", body: huge))
        let prober = HTTPProber(timeout: .seconds(3))
        let results = await prober.probeAll([target("empty", empty), closedTarget, target("big", big)])
        await prober.shutdown()
        #expect(results[0].synthesis.error == "invalid audio: WAV header with no samples")
        #expect(results[1].health.error == "connection refused")
        #expect(results[1].synthesis.error == "connection refused")
        #expect(!results[2].up)
        #expect(results[2].synthesis.bytes == HTTPProber.bodyLimit)
        #expect(results[2].synthesis.error?.contains("larger than 10 MB") == true)
        await empty.stop(); await big.stop()
    }

    @Test func sevenTargetsWithTwoHangingFinishInAboutOneTimeout() async throws {
        var servers: [HTTPServer] = []
        for i in 0..<7 {
            let hang = i == 2 || i == 5
            servers.append(try await Self.server(health: hang ? .hang : Self.okHealth, tts: hang ? .hang : Self.okTTS))
        }
        let prober = HTTPProber(timeout: .seconds(1))
        let clock = ContinuousClock()
        let start = clock.now
        let results = await prober.probeAll(servers.enumerated().map { target("t\($0.offset)", $0.element) })
        let elapsed = clock.now - start
        await prober.shutdown()
        #expect(results.filter(\.up).count == 5)
        #expect(results[2].health.error == "timeout after 1 s")
        #expect(results[5].synthesis.error == "timeout after 1 s")
        #expect(elapsed < .milliseconds(2500), "a round takes about one timeout, not one per hanging target")
        for s in servers { await s.stop() }
    }

    @Test func slowAnswerWithinTheTimeoutIsFine() async throws {
        let slow = try await Self.server(health: Self.okHealth,
                                         tts: .respond(status: 200, contentType: "audio/wav", body: ToneWAV.make(), delay: .milliseconds(300)))
        let prober = HTTPProber(timeout: .seconds(2))
        let result = await prober.probe(target("slow", slow))
        await prober.shutdown()
        #expect(result.up)
        #expect((result.synthesis.ms ?? 0) >= 300)
        await slow.stop()
    }
}

@Suite struct ServerStopTests {
    @Test func stopCutsKeptAliveConnections() async throws {
        let server = try await ProbeTests.server(health: ProbeTests.okHealth, tts: ProbeTests.okTTS)
        let prober = HTTPProber(timeout: .seconds(1))
        let target = ProbeTarget(name: "main", url: "http://127.0.0.1:\(server.port)")
        #expect(await prober.probe(target).up)
        await server.stop()
        let after = await prober.probe(target)
        await prober.shutdown()
        #expect(!after.up, "a stopped server must not answer on kept-alive connections")
    }
}
