import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TTSMonCore

extension HTTPClient {
    /// A client on the shared event loops that never follows redirects, with connect and read
    /// timeouts. Pooled connections idle for longer than `idle` are closed by the client first
    /// (servers drop idle keep-alive connections after 5 to 75 s; ours after 10 s).
    public static func bounded(connect: TimeAmount, read: TimeAmount, idle: TimeAmount = .seconds(4)) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: connect, read: read)
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(idleTimeout: idle)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// `execute`, sent again when a pooled connection was closed by the server before any
    /// answer (the keep-alive race: the server never saw the request). Each such failure drops
    /// that connection from the pool, and the pool may hold another stale one (probes send two
    /// requests at once), so up to three attempts. Never retried once a response has begun.
    public func executeRetryingClosed(_ request: HTTPClientRequest, deadline: NIODeadline) async throws -> HTTPClientResponse {
        var attempt = 1
        while true {
            do {
                return try await execute(request, deadline: deadline)
            } catch where ProbeFailure.closedBeforeResponse(error) && attempt < 3 && NIODeadline.now() < deadline {
                attempt += 1
            }
        }
    }
}

/// Plain HTTP requests with one timeout for the whole exchange and a body cap (Prometheus' API,
/// Alertmanager's). Never follows redirects.
public final class HTTPFetcher: Sendable {
    let client: HTTPClient
    public let timeout: TimeAmount
    public let bodyLimit: Int

    public init(timeout: Double = 5, bodyLimit: Int = 16 << 20) {
        self.timeout = .milliseconds(Int64(timeout * 1000))
        self.bodyLimit = bodyLimit
        client = .bounded(connect: self.timeout, read: self.timeout)
    }

    /// The status and body of `GET url`, or what went wrong.
    public func get(_ url: String) async -> Result<(status: Int, body: Data), InputError> {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        return await send(request, timeout: timeout)
    }

    /// The status and body of `POST url` with a JSON body, or what went wrong; `timeout`
    /// overrides the fetcher's for this request.
    public func post(_ url: String, json body: Data, timeout: TimeAmount? = nil) async -> Result<(status: Int, body: Data), InputError> {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        return await send(request, timeout: timeout ?? self.timeout)
    }

    func send(_ request: HTTPClientRequest, timeout: TimeAmount) async -> Result<(status: Int, body: Data), InputError> {
        do {
            let response = try await client.executeRetryingClosed(request, deadline: .now() + timeout)
            let body = try await response.body.collect(upTo: bodyLimit)
            return .success((Int(response.status.code), Data(body.readableBytesView)))
        } catch {
            return .failure(InputError("\(error)"))
        }
    }

    public func shutdown() async { try? await client.shutdown() }
}

