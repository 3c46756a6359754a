import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import TTSMonCore

/// What a failed HTTP request means, in words an on-call person reads at a glance
/// ("connection reset", "invalid HTTP response"), never a library's raw error text.
enum ProbeFailure {
    /// The system error behind `error`, when there is one.
    static func errno(of error: Error) -> Int32? {
        if let io = error as? IOError { return io.errnoCode }
        if let connect = error as? NIOConnectionError {
            return connect.connectionErrors.lazy.compactMap { errno(of: $0.error) }.first
        }
        return nil
    }

    /// Whether the connection was closed or reset before any response byte arrived: the
    /// keep-alive race in which a server drops an idle pooled connection as a request goes out.
    static func closedBeforeResponse(_ error: Error) -> Bool {
        if let channel = error as? ChannelError, channel == .ioOnClosedChannel || channel == .eof
            || channel == .alreadyClosed || channel == .outputClosed { return true }
        if let client = error as? HTTPClientError, client == .remoteConnectionClosed { return true }
        if let code = errno(of: error), code == ECONNRESET || code == EPIPE { return true }
        return false
    }

    /// The words for `error`; `timeoutSeconds` is the request's timeout.
    static func words(for error: Error, timeoutSeconds: Double) -> String {
        let timeout = String(format: "timeout after %g s", timeoutSeconds)
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout: return timeout
            case .remoteConnectionClosed: return "connection closed by server"
            case .bodyLengthMismatch: return "response body shorter than its length"
            case .invalidURL, .emptyHost, .emptyScheme, .unsupportedScheme("") : return "invalid URL"
            case .cancelled: return "cancelled"
            default: break
            }
        }
        if error is HTTPParserError { return "invalid HTTP response" }
        if let code = errno(of: error) {
            switch code {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset"
            case EPIPE: return "connection closed by server"
            case ETIMEDOUT: return timeout
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            case EADDRNOTAVAIL: return "address not available"
            default: return "connection failed: " + String(cString: strerror(code)).lowercased()
            }
        }
        if closedBeforeResponse(error) { return "connection closed by server" }
        if error is NIOConnectionError { return "cannot connect (host not found?)" }
        let text = String(describing: error)
        if text.contains("SSL") || text.contains("TLS") || text.contains("handshake") { return "TLS handshake failed" }
        if text.contains("refused") { return "connection refused" }
        return "request failed: " + Sanitizer.clean(String(text.prefix(80)))
    }
}
