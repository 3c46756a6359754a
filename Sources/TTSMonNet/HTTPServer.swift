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

/// A small HTTP/1.1 server on swift-nio for the demo fleet, the exporter and the tests: one
/// route closure decides every answer, so behaviour (latency, faults) can change while it runs.
/// Binds 127.0.0.1 unless told otherwise. Hostile clients are bounded (`Limits`): one answer in
/// flight per connection (nothing more is read until it is written), a cap on connections, and a
/// deadline for each request's head, so neither pipelining nor slow or idle clients can take its
/// memory or descriptors.
public final class HTTPServer: @unchecked Sendable {
    public typealias Route = @Sendable (HTTPRequestInfo) -> HTTPReply

    /// What one server allows its clients.
    public struct Limits: Sendable {
        /// Connections open at once; more are closed as they arrive.
        public var maxConnections: Int
        /// How long a connection may take to deliver a request's head, counted from when it
        /// opens or its last answer was written (an idle keep-alive connection is closed then).
        public var headerTimeout: TimeAmount
        /// Requests read ahead of their answer on one connection (pipelined) before it is closed.
        public var maxQueuedRequests: Int
        /// Bytes of request body kept (the rest is read and dropped).
        public var maxBodyBytes: Int

        public init(maxConnections: Int = HTTPServer.Limits.defaultMaxConnections, headerTimeout: TimeAmount = .seconds(10),
                    maxQueuedRequests: Int = 64, maxBodyBytes: Int = 1 << 20) {
            self.maxConnections = maxConnections
            self.headerTimeout = headerTimeout
            self.maxQueuedRequests = maxQueuedRequests
            self.maxBodyBytes = maxBodyBytes
        }

        /// 512, or fewer when the process may open fewer than about a thousand descriptors.
        public static var defaultMaxConnections: Int {
            var limit = rlimit()
            guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < 1 << 30 else { return 512 }
            return max(16, min(512, (Int(limit.rlim_cur) - 64) / 2))
        }
    }

    let group: EventLoopGroup
    let route: Route
    public let limits: Limits
    var channel: Channel?
    public private(set) var port: Int = 0
    let connections = ConnectionSet()

    public init(group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton, limits: Limits = Limits(),
                route: @escaping Route) {
        self.group = group
        self.route = route
        self.limits = limits
    }

    /// Connections open now.
    public var openConnections: Int { connections.count }

    /// Binds and starts serving; `port` 0 picks a free one. Returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let route = self.route
        let connections = self.connections
        let limits = self.limits
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard connections.add(channel, limit: limits.maxConnections) else {
                    return channel.close()
                }
                return channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(RouteHandler(route: route, limits: limits))
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

/// The server's open connections, so `stop` can cut them and the cap can be kept.
final class ConnectionSet: @unchecked Sendable {
    private let lock = NSLock()
    private var channels: [ObjectIdentifier: Channel] = [:]

    var count: Int { lock.lock(); defer { lock.unlock() }; return channels.count }

    /// Adds `channel` unless `limit` connections are open already.
    func add(_ channel: Channel, limit: Int) -> Bool {
        let key = ObjectIdentifier(channel)
        lock.lock()
        guard channels.count < limit else { lock.unlock(); return false }
        channels[key] = channel
        lock.unlock()
        channel.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            self.lock.lock(); self.channels[key] = nil; self.lock.unlock()
        }
        return true
    }

    func drain() -> [Channel] {
        lock.lock(); defer { lock.unlock() }
        let all = Array(channels.values)
        channels.removeAll()
        return all
    }
}

/// Collects one request at a time, asks the route, writes the reply (possibly later, possibly
/// never). While an answer is being written nothing more is read from the socket; requests
/// already read (pipelined) wait in a short queue.
final class RouteHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let route: HTTPServer.Route
    let limits: HTTPServer.Limits
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    /// Complete requests waiting for the answer in flight, with their keep-alive.
    var queued: [(HTTPRequestInfo, Bool)] = []
    var answering = false
    var headDeadline: Scheduled<Void>?

    init(route: @escaping HTTPServer.Route, limits: HTTPServer.Limits) {
        self.route = route
        self.limits = limits
    }

    func channelActive(context: ChannelHandlerContext) {
        armHeadDeadline(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        headDeadline?.cancel()
        headDeadline = nil
        queued.removeAll()
        context.fireChannelInactive()
    }

    /// Closes the connection unless a request's head arrives within the header timeout.
    func armHeadDeadline(_ context: ChannelHandlerContext) {
        headDeadline?.cancel()
        headDeadline = context.eventLoop.scheduleTask(in: limits.headerTimeout) { [context] in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            if !answering { headDeadline?.cancel(); headDeadline = nil }
            head = h
            body.removeAll()
        case .body(var buffer):
            let room = limits.maxBodyBytes - body.count
            if room > 0, let bytes = buffer.readBytes(length: min(room, buffer.readableBytes)) { body += bytes }
        case .end:
            guard let head else { return }
            let info = HTTPRequestInfo(method: head.method.rawValue, path: head.uri.split(separator: "?").first.map(String.init) ?? head.uri,
                                       headers: head.headers.map { ($0.name, $0.value) }, body: body)
            self.head = nil
            body = []
            if answering {
                queued.append((info, head.isKeepAlive))
                if queued.count > limits.maxQueuedRequests { context.close(promise: nil) }
                return
            }
            answer(info, keepAlive: head.isKeepAlive, context: context)
        }
    }

    /// Answers one request; reading resumes (or the next queued request is answered) once the
    /// answer has been written to the socket.
    func answer(_ info: HTTPRequestInfo, keepAlive: Bool, context: ChannelHandlerContext) {
        answering = true
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
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
                context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { result in
                    guard case .success = result, keepAlive, context.channel.isActive else {
                        context.close(promise: nil)
                        return
                    }
                    self.answered(context)
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

    /// The answer in flight is written: the next queued request, or back to reading.
    func answered(_ context: ChannelHandlerContext) {
        answering = false
        if !queued.isEmpty {
            let (info, keepAlive) = queued.removeFirst()
            answer(info, keepAlive: keepAlive, context: context)
            return
        }
        if head == nil { armHeadDeadline(context) }
        context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        context.read()
    }
}
