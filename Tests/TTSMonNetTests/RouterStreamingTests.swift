import Foundation
import Testing
@testable import TTSMonCore
@testable import TTSMonNet

/// Issue 17: request bodies stream through the router (a body of any size is never held whole),
/// a refused target still gets the next one the whole body, and an MPEG answer's frames are
/// counted into `audio_ms`.
@Suite(.serialized) struct RouterStreamingTests {
    /// A raw HTTP/1.1 upstream on its own threads: answers the probes, counts the bytes of each
    /// synthesis body as they arrive, then answers with MPEG audio (40 frames, 1,045 ms).
    final class CountingUpstream: @unchecked Sendable {
        private var listener: RawListener?
        private(set) var port = 0
        private let lock = NSLock()
        private var _received = 0
        var received: Int { lock.withLock { _received } }
        static let mp3: [UInt8] = Array((0..<40).map { _ in [0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: 0, count: 413) }.joined())

        init() throws {
            let listener = try RawListener { [weak self] fd in self?.serve(fd) }
            self.listener = listener
            port = listener.port
        }

        func stop() { listener?.stop() }

        func serve(_ fd: Int32) {
            var timeout = timeval(tv_sec: Int(RouterStreamingTests.patience), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 65536)
            var head: [UInt8] = []
            while head.firstRange(of: [13, 10, 13, 10]) == nil {
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n > 0 else { return }
                head += buffer[0..<n]
            }
            let end = head.firstRange(of: [13, 10, 13, 10])!.upperBound
            let text = String(decoding: head[..<end], as: UTF8.self)
            func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            if text.hasPrefix("GET /health") {
                let body = Array(#"{"status":"ok","model_loaded":true}"#.utf8)
                send(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body)
                return
            }
            let length = text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            let counted = text.lowercased().contains("x-request-id:")     // a client's request, not a probe
            var got = head.count - end
            if counted { lock.withLock { _received += got } }
            while got < length {
                let n = recv(fd, &buffer, min(buffer.count, length - got), 0)
                guard n > 0 else { return }
                got += n
                if counted { lock.withLock { _received += n } }
            }
            send(Array("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: \(Self.mp3.count)\r\nConnection: close\r\n\r\n".utf8) + Self.mp3)
        }
    }

    /// How long a stalled test run may hold the router back before the test gives up.
    static let patience: Double = 180

    /// Runs blocking socket work on a thread of its own (the cooperative pool's two threads
    /// belong to the router's tasks).
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { done in Thread.detachNewThread { done.resume(returning: work()) } }
    }

    func withRouter(_ targets: [ProbeTarget], _ body: (TTSRouter, Int, String) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "ttsmon-router-stream-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = TTSRouter.Options(targets: targets)
        options.probeInterval = 60      // the first round only: the test decides what is up
        // Streaming, not timeouts, is under test: a stalled run must not cut the request.
        options.firstByteTimeout = .seconds(Int64(Self.patience))
        options.idleTimeout = .seconds(Int64(Self.patience))
        let log = dir + "/router.log"
        let router = TTSRouter(options: options, logPath: log)
        let port = try await router.start()
        do { try await body(router, port, log) } catch { await router.stop(); throw error }
        await router.stop()
    }

    /// The client sends 1 MB of an 8 MB body and waits until the upstream has read half a
    /// megabyte of it before sending the rest: a router that held the body whole would never
    /// pass those bytes on, and the test would time out instead of passing.
    @Test func aLargeBodyStreamsToTheUpstreamAsTheClientSendsIt() async throws {
        let upstream = try CountingUpstream()
        defer { upstream.stop() }
        try await withRouter([ProbeTarget(name: "main", url: "http://127.0.0.1:\(upstream.port)")]) { _, port, log in
            let total = 8 << 20
            let (answer, sawEarly) = await Self.onThread { () -> (String, Bool) in
                let fd = LoopbackSocket.connect(port: port, timeout: Int(Self.patience))
                defer { close(fd) }
                let head = "POST /tts HTTP/1.1\r\nHost: a\r\nX-Request-ID: big-upload\r\nContent-Type: application/octet-stream\r\nContent-Length: \(total)\r\nConnection: close\r\n\r\n"
                LoopbackSocket.sendAll(fd, Array(head.utf8))
                let chunk = [UInt8](repeating: 0x61, count: 1 << 20)
                LoopbackSocket.sendAll(fd, chunk)
                var early = false
                // Generous: in a full run, tests elsewhere can hold the cooperative pool's two
                // threads (the router's, and AsyncHTTPClient's body task) for over a minute.
                let deadline = Date().addingTimeInterval(Self.patience)
                while Date() < deadline {
                    if upstream.received >= 512 << 10 { early = true; break }
                    Thread.sleep(forTimeInterval: 0.01)
                }
                for _ in 1..<8 { LoopbackSocket.sendAll(fd, chunk) }
                return (LoopbackSocket.readAll(fd), early)
            }
            #expect(sawEarly, "the upstream got nothing while the client was still sending: the body was held (\(upstream.received) bytes)")
            #expect(answer.hasPrefix("HTTP/1.1 200 OK") && answer.lowercased().contains("x-request-id: big-upload"), "\(answer.prefix(200))")
            #expect(upstream.received == total)
            let text = try String(contentsOfFile: log, encoding: .utf8)
            // 40 MPEG-1 Layer III frames of 1152 samples at 44.1 kHz.
            #expect(text.contains("id=big-upload, status=success") && text.contains("audio_ms=1045"), "\(text)")
        }
    }

    /// Main refuses connections: a large body goes whole to standby (none of it had been sent).
    @Test func aRefusedTargetPassesALargeBodyWholeToTheNext() async throws {
        let upstream = try CountingUpstream()
        defer { upstream.stop() }
        let closed = try CountingUpstream()
        let closedPort = closed.port
        closed.stop()     // nothing listens there now
        try await withRouter([ProbeTarget(name: "main", url: "http://127.0.0.1:\(closedPort)"),
                              ProbeTarget(name: "standby", url: "http://127.0.0.1:\(upstream.port)")]) { _, port, log in
            let total = 3 << 20
            let answer = await Self.onThread { () -> String in
                let fd = LoopbackSocket.connect(port: port)
                defer { close(fd) }
                let head = "POST /tts HTTP/1.1\r\nHost: a\r\nX-Request-ID: to-standby\r\nContent-Length: \(total)\r\nConnection: close\r\n\r\n"
                LoopbackSocket.sendAll(fd, Array(head.utf8) + [UInt8](repeating: 0x62, count: total))
                return LoopbackSocket.readAll(fd)
            }
            #expect(answer.hasPrefix("HTTP/1.1 200 OK"), "\(answer.prefix(200))")
            #expect(upstream.received == total)
            let text = try String(contentsOfFile: log, encoding: .utf8)
            #expect(text.contains("id=to-standby, status=success") && text.contains("upstream=standby"), "\(text)")
        }
    }
}
