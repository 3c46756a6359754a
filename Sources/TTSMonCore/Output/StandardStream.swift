import Foundation

/// Standard output and standard error written with write(2), so that a closed pipe or a full
/// disk is an outcome the caller decides on, never a trap (`FileHandle.write` traps on errors).
public enum StandardStream: Sendable {
    case output, error

    /// How a write ended.
    public enum Outcome: Sendable, Equatable {
        case written
        /// The reader went away (EPIPE): a Unix tool ends quietly.
        case closedPipe
        /// Any other failure (a full disk, say), with the system's words for it.
        case failed(String)
    }

    var descriptor: Int32 { self == .output ? 1 : 2 }

    /// Writes all of `text`, retrying short writes and interruptions.
    @discardableResult
    public func write(_ text: String) -> Outcome {
        var text = text
        return text.withUTF8 { bytes in write(bytes) }
    }

    /// Writes all of `bytes`, retrying short writes and interruptions.
    @discardableResult
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        switch StandardStream.writeAll(descriptor, UnsafeRawBufferPointer(bytes)) {
        case nil: return .written
        case EPIPE: return .closedPipe
        case let error?: return .failed(String(cString: strerror(error)))
        }
    }

    /// Writes all of `bytes` to a descriptor, retrying short writes and interruptions; nil, or
    /// the errno of the failure.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard var at = bytes.baseAddress else { return nil }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, at, left)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return errno
            }
            if n == 0 { return EIO }
            at += n
            left -= n
        }
        return nil
    }
}
