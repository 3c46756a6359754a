import Foundation

/// Colour and other escape sequences some writers put in their lines (loguru and werkzeug on a
/// terminal, `docker logs` of such a service): removed before a line is read.
enum ANSIEscapes {
    /// The line without its escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ST`, and
    /// two-byte escapes); nil when it has none.
    static func stripped(_ line: ByteSpan) -> [UInt8]? {
        guard let base = line.baseAddress, memchr(base, 27, line.count) != nil else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(line.count)
        var i = 0
        let n = line.count
        while i < n {
            let b = line[i]
            guard b == 27 else { out.append(b); i += 1; continue }
            i += 1
            guard i < n else { break }
            let kind = line[i]
            i += 1
            if kind == UInt8(ascii: "[") {
                while i < n, !(0x40...0x7E).contains(line[i]) { i += 1 }
                i += 1
            } else if kind == UInt8(ascii: "]") {
                while i < n, line[i] != 7, line[i] != 27 { i += 1 }
                if i < n, line[i] == 27 { i += 1 }
                i += 1
            }
        }
        return out
    }
}
