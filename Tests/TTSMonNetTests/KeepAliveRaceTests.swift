import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TTSMonCore
@testable import TTSMonNet

/// A TTS server with keep-alive that closes a connection, unanswered, when a request arrives
/// on it after it sat idle for `idleLimit` or more: the keep-alive race of a server whose idle
/// timeout (uvicorn's `timeout_keep_alive`) fires as a probe goes out, made certain instead of
/// occasional. A request on a connection in use (or a new one) is answered.
final class ClosingKeepAliveServer: @unchecked Sendable {
    let listener: Int32
    let port: Int
    let idleLimit: TimeInterval = 0.1
    private let lock = NSLock()
    private var _closedUnanswered = 0
    var closedUnanswered: Int { lock.lock(); defer { lock.unlock() }; return _closedUnanswered }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw InputError("cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            Thread { [self] in serve(fd) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer = [UInt8]()
        var lastAnswer: Date?
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            // One whole request: headers, then Content-Length bytes of body.
            while true {
                if let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                    let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                    let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                    if buffer.count >= end.upperBound + length {
                        let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
                        buffer.removeFirst(end.upperBound + length)
                        if let lastAnswer, Date().timeIntervalSince(lastAnswer) >= idleLimit {
                            lock.lock(); _closedUnanswered += 1; lock.unlock()
                            return
                        }
                        let (type, body): (String, [UInt8]) = path == "/health"
                            ? ("application/json", Array(#"{"status": "ok", "model_loaded": true}"#.utf8))
                            : ("audio/wav", ToneWAV.make())
                        let header = "HTTP/1.1 200 OK\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: keep-alive\r\n\r\n"
                        let reply = Array(header.utf8) + body
                        _ = reply.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        lastAnswer = Date()
                        break
                    }
                }
                let n = recv(fd, &chunk, chunk.count, 0)
                guard n > 0 else { return }
                buffer.append(contentsOf: chunk[0..<n])
            }
        }
    }
}

/// Issue 14, item 2: a keep-alive race is not a "down" (and so never a failover).
@Suite struct KeepAliveRaceTests {
    @Test func aPooledConnectionClosedBeforeTheAnswerIsRetriedOnce() async throws {
        let server = try ClosingKeepAliveServer()
        defer { server.stop() }
        let prober = HTTPProber(timeout: .seconds(10))
        let target = ProbeTarget(name: "main", url: "http://127.0.0.1:\(server.port)")
        var failover = FailoverState(targets: ["main"], failAfter: 1, failbackAfter: 2, mode: .manual)
        for round in 0..<8 {
            let result = await prober.probe(target)
            #expect(result.up, "round \(round): \(result.health.error ?? "") \(result.synthesis.error ?? "")")
            _ = failover.record([result], at: LogTimestamp(localTime: Date()))
            try await Task.sleep(for: .milliseconds(300))
        }
        await prober.shutdown()
        #expect(failover.active == "main")
        // The race really happened (connections were reused and closed unanswered).
        #expect(server.closedUnanswered > 0)
    }

    @Test func failuresReadAsWords() {
        #expect(ProbeFailure.words(for: IOError(errnoCode: ECONNRESET, reason: "read(descriptor:pointer:size:)"), timeoutSeconds: 3) == "connection reset")
        #expect(ProbeFailure.words(for: IOError(errnoCode: ECONNREFUSED, reason: "connect"), timeoutSeconds: 3) == "connection refused")
        #expect(ProbeFailure.words(for: HTTPParserError.invalidConstant, timeoutSeconds: 3) == "invalid HTTP response")
        #expect(ProbeFailure.words(for: HTTPClientError.readTimeout, timeoutSeconds: 3) == "timeout after 3 s")
        #expect(ProbeFailure.words(for: ChannelError.ioOnClosedChannel, timeoutSeconds: 3) == "connection closed by server")
        #expect(ProbeFailure.closedBeforeResponse(ChannelError.ioOnClosedChannel))
        #expect(!ProbeFailure.closedBeforeResponse(IOError(errnoCode: ECONNREFUSED, reason: "connect")))
    }
}
