import Foundation

/// Compressed formats told apart by their first bytes. Only gzip is read; the others are named
/// so that a user learns why a file gave nothing, instead of "0 total".
public enum Compression: String, Sendable {
    case gzip, bzip2, xz, zstd

    /// The longest magic number, in bytes.
    static let magicLength = 6

    /// The compression whose magic starts `bytes`, if any.
    static func detect(_ bytes: some Collection<UInt8>) -> Compression? {
        let b = Array(bytes.prefix(magicLength))
        if b.starts(with: [0x1F, 0x8B]) { return .gzip }
        if b.starts(with: [0x42, 0x5A, 0x68]) { return .bzip2 }             // "BZh"
        if b.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if b.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        return nil
    }

    /// The compression of the file at `path` (nil for plain text, or when it cannot be read).
    static func ofFile(_ path: String) -> Compression? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: magicLength)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? detect(head.prefix(n)) : nil
    }

    /// Why a file in this format is not read (nil for gzip, which is).
    var unsupported: String? {
        let tool: String
        switch self {
        case .gzip: return nil
        case .bzip2: tool = "bzcat"
        case .xz: tool = "xzcat"
        case .zstd: tool = "zstdcat"
        }
        return "\(rawValue)-compressed, which ttsmon does not read (try: \(tool) FILE | ttsmon report -)"
    }
}
