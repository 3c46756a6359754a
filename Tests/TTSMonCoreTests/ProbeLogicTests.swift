import Testing
@testable import TTSMonCore

@Suite struct ProbeLogicTests {
    @Test func parsesTargets() {
        guard case .success(let t) = ProbeTarget.parse("main=http://127.0.0.1:8000/") else { Issue.record("valid"); return }
        #expect(t.name == "main" && t.url == "http://127.0.0.1:8000")
        for bad in ["main", "=http://x", "main=ftp://x", "main=not a url", "m a=http://x"] {
            if case .success = ProbeTarget.parse(bad) { Issue.record("accepted \(bad)") }
        }
    }

    @Test func healthRules() {
        #expect(ResponseChecks.health(status: 200, body: Array(#"{"status":"ok","model_loaded":true}"#.utf8), ms: 1).ok)
        #expect(ResponseChecks.health(status: 200, body: Array(#"{"status":"ok"}"#.utf8), ms: 1).ok)
        #expect(ResponseChecks.health(status: 200, body: Array(#"{"status":"ok","model_loaded":false}"#.utf8), ms: 1).error == "model_loaded is not true")
        #expect(ResponseChecks.health(status: 200, body: Array("<html>".utf8), ms: 1).error == "bad JSON")
        #expect(ResponseChecks.health(status: 503, body: [], ms: 1).error == "HTTP 503")
    }

    @Test func audioRules() {
        let wav = ToneWAVForTests.make()
        #expect(ResponseChecks.synthesis(status: 200, contentType: "audio/wav", body: wav, ms: 1).ok)
        // Streamed WAV: placeholder sizes larger than the body, one sample after the header.
        var streamed = Array(wav.prefix(46))
        streamed.replaceSubrange(4..<8, with: [0x00, 0xF0, 0xFF, 0x7F])
        streamed.replaceSubrange(40..<44, with: [0x00, 0xF0, 0xFF, 0x7F])
        #expect(ResponseChecks.synthesis(status: 200, contentType: "audio/x-wav", body: streamed, ms: 1).ok)
        #expect(!ResponseChecks.synthesis(status: 200, contentType: "audio/wav", body: Array(wav.prefix(44)), ms: 1).ok)
        #expect(ResponseChecks.synthesis(status: 200, contentType: "application/json", body: Array("{}".utf8), ms: 1).error == "content type application/json")
        #expect(ResponseChecks.synthesis(status: 200, contentType: "audio/mpeg", body: [0xFF, 0xFB, 0x90, 0x44, 0, 0], ms: 1).ok)
        #expect(!ResponseChecks.synthesis(status: 200, contentType: "audio/mpeg", body: Array("<html>".utf8), ms: 1).ok)
        #expect(!ResponseChecks.synthesis(status: 200, contentType: "audio/wav", body: [], ms: 1).ok)
    }

    func result(_ name: String, up: Bool) -> ProbeResult {
        ProbeResult(target: ProbeTarget(name: name, url: "http://x"), health: HealthCheck(ok: up),
                    synthesis: SynthesisCheck(ok: up, error: up ? nil : "connection refused"))
    }

    func t(_ s: Int) -> LogTimestamp { LogTimestamp(milliseconds: Int64(s) * 1000) }

    @Test func switchesToStandbyAndFailsBackAutomatically() {
        var s = FailoverState(targets: ["main", "standby"], failAfter: 2, failbackAfter: 2, mode: .auto)
        #expect(s.active == "main")
        #expect(s.record([result("main", up: false), result("standby", up: true)], at: t(5)) == nil, "one failure is not enough")
        let down = s.record([result("main", up: false), result("standby", up: true)], at: t(10))
        #expect(down?.to == "standby")
        #expect(down?.reason.contains("connection refused") == true)
        #expect(s.record([result("main", up: true), result("standby", up: true)], at: t(15)) == nil, "needs two good probes")
        let back = s.record([result("main", up: true), result("standby", up: true)], at: t(20))
        #expect(back?.to == "main")
        #expect(s.timeline.count == 2)
    }

    @Test func manualFailbackWaitsForTheKey() {
        var s = FailoverState(targets: ["main", "standby"], mode: .manual)
        _ = s.record([result("main", up: false), result("standby", up: true)], at: t(5))
        #expect(s.active == "standby")
        _ = s.record([result("main", up: true), result("standby", up: true)], at: t(10))
        _ = s.record([result("main", up: true), result("standby", up: true)], at: t(15))
        #expect(s.active == "standby")
        #expect(s.failbackPending)
        #expect(s.failBackToMain(at: t(16))?.origin == .manual)
        #expect(s.active == "main")
        // Standby failing while main is down: nothing is up.
        _ = s.record([result("main", up: false), result("standby", up: false)], at: t(20))
        #expect(s.active == nil)
        // Standby back: traffic goes there even in manual mode.
        _ = s.record([result("main", up: false), result("standby", up: true)], at: t(25))
        #expect(s.active == "standby")
    }

    @Test func mergesRouterLogLines() {
        var s = FailoverState(targets: ["main", "standby"])
        let event = FailoverEvent(time: t(3), from: "main", to: "standby", message: "main instance failed, switching to standby")
        s.noteLogged(event)
        s.noteLogged(event)
        #expect(s.timeline.count == 1)
        #expect(s.timeline.first?.origin == .log)
        #expect(s.active == "standby")
    }
}

/// A tiny WAV builder for core tests (the real one lives in TTSMonNet).
enum ToneWAVForTests {
    static func make(samples: Int = 100) -> [UInt8] {
        var out = [UInt8]()
        func u32(_ v: Int) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 24) & 0xFF)] }
        func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        out += Array("RIFF".utf8); u32(36 + samples * 2); out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(16000); u32(32000); u16(2); u16(16)
        out += Array("data".utf8); u32(samples * 2)
        out += [UInt8](repeating: 1, count: samples * 2)
        return out
    }
}
