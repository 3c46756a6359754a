import NIOCore
import NIOHTTP1

/// The request parts of one client connection, read by the serving loop (heads) and by the body
/// stream the upstream request pulls (bodies), never both at once: the loop reads the next head
/// only after the request before it is answered.
final class RequestParts: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator

    init(_ inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>) { iterator = inbound.makeAsyncIterator() }

    /// The next request's head; the rest of an unread body before it is skipped.
    func nextHead() async throws -> HTTPRequestHead? {
        while let part = try await iterator.next() {
            if case .head(let head) = part { return head }
        }
        return nil
    }

    /// The next chunk of the current body; nil at its end.
    func nextBodyChunk() async throws -> ByteBuffer? {
        while let part = try await iterator.next() {
            switch part {
            case .body(let chunk): return chunk
            case .end: return nil
            case .head: throw RouterBodyError.headInsideBody
            }
        }
        throw RouterBodyError.clientClosed
    }
}

enum RouterBodyError: Error { case headInsideBody, clientClosed }

/// A request's body: its first `limit` bytes are held (for the text and voice the log names, and
/// so a request whose target refuses the connection can go whole to the next one); the rest
/// streams from the client to the upstream as the upstream takes it, never held whole.
final class RequestBody: @unchecked Sendable {
    let parts: RequestParts
    private(set) var prefix: ByteBuffer
    /// The whole body is in `prefix`.
    private(set) var complete: Bool
    /// Bytes after the prefix were handed to an upstream: the body cannot be sent again.
    private(set) var streamedBeyondPrefix = false
    /// The client's Content-Length, when it sent one.
    let declaredLength: Int?

    /// Reads the body's first `limit` bytes (all of it, when shorter).
    init(parts: RequestParts, head: HTTPRequestHead, limit: Int) async throws {
        self.parts = parts
        declaredLength = head.headers.first(name: "Content-Length").flatMap(Int.init)
        var buffer = ByteBuffer()
        var ended = false
        while buffer.readableBytes < limit {
            guard var chunk = try await parts.nextBodyChunk() else { ended = true; break }
            buffer.writeBuffer(&chunk)
        }
        prefix = buffer
        complete = ended
    }

    var isEmpty: Bool { complete && prefix.readableBytes == 0 }

    /// Whether the body can still be sent (again) from its start.
    var replayable: Bool { !streamedBeyondPrefix }

    /// The body for one upstream request: the prefix, then whatever the client still sends.
    func upstreamBody() -> HTTPClientRequestBodyStream { HTTPClientRequestBodyStream(body: self) }

    /// The next chunk after the prefix, from the client.
    func pullRest() async throws -> ByteBuffer? {
        guard !complete else { return nil }
        streamedBeyondPrefix = true
        guard let chunk = try await parts.nextBodyChunk() else { complete = true; return nil }
        return chunk
    }
}

/// The bytes of a `RequestBody` as the async sequence AsyncHTTPClient streams from.
struct HTTPClientRequestBodyStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let body: RequestBody

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: RequestBody
        var prefixSent = false

        mutating func next() async throws -> ByteBuffer? {
            if !prefixSent {
                prefixSent = true
                if body.prefix.readableBytes > 0 { return body.prefix }
            }
            return try await body.pullRest()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: body) }
}
