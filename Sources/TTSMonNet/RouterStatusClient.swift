import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TTSMonCore

/// Asks a `ttsmon router` for its state (`GET /admin/status`) and to fail back
/// (`POST /admin/switch-to-main`): the dashboard's `--router`, so no second set of probes runs.
public final class RouterStatusClient: Sendable {
    public let url: String
    let token: String?
    let timeout: Double
    let client: HTTPClient

    /// `url` is the router's base URL (`http://127.0.0.1:8080`); `token` its `--admin-token`.
    public init(url: String, token: String? = nil, timeout: Double = 3) {
        self.url = url.trimmingSuffix("/")
        self.token = token
        self.timeout = timeout
        let limit = TimeAmount.milliseconds(Int64(timeout * 1000))
        client = .bounded(connect: limit, read: limit)
    }

    public func status() async -> Result<RouterStatus, RouterProblem> { await ask(.GET, "/admin/status") }

    /// Fails back to main; the answer is the router's state afterwards.
    public func switchToMain() async -> Result<RouterStatus, RouterProblem> { await ask(.POST, "/admin/switch-to-main") }

    func ask(_ method: HTTPMethod, _ path: String) async -> Result<RouterStatus, RouterProblem> {
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        do {
            let response = try await client.executeRetryingClosed(request, deadline: .now() + .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else {
                return .failure(RouterProblem(response.status == .forbidden ? "HTTP 403 (admin needs loopback or --router-token)"
                                                                             : "HTTP \(response.status.code)"))
            }
            guard let status = RouterStatus(json: Array(body.readableBytesView)) else {
                return .failure(RouterProblem("not a ttsmon router status"))
            }
            return .success(status)
        } catch {
            return .failure(RouterProblem(ProbeFailure.words(for: error, timeoutSeconds: timeout)))
        }
    }

    public func shutdown() async { try? await client.shutdown() }
}
