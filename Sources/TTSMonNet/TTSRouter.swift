import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import TTSMonCore

/// Seed 003's main/standby router as a component that measures every request: each request
/// except `/admin/*` goes to the active target (main while it passes the real synthesis probe,
/// else standby), the answer streams back as the upstream sends it, and every request is logged
/// in the seed's IndexTTS layout (`RouterRecords`), so ttsmon's other commands read the log.
public final class TTSRouter: @unchecked Sendable {
    public struct Options: Sendable {
        /// In order: the first is main.
        public var targets: [ProbeTarget]
        public var probeInterval: Double = 5
        public var probeTimeout: Double = 3
        public var failAfter = 1
        public var failbackAfter = 2
        public var failback: FailbackMode = .manual
        /// Upstream connect timeout and time to the answer's head (the seed's 30 s).
        public var connectTimeout: TimeAmount = .seconds(3)
        public var firstByteTimeout: TimeAmount = .seconds(30)
        /// Longest wait for an answer's next chunk once it has begun.
        public var idleTimeout: Duration = .seconds(30)
        /// A request body's first bytes held while its target is tried, so a refused request goes
        /// whole to the next target; the rest streams through (a body of any size costs no more).
        public var heldRequestBody = 64 << 10
        /// Connections kept to each target; more requests at once wait for one (a TTS server
        /// serves far fewer at once, and each connection's buffers cost memory: 1,000 clients
        /// through 1,024 upstream connections took 117 MB, through 128 took 75 MB).
        public var maxUpstreamConnections = 128
        /// Rotate the log at this size.
        public var rotateBytes = 64 << 20
        /// Log every proxied request (`synthesis_start`/`synthesis_complete`). Off when the
        /// servers behind log their own requests and both logs are followed (each request would
        /// count twice); switches are logged either way.
        public var logsRequests = true
        /// `/admin/*` needs `Authorization: Bearer <token>` when set; else loopback clients only.
        public var adminToken: String?

        public init(targets: [ProbeTarget]) { self.targets = targets }
    }

    public let options: Options
    let log: RotatingLogWriter?
    let client: HTTPClient
    let prober: HTTPProber
    let lock = NSLock()
    var failover: FailoverState
    var channel: (any Channel)?
    var tasks: [Task<Void, Never>] = []
    var acceptTask: Task<Void, Never>?
    /// Set by `stop`: connections accepted from then on are closed unserved.
    let stopping = StopFlag()
    /// Connections being served, so one watchdog can cut an answer that stalls.
    let connections = ConnectionSlots()
    public private(set) var port = 0

    public init(options: Options, logPath: String?) {
        self.options = options
        log = logPath.map { RotatingLogWriter(path: $0, maxBytes: options.rotateBytes) }
        // A refused connection must fail at once (the next target takes the request), not be
        // retried by the pool until the request's deadline.
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: options.connectTimeout, read: options.firstByteTimeout)
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(4))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.maxUpstreamConnections
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        prober = HTTPProber(timeout: .milliseconds(Int64(options.probeTimeout * 1000)))
        failover = FailoverState(targets: options.targets.map(\.name), failAfter: options.failAfter,
                                 failbackAfter: options.failbackAfter, mode: options.failback)
    }

    /// The target traffic goes to now.
    public var active: String? { lock.withLock { failover.active } }

    /// Binds (port 0 picks one), starts the probe loop, and serves; returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                    try channel.pipeline.syncOperations.addHandler(RouterProtocolErrors())
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        channel = server.channel
        self.port = server.channel.localAddress?.port ?? port
        acceptTask = Task { [self] in
            try? await server.executeThenClose { inbound in
                for try await connection in inbound {
                    // Every accepted connection must be closed through its async channel (NIO
                    // traps on one dropped unfinished), those that arrive while stopping too.
                    if stopping.isSet {
                        try? await connection.executeThenClose { _, _ in }
                        continue
                    }
                    let slot = ConnectionSlot(channel: connection.channel)
                    connections.add(slot)
                    // A task of its own, so the watchdog can cancel a stalled relay. (Run on the
                    // connection's event loop instead, the router served 40 % fewer requests.)
                    slot.task = Task {
                        await self.serve(connection, slot: slot)
                        self.connections.remove(slot)
                    }
                }
            }
        }
        let targets = options.targets.map { "\($0.name)=\($0.url)" }.joined(separator: ", ")
        log?.write([(RouterRecords.logger, "INFO", "router started: listening on \(host):\(self.port), \(targets), active=\(active ?? "none")")])
        tasks.append(Task { [self] in await probeLoop() })
        connections.startWatching(idleTimeout: options.idleTimeout, until: stopping)
        return self.port
    }

    public func stop() async {
        stopping.set()
        for task in tasks { task.cancel() }
        // Closing the listener ends the accept loop once it has closed what was already accepted.
        try? await channel?.close()
        await acceptTask?.value
        connections.cancelAll()
        await connections.drained()
        try? await client.shutdown()
        await prober.shutdown()
        log?.close()
    }

    // MARK: - Probes and failover

    func probeLoop() async {
        while !Task.isCancelled {
            let results = await prober.probeAll(options.targets)
            let now = LogTimestamp(localTime: Date())
            let change = lock.withLock { failover.record(results, at: now) }
            if let change { logSwitch(change) }
            try? await Task.sleep(for: .milliseconds(Int64(options.probeInterval * 1000)))
        }
    }

    /// The seed's words for a switch: `main instance failed, switching to standby`.
    func logSwitch(_ change: FailoverSwitch) {
        guard let to = change.to else { return }
        let from = change.from ?? "main"
        let words = to == options.targets.first?.name ? "\(from) instance recovered, switching to \(to)" : "\(from) instance failed, switching to \(to)"
        log?.write([(RouterRecords.logger, to == options.targets.first?.name ? "INFO" : "ERROR", words)])
    }

    /// Targets to try, in order: the active one, then the other healthy ones.
    func candidates() -> [ProbeTarget] {
        lock.withLock {
            let up = Set(failover.targets.filter(\.up).map(\.name))
            let active = failover.active
            let ordered = options.targets.filter { $0.name == active } + options.targets.filter { $0.name != active && up.contains($0.name) }
            return ordered.isEmpty ? Array(options.targets.prefix(1)) : ordered
        }
    }

    // MARK: - Serving

    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, slot: ConnectionSlot) async {
        let remote = connection.channel.remoteAddress
        try? await connection.executeThenClose { inbound, outbound in
            let parts = RequestParts(inbound)
            while let head = try await parts.nextHead() {
                let body = try await RequestBody(parts: parts, head: head, limit: options.heldRequestBody)
                let keepAlive = head.isKeepAlive
                if head.uri.hasPrefix("/admin/") {
                    try await admin(head, remote: remote, outbound: outbound, keepAlive: keepAlive && body.complete)
                } else {
                    try await proxy(head, body: body, outbound: outbound, keepAlive: keepAlive, slot: slot)
                }
                // A body the upstream did not read to its end (it answered early) leaves the
                // connection in the middle of a request: it cannot carry another one.
                if !keepAlive || !body.complete { return }
            }
        }
    }

    func answer(_ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, status: HTTPResponseStatus, json: String,
                keepAlive: Bool, extra: [(String, String)] = []) async throws {
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(json.utf8.count))] + extra)
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: json))))
        try await outbound.write(.end(nil))
    }

    /// `GET /admin/status`, `POST /admin/switch-to-main`.
    func admin(_ head: HTTPRequestHead, remote: SocketAddress?, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
               keepAlive: Bool) async throws {
        let allowed: Bool
        if let token = options.adminToken {
            allowed = head.headers.first(name: "Authorization") == "Bearer \(token)"
        } else {
            allowed = remote?.ipAddress.map { $0 == "127.0.0.1" || $0 == "::1" } ?? false
        }
        guard allowed else { return try await answer(outbound, status: .forbidden, json: #"{"error": "forbidden"}"#, keepAlive: keepAlive) }
        switch (head.method, head.uri) {
        case (.GET, "/admin/status"):
            try await answer(outbound, status: .ok, json: status.json.serialized(), keepAlive: keepAlive)
        case (.POST, "/admin/switch-to-main"):
            let change = lock.withLock { failover.failBackToMain(at: LogTimestamp(localTime: Date())) }
            if let change { logSwitch(change) }
            try await answer(outbound, status: .ok, json: status.json.serialized(), keepAlive: keepAlive)
        default:
            try await answer(outbound, status: .notFound, json: #"{"error": "no such admin endpoint"}"#, keepAlive: keepAlive)
        }
    }

    /// What `GET /admin/status` answers.
    public var status: RouterStatus { lock.withLock { RouterStatus(failover, targets: options.targets) } }

    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
                                        "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"]

    /// Sends the request to the active target (once more to the next healthy one when the
    /// connection is refused or reset before any answer), streams the answer back, logs it.
    func proxy(_ head: HTTPRequestHead, body: RequestBody, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
               keepAlive: Bool, slot: ConnectionSlot) async throws {
        let arrived = ContinuousClock.now
        let id = RouterRecords.requestID(fromHeader: head.headers.first(name: "X-Request-ID"))
        let path = head.uri
        let logged = options.logsRequests && !RouterRecords.isProbe(method: head.method.rawValue, path: path)
        let synthesis = head.method == .POST
        let (text, voice) = RouterRecords.bodyFields(Array(body.prefix.readableBytesView.prefix(64 << 10)))
        func ms(since start: ContinuousClock.Instant) -> Int { (ContinuousClock.now - start).wholeMilliseconds }
        var tried: [String] = []
        var upstreamName = candidates().first?.name ?? "main"
        if logged {
            log?.write([(RouterRecords.logger, "INFO", RouterRecords.start(id: id, text: text, voice: voice, upstream: upstreamName, path: path))])
        }
        func complete(_ status: Int?, ttfb: Int?, bytes: Int, audioMs: Int?, code: String?) {
            guard logged else { return }
            let c = RouterRecords.Completion(id: id, upstream: upstreamName, httpStatus: status, durationMs: ms(since: arrived),
                                             ttfbMs: ttfb, bytes: bytes, audioMs: audioMs, errorCode: code)
            log?.write([(RouterRecords.logger, code == nil ? "INFO" : "ERROR", RouterRecords.complete(c))])
        }
        var response: HTTPClientResponse?
        var failure = "UPSTREAM_UNREACHABLE"
        for target in candidates() where tried.count < 2 && body.replayable {
            tried.append(target.name)
            upstreamName = target.name
            var request = HTTPClientRequest(url: target.url.trimmingSuffix("/") + path)
            request.method = head.method
            for (name, value) in head.headers where !Self.hopByHop.contains(name.lowercased()) && name.lowercased() != "x-request-id" {
                request.headers.add(name: name, value: value)
            }
            request.headers.add(name: "X-Request-ID", value: id)
            if body.complete {
                if body.prefix.readableBytes > 0 { request.body = .bytes(body.prefix) }
            } else {
                request.body = .stream(body.upstreamBody(), length: body.declaredLength.map { .known(Int64($0)) } ?? .unknown)
            }
            do {
                response = try await client.executeRetryingClosed(request, deadline: .now() + options.firstByteTimeout)
                break
            } catch {
                if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout {
                    failure = "UPSTREAM_TIMEOUT"
                    break      // it may have begun work: never sent twice
                }
                failure = "UPSTREAM_UNREACHABLE"   // refused or reset before any answer: the next target
            }
        }
        guard let response else {
            let status: HTTPResponseStatus = failure == "UPSTREAM_TIMEOUT" ? .gatewayTimeout : .serviceUnavailable
            complete(Int(status.code), ttfb: nil, bytes: 0, audioMs: nil, code: failure)
            return try await answer(outbound, status: status, json: #"{"error": "\#(failure)", "id": "\#(id)", "tried": [\#(tried.map { "\"\($0)\"" }.joined(separator: ", "))]}"#,
                                    keepAlive: keepAlive, extra: [("X-Request-ID", id)])
        }
        var headers = HTTPHeaders()
        for (name, value) in response.headers where !Self.hopByHop.contains(name.lowercased()) || name.lowercased() == "content-length" {
            headers.add(name: name, value: value)
        }
        headers.replaceOrAdd(name: "X-Request-ID", value: id)
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let contentType = response.headers.first(name: "Content-Type")
        var code = RouterRecords.answerCode(status: Int(response.status.code), contentType: contentType, synthesis: synthesis)
        let relay = Relay(expected: response.headers.first(name: "Content-Length").flatMap(Int.init), arrived: arrived)
        slot.relay = relay
        defer { slot.relay = nil }
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        do {
            try await relay.stream(response.body, head: head, to: outbound)
        } catch {
            // An upstream that closed after its whole declared body still answered in full, and
            // a client that closed once it had every byte (before the end marker) got them all.
            let whole = relay.expected == relay.delivered
            if !whole {
                code = code ?? (relay.writing ? "CLIENT_CLOSED"
                    : relay.timedOut || (error as? HTTPClientError) == .readTimeout ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNREACHABLE")
            }
            if !relay.headSent, !relay.writing {
                // Nothing reached the client yet: it gets the router's own answer.
                let status: HTTPResponseStatus = whole ? response.status : code == "UPSTREAM_TIMEOUT" ? .gatewayTimeout : .badGateway
                complete(Int(status.code), ttfb: relay.ttfb, bytes: relay.bytes, audioMs: nil, code: code)
                if whole { try await outbound.write(contentsOf: [.head(head), .end(nil)]); return }
                return try await answer(outbound, status: status, json: #"{"error": "\#(code ?? "UPSTREAM_UNREACHABLE")", "id": "\#(id)"}"#,
                                        keepAlive: keepAlive, extra: [("X-Request-ID", id)])
            }
            complete(Int(response.status.code), ttfb: relay.ttfb, bytes: relay.bytes, audioMs: whole ? relay.audioMs : nil, code: code)
            if whole { if !relay.writing, !relay.endSent { try? await outbound.write(.end(nil)) }; return }
            throw error
        }
        complete(Int(response.status.code), ttfb: relay.ttfb, bytes: relay.bytes, audioMs: relay.audioMs, code: code)
    }
}
