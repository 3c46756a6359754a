import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as the route sees it.
public struct HTTPRequestInfo: Sendable {
    public var method: String
    public var path: String
    public var headers: [(String, String)]
    public var body: [UInt8]
}

/// What to answer.
public enum HTTPReply: Sendable {
    /// Answer after `delay` (simulated work).
    case respond(status: Int, contentType: String, body: [UInt8], delay: Duration = .zero)
    /// Never answer: keep the connection open (a hanging instance).
    case hang
}

/// A small HTTP/1.1 server on swift-nio for the demo fleet and the tests: one route closure
/// decides every answer, so behaviour (latency, faults) can change while it runs. Binds
/// 127.0.0.1 unless told otherwise.
public final class HTTPServer: @unchecked Sendable {
    public typealias Route = @Sendable (HTTPRequestInfo) -> HTTPReply
    let group: EventLoopGroup
    let route: Route
    var channel: Channel?
    public private(set) var port: Int = 0
    let connections = ConnectionSet()

    public init(group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton, route: @escaping Route) {
        self.group = group
        self.route = route
    }

    /// Binds and starts serving; `port` 0 picks a free one. Returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let route = self.route
        let connections = self.connections
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(RouteHandler(route: route))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        let channel = try await bootstrap.bind(host: host, port: port).get()
        self.channel = channel
        self.port = channel.localAddress?.port ?? port
        return self.port
    }

    /// Stops listening and closes every open connection: like a killed process, new
    /// connections are refused and kept-alive ones are cut.
    public func stop() async {
        let listening = channel
        channel = nil
        listening?.close(promise: nil)
        for c in connections.drain() { c.close(promise: nil) }
        try? await listening?.closeFuture.get()
    }
}

/// The server's open connections, so `stop` can cut them.
final class ConnectionSet: @unchecked Sendable {
    private let lock = NSLock()
    private var channels: [ObjectIdentifier: Channel] = [:]

    func add(_ channel: Channel) {
        let key = ObjectIdentifier(channel)
        lock.lock(); channels[key] = channel; lock.unlock()
        channel.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            self.lock.lock(); self.channels[key] = nil; self.lock.unlock()
        }
    }

    func drain() -> [Channel] {
        lock.lock(); defer { lock.unlock() }
        let all = Array(channels.values)
        channels.removeAll()
        return all
    }
}

/// Collects one request, asks the route, writes the reply (possibly later, possibly never).
final class RouteHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let route: HTTPServer.Route
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(route: @escaping HTTPServer.Route) { self.route = route }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.removeAll()
        case .body(var buffer):
            if body.count < 1 << 20, let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard let head else { return }
            let info = HTTPRequestInfo(method: head.method.rawValue, path: head.uri.split(separator: "?").first.map(String.init) ?? head.uri,
                                       headers: head.headers.map { ($0.name, $0.value) }, body: body)
            let keepAlive = head.isKeepAlive
            self.head = nil
            switch route(info) {
            case .hang:
                return
            case .respond(let status, let contentType, let bytes, let delay):
                let write = { [context] in
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: contentType)
                    headers.add(name: "Content-Length", value: String(bytes.count))
                    if !keepAlive { headers.add(name: "Connection", value: "close") }
                    let responseHead = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
                    context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
                    context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                        if !keepAlive { context.close(promise: nil) }
                    }
                }
                if delay > .zero {
                    let ns = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
                    context.eventLoop.scheduleTask(in: .nanoseconds(ns)) { write() }
                } else {
                    write()
                }
            }
        }
    }
}
