import Foundation
import TTSMonCore

/// A TCP listener on 127.0.0.1 whose connections are served by plain threads with blocking
/// sockets: raw upstreams for the router's tests (stalling, counting) that no HTTP library would
/// let misbehave.
final class RawListener: @unchecked Sendable {
    let fd: Int32
    let port: Int

    /// Listens on a free port and calls `serve` for each connection on a thread of its own
    /// (the connection is closed when `serve` returns).
    init(serve: @escaping @Sendable (Int32) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw InputError("cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread {
            while true {
                let c = accept(fd, nil, nil)
                guard c >= 0 else { return }
                Thread { serve(c); close(c) }.start()
            }
        }.start()
    }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}
