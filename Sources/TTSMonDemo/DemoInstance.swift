import Foundation
import TTSMonCore
import TTSMonNet

/// The faults an instance can suffer (the demo's keys).
public struct DemoFaults: Sendable, Equatable {
    public var slow = false
    public var errorBurst = false
    public var cacheClimb = false
    public var killed = false
    public var html = false
    public init() {}
}

/// One embedded TTS service: answers `GET /health` and `POST /tts` like the seeds' services (a
/// real WAV after a realistic latency, per-stage timings, cache hits, the seed's error codes),
/// and writes its IndexTTS log.
public final class DemoInstance: @unchecked Sendable {
    public let name: String
    public let logPath: String
    let log: RotatingLogWriter
    let lock = NSLock()
    var faults = DemoFaults()
    var server: HTTPServer?
    public private(set) var port: Int
    var rng = SystemRandomNumberGenerator()
    var cachePercent = 71.0
    var sequence = 0
    static let wav = ToneWAV.make(seconds: 0.3)

    init(name: String, directory: String, port: Int, rotateBytes: Int) {
        self.name = name
        self.port = port
        logPath = directory + "/\(name).log"
        log = RotatingLogWriter(path: logPath, maxBytes: rotateBytes)
    }

    public var currentFaults: DemoFaults { lock.lock(); defer { lock.unlock() }; return faults }

    func update(_ change: (inout DemoFaults) -> Void) { lock.lock(); change(&faults); lock.unlock() }

    /// Starts (or restarts) listening on its port.
    func start() async throws {
        let server = HTTPServer { [weak self] request in self?.answer(request) ?? .respond(status: 503, contentType: "text/plain", body: []) }
        port = try await server.start(port: port)
        lock.withLock { self.server = server }
    }

    /// Kills it: the port refuses connections.
    func kill() async {
        let s = lock.withLock { () -> HTTPServer? in let s = server; server = nil; faults.killed = true; return s }
        await s?.stop()
        log.write([("app.main", "ERROR", "worker exited: SIGKILL")])
    }

    func stop() async {
        let s = lock.withLock { () -> HTTPServer? in let s = server; server = nil; return s }
        await s?.stop()
        log.close()
    }

    func answer(_ request: HTTPRequestInfo) -> HTTPReply {
        let f = currentFaults
        switch (request.method, request.path) {
        case ("GET", "/health"):
            return .respond(status: 200, contentType: "application/json", body: Array(#"{"status": "ok", "model_loaded": true}"#.utf8))
        case ("POST", "/tts"):
            if f.html {
                return .respond(status: 200, contentType: "text/html; charset=utf-8",
                                body: Array("<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>nginx</body></html>".utf8))
            }
            return synthesize(request, faults: f)
        default:
            return .respond(status: 404, contentType: "application/json", body: Array(#"{"error": "not found"}"#.utf8))
        }
    }

    func synthesize(_ request: HTTPRequestInfo, faults f: DemoFaults) -> HTTPReply {
        let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
        let text = (object?["text"] as? String) ?? ""
        let voice = (object?["voice"] as? String) ?? "female"
        lock.lock()
        sequence += 1
        // The router's X-Request-ID, as a well-behaved service keeps it; else one of its own.
        let given = request.headers.first { $0.0.lowercased() == "x-request-id" }?.1
        let id = given.flatMap { isValidRequestID($0) ? $0 : nil }
            ?? String(format: "ts_%08x", UInt32(truncatingIfNeeded: sequence &* 2_654_435_761 ^ (name == "main" ? 0 : 0x5A5A)))
        var g = rng
        lock.unlock()
        let length = text.unicodeScalars.count
        let cacheHit = length < 20 && Double.random(in: 0..<1, using: &g) < 0.25
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        var lines: [(logger: String, level: String, message: String)] = [
            ("app.tts_engine", "INFO", "synthesis_start: id=\(id), text=\"\(escaped)\", text_len=\(length), lang=\(text.unicodeScalars.contains { $0.value > 0x2E80 } ? "zh" : "en"), voice=\(voice), duration_ms=0, cache_hit=\(cacheHit)"),
        ]
        // Per-stage timings: llm_inference dominates, long texts are slower, `1` makes it ×5.
        let slow = f.slow ? 5.0 : 1.0
        let lognormal = exp(Double.random(in: -0.5...0.5, using: &g) + Double.random(in: -0.3...0.3, using: &g))
        let stages: [(PipelineStage, Int)] = cacheHit
            ? [(.textNormalize, Int.random(in: 2...6, using: &g)), (.audioRender, Int.random(in: 20...50, using: &g))]
            : [(.textNormalize, Int.random(in: 3...12, using: &g)), (.llmPromptGen, Int.random(in: 10...30, using: &g)),
               (.llmInference, Int((350 + Double(length) * 4) * lognormal * slow)), (.llmPostproc, Int.random(in: 20...60, using: &g)),
               (.audioRender, Int.random(in: 30...90, using: &g))]
        let errorRate = f.errorBurst ? 0.2 : 0.01
        var failure: (String, Int)?
        if !cacheHit, Double.random(in: 0..<1, using: &g) < errorRate {
            failure = Bool.random(using: &g) ? ("SCIPY_FFT_INVALID", 3) : ("MODEL_LOAD_TIMEOUT", 2)
        }
        log.write([lines.removeFirst()])   // the start is logged when the request arrives
        var total = 0
        for (i, (stage, ms)) in stages.enumerated() {
            if let failure, i == failure.1 { break }
            total += ms
            lines.append(("app.tts_engine", "INFO", "stage_time: stage=\(stage.name), id=\(id), duration_ms=\(ms)"))
        }
        total += Int.random(in: 2...8, using: &g)
        if let (code, index) = failure {
            let failedStage = stages[min(index, stages.count - 1)].0.name
            lines.append(("app.tts_engine", "ERROR", "synthesis_failed: id=\(id), error_code=\(code), \(code == "SCIPY_FFT_INVALID" ? "Invalid input to scipy.fft" : "Model load timed out")"))
            let trace = ["Traceback (most recent call last):", "  File \"/app/app/tts_engine.py\", line 387, in synthesize",
                         code == "SCIPY_FFT_INVALID" ? "RuntimeWarning: invalid value encountered in true_divide" : "TimeoutError: model load exceeded 3.0s"]
            lines.append(("app.tts_engine", "INFO", "synthesis_complete: id=\(id), status=failed, duration_ms=\(total), error_code=\(code), model_stage=\(failedStage)"))
            let body = Array("{\"error\": \"\(code)\", \"id\": \"\(id)\"}".utf8)
            let delay = Duration.milliseconds(total)
            let lines = lines
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(total)) { [log] in
                log.write(Array(lines.prefix(lines.count - 2)))
                log.write([lines[lines.count - 2]], extra: trace)
                log.write([lines[lines.count - 1]])
            }
            return .respond(status: 500, contentType: "application/json", body: body, delay: delay)
        }
        lines.append(("app.tts_engine", "INFO", "synthesis_complete: id=\(id), status=success, duration_ms=\(total), audio_size_kb=\(40 + length * 3), cache_saved=\(!cacheHit), model_stage=audio_render"))
        let finished = lines
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(total)) { [log] in log.write(finished) }
        return .respond(status: 200, contentType: "audio/wav", body: DemoInstance.wav, delay: .milliseconds(total))
    }

    /// A cache reading (every few seconds): steady around 70 %, or climbing past 90 % under `3`.
    func cacheTick() {
        let f = currentFaults
        lock.lock()
        cachePercent = f.cacheClimb ? min(97.5, cachePercent + 1.5) : max(68, min(75, cachePercent + Double.random(in: -0.4...0.4)))
        let used = cachePercent
        lock.unlock()
        let level = used > 90 ? "WARNING" : "INFO"
        log.write([("app.cache", level, String(format: "cache_dir_usage: path=/app/cache, used_percent=%.1f, threshold=90.0, action=%@", used, used > 90 ? "warn" : "none"))])
    }
}
