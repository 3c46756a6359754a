import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TTSMonCore

/// One answer being relayed: what has passed, and when the upstream last sent something.
final class Relay: @unchecked Sendable {
    let lock = NSLock()
    let expected: Int?
    let arrived: ContinuousClock.Instant
    var bytes = 0, delivered = 0
    var ttfb: Int?
    var header: [UInt8] = []
    var mpeg = MPEGFrameCounter()
    var writing = false
    /// The answer's head, and its end, have gone to the client.
    var headSent = false, endSent = false
    var lastProgress: ContinuousClock.Instant
    /// Set by the watchdog when it cut the relay.
    var timedOut = false

    init(expected: Int?, arrived: ContinuousClock.Instant) {
        self.expected = expected
        self.arrived = arrived
        lastProgress = .now
    }

    /// Sends the head with the first chunk, and the end with the chunk that completes a
    /// declared length: one write (one system call) for a short answer instead of three. Chunks
    /// are never held back waiting for the next (a streaming synthesis's first audio goes at once).
    func stream(_ body: HTTPClientResponse.Body, head: HTTPResponseHead, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        for try await chunk in body {
            let last = lock.withLock { () -> Bool in
                if ttfb == nil { ttfb = (ContinuousClock.now - arrived).wholeMilliseconds }
                bytes += chunk.readableBytes
                if header.count < 64 { header += chunk.readableBytesView.prefix(64 - header.count) }
                mpeg.feed(chunk.readableBytesView)
                writing = true
                return expected == bytes
            }
            var parts: [HTTPServerResponsePart] = headSent ? [] : [.head(head)]
            parts.append(.body(.byteBuffer(chunk)))
            if last, !endSent { parts.append(.end(nil)) }
            try await outbound.write(contentsOf: parts)
            lock.withLock { delivered = bytes; writing = false; lastProgress = .now; headSent = true }
            if last { endSent = true }
        }
        guard !endSent else { return }
        lock.withLock { writing = true }
        try await outbound.write(contentsOf: headSent ? [.end(nil)] : [.head(head), .end(nil)])
        lock.withLock { headSent = true }
        endSent = true
    }

    /// The answer's audio duration: a WAV header's, or counted MPEG frames.
    var audioMs: Int? { lock.withLock { RouterRecords.wavMilliseconds(header) ?? mpeg.milliseconds } }

    /// Whether the upstream has sent nothing for `limit`. A write to a client that is not taking
    /// bytes (its channel not writable) does not count: a slow client is not the upstream's
    /// fault. A write to a writable channel does: NIO has its bytes, and only the relay's task,
    /// perhaps waiting for a busy pool, has not moved on.
    func idle(for limit: Duration, clientWritable: Bool) -> Bool {
        lock.withLock { (!writing || clientWritable) && ContinuousClock.now - lastProgress > limit }
    }
}

/// A flag set once, read from any thread.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// A served connection: its channel, its task and the answer it relays now.
final class ConnectionSlot: @unchecked Sendable {
    /// The client's channel, closed by the watchdog when the answer stalls.
    let channel: Channel
    init(channel: Channel) { self.channel = channel }
    private let lock = NSLock()
    private var _task: Task<Void, Never>?
    private var _relay: Relay?
    var task: Task<Void, Never>? { get { lock.withLock { _task } } set { lock.withLock { _task = newValue } } }
    var relay: Relay? { get { lock.withLock { _relay } } set { lock.withLock { _relay = newValue } } }
}

/// The connections being served, and one watchdog for all of them (a timer per answer cost a
/// third of the router's throughput).
final class ConnectionSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [ObjectIdentifier: ConnectionSlot] = [:]

    func add(_ slot: ConnectionSlot) { lock.withLock { slots[ObjectIdentifier(slot)] = slot } }
    func remove(_ slot: ConnectionSlot) { _ = lock.withLock { slots.removeValue(forKey: ObjectIdentifier(slot)) } }
    func cancelAll() { for slot in lock.withLock({ Array(slots.values) }) { slot.task?.cancel() } }

    /// Waits until every connection's task has ended (each closes its channel as it ends).
    func drained() async {
        for slot in lock.withLock({ Array(slots.values) }) { await slot.task?.value }
    }

    /// The connections whose answer the upstream has left stalled for `limit`, with their relays.
    func stalled(for limit: Duration) -> [(ConnectionSlot, Relay)] {
        lock.withLock { Array(slots.values) }.compactMap { slot in
            slot.relay.flatMap { $0.idle(for: limit, clientWritable: slot.channel.isWritable) ? (slot, $0) : nil }
        }
    }

    /// Every 100 ms until `stopped`: cuts the connection whose answer has stalled for
    /// `idleTimeout`. Its channel is closed here, on its event loop, so the client is let go at
    /// once, as a truncated answer must be; its task is cancelled, which ends the upstream
    /// request and logs the outcome. A thread of its own, and a close that waits for no task: a
    /// task can wait seconds for a thread while the cooperative pool is busy, and a stalled
    /// answer would then hold its client that long.
    func startWatching(idleTimeout: Duration, until stopped: StopFlag) {
        let thread = Thread { [self] in
            while !stopped.isSet {
                usleep(100_000)
                for (slot, relay) in stalled(for: idleTimeout) {
                    relay.lock.withLock { relay.timedOut = true }
                    slot.channel.close(promise: nil)
                    slot.task?.cancel()
                }
            }
        }
        thread.name = "ttsmon-router-watchdog"
        thread.start()
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

/// Bad input never stops the router: a request the HTTP parser rejects gets 400 (431 for an
/// oversized header block) and its connection is closed; garbage bytes are not a request.
final class RouterProtocolErrors: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let parser = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        let status: HTTPResponseStatus = parser == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
        let headers = HTTPHeaders([("Connection", "close"), ("Content-Length", "0")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
