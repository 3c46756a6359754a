import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TTSMonCore

/// Plain HTTP GETs with one timeout for the whole exchange and a body cap (Prometheus' API,
/// Alertmanager's). Never follows redirects.
public final class HTTPFetcher: Sendable {
    let client: HTTPClient
    public let timeout: TimeAmount
    public let bodyLimit: Int

    public init(timeout: Double = 5, bodyLimit: Int = 16 << 20) {
        self.timeout = .milliseconds(Int64(timeout * 1000))
        self.bodyLimit = bodyLimit
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: self.timeout, read: self.timeout)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The status and body of `GET url`, or what went wrong.
    public func get(_ url: String) async -> Result<(status: Int, body: Data), InputError> {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: bodyLimit)
            return .success((Int(response.status.code), Data(body.readableBytesView)))
        } catch {
            return .failure(InputError("\(error)"))
        }
    }

    public func shutdown() async { try? await client.shutdown() }
}

