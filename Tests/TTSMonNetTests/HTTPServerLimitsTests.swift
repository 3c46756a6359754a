import Foundation
import Testing
import TTSMonCore
@testable import TTSMonNet

/// A blocking TCP client for poking a server the way a hostile one would.
final class RawClient {
    let fd: Int32

    init(port: Int) throws {
        // `fd` is assigned only once connected: a class init that throws after all its
        // properties are set runs deinit, which would close the descriptor a second time (by
        // then perhaps another test's open file).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { close(fd); throw InputError("cannot connect") }
        self.fd = fd
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }

    /// Reads until the server closes the connection or `seconds` pass; true when it closed.
    func closedWithin(_ seconds: Double, received: inout Int) -> Bool {
        let until = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < until {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return true }
            if n < 0 { if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }; return true }
            received += n
        }
        return false
    }

    func closedWithin(_ seconds: Double) -> Bool { var n = 0; return closedWithin(seconds, received: &n) }
}

/// Issue 14, item 4: pipelining, connection floods and slow clients are bounded.
@Suite(.serialized) struct HTTPServerLimitsTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() { lock.lock(); value += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return value }
    }

    static func server(_ limits: HTTPServer.Limits, body: Int = 64, calls: Counter = Counter()) async throws -> HTTPServer {
        let payload = [UInt8](repeating: 65, count: body)
        let server = HTTPServer(limits: limits) { _ in
            calls.next()
            return .respond(status: 200, contentType: "text/plain", body: payload)
        }
        try await server.start()
        return server
    }

    /// A client that pipelines thousands of requests and reads nothing gets no more answers
    /// prepared than one in flight plus a short queue (before: every one, held in memory).
    @Test func pipelinedRequestsWaitForTheAnswerInFlight() async throws {
        let calls = Counter()
        let server = try await Self.server(HTTPServer.Limits(maxQueuedRequests: 64), body: 256 << 10, calls: calls)
        let client = try RawClient(port: server.port)
        client.send(String(repeating: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", count: 5000))
        try await Task.sleep(for: .milliseconds(800))
        #expect(calls.count < 100, "answers prepared: \(calls.count)")
        await server.stop()
    }

    /// Connections beyond the cap are closed as they arrive; those within it are served.
    @Test func connectionsBeyondTheCapAreClosed() async throws {
        let server = try await Self.server(HTTPServer.Limits(maxConnections: 4, headerTimeout: .seconds(60)))
        let held = try (0..<4).map { _ in try RawClient(port: server.port) }
        try await Task.sleep(for: .milliseconds(200))
        let extra = try RawClient(port: server.port)
        #expect(extra.closedWithin(15))
        #expect(server.openConnections == 4)
        held[0].send("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var received = 0
        #expect(held[0].closedWithin(15, received: &received))
        #expect(received > 0)
        await server.stop()
    }

    /// A client that never finishes its request head (slowloris), or sits idle after an answer,
    /// is cut at the header timeout.
    @Test func slowAndIdleClientsAreCut() async throws {
        let server = try await Self.server(HTTPServer.Limits(headerTimeout: .milliseconds(300)))
        let slow = try RawClient(port: server.port)
        slow.send("GET /metrics HTTP/1.1\r\nHost:")
        #expect(slow.closedWithin(15))
        let idle = try RawClient(port: server.port)
        idle.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        var received = 0
        #expect(idle.closedWithin(15, received: &received))
        #expect(received > 0)
        await server.stop()
    }
}
