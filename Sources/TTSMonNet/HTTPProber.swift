import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TTSMonCore

/// Probes TTS instances over HTTP with AsyncHTTPClient: `GET /health` and a real `POST /tts`,
/// each bounded by one timeout that covers connect, headers and body; bodies are read to at most
/// 10 MB; redirects are not followed. All targets of a round run concurrently.
public final class HTTPProber: Sendable {
    public static let bodyLimit = 10 << 20
    let client: HTTPClient
    public let timeout: Duration
    public let text: String
    public let voice: String

    public init(timeout: Duration = .seconds(3), text: String = "好", voice: String = "female") {
        let ms = Int64(timeout.wholeMilliseconds)
        // Pooled connections idle for more than a second are closed: a server's keep-alive
        // timeout (uvicorn's is 5 s, the probe interval's default) never races a probe, and each
        // round at the usual interval tests a fresh connect, as a client would meet it.
        client = .bounded(connect: .milliseconds(ms), read: .milliseconds(ms), idle: .seconds(1))
        self.timeout = timeout
        self.text = text
        self.voice = voice
    }

    /// Closes connections; call once when done.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// One round over every target, concurrently; results in target order.
    public func probeAll(_ targets: [ProbeTarget]) async -> [ProbeResult] {
        await withTaskGroup(of: (Int, ProbeResult).self) { group in
            for (i, target) in targets.enumerated() {
                group.addTask { (i, await self.probe(target)) }
            }
            var results = [ProbeResult?](repeating: nil, count: targets.count)
            for await (i, result) in group { results[i] = result }
            return results.map { $0! }
        }
    }

    /// Both checks of one target, concurrently.
    public func probe(_ target: ProbeTarget) async -> ProbeResult {
        async let health = checkHealth(target)
        async let synthesis = checkSynthesis(target)
        return await ProbeResult(target: target, health: health, synthesis: synthesis)
    }

    func checkHealth(_ target: ProbeTarget) async -> HealthCheck {
        var request = HTTPClientRequest(url: target.url + "/health")
        request.method = .GET
        let fetched = await fetch(request)
        guard let status = fetched.status else {
            return HealthCheck(ok: false, ms: fetched.ms, error: fetched.error)
        }
        var check = ResponseChecks.health(status: status, body: fetched.body, ms: fetched.ms)
        if let problem = fetched.error, check.ok { check.ok = false; check.error = problem }
        return check
    }

    func checkSynthesis(_ target: ProbeTarget) async -> SynthesisCheck {
        var request = HTTPClientRequest(url: target.url + "/tts")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let payload = (try? JSONSerialization.data(withJSONObject: ["text": text, "voice": voice])) ?? Data("{}".utf8)
        request.body = .bytes(ByteBuffer(bytes: payload))
        let fetched = await fetch(request)
        guard let status = fetched.status else {
            return SynthesisCheck(ok: false, ms: fetched.ms, error: fetched.error)
        }
        var check = ResponseChecks.synthesis(status: status, contentType: fetched.contentType, body: fetched.body, ms: fetched.ms)
        if let problem = fetched.error { check.ok = false; check.error = problem }   // over the body cap
        return check
    }

    struct Fetched: Sendable {
        var status: Int?
        var contentType: String?
        var body: [UInt8] = []
        var ms: Int = 0
        var error: String?
    }

    struct TimedOut: Error {}

    /// Runs one request under the overall deadline.
    func fetch(_ request: HTTPClientRequest) async -> Fetched {
        let clock = ContinuousClock()
        let start = clock.now
        let timeout = self.timeout
        let client = self.client
        var result: Fetched
        do {
            result = try await withThrowingTaskGroup(of: Fetched.self) { group in
                group.addTask {
                    let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
                    let response = try await client.executeRetryingClosed(request, deadline: deadline)
                    var fetched = Fetched(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"))
                    for try await chunk in response.body {
                        let room = HTTPProber.bodyLimit - fetched.body.count
                        fetched.body.append(contentsOf: chunk.readableBytesView.prefix(room))
                        if fetched.body.count >= HTTPProber.bodyLimit {
                            fetched.error = "body larger than \(HTTPProber.bodyLimit >> 20) MB (read the first \(HTTPProber.bodyLimit >> 20) MB)"
                            break
                        }
                    }
                    return fetched
                }
                group.addTask {
                    // A guard just past the client's own deadline: the client's error (say, the
                    // connection refused it kept retrying) is the more telling one.
                    try await Task.sleep(for: timeout + .milliseconds(200))
                    throw TimedOut()
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        } catch {
            result = Fetched(error: HTTPProber.describe(error, timeout: timeout))
        }
        let elapsed = clock.now - start
        result.ms = elapsed.wholeMilliseconds
        return result
    }

    /// A short, stable reason for a failed request.
    static func describe(_ error: Error, timeout: Duration) -> String {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if error is TimedOut { return String(format: "timeout after %g s", seconds) }
        return ProbeFailure.words(for: error, timeoutSeconds: seconds)
    }
}
