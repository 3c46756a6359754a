/// Makes log text safe for a terminal: escape sequences, C0/C1 controls and invalid UTF-8 never
/// pass. Tabs become a space; everything else that is not printable is dropped or replaced.
public enum Sanitizer {
    /// Sanitises a string (already valid Unicode).
    public static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let s = scalars.next() {
            switch s.value {
            case 0x1B:
                skipEscape(&scalars)
            case 0x09:
                out.append(" ")
            case 0x00..<0x20, 0x7F, 0x80...0x9F:
                continue
            case 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                continue  // line separators and bidi overrides
            case 0x200B, 0x2060, 0xFEFF, 0x00AD, 0x061C, 0x180E:
                continue  // invisible: zero-width space, word joiner, BOM, soft hyphen, marks
            default:
                out.append(s)
            }
        }
        return String(out)
    }

    /// Sanitises raw bytes: invalid UTF-8 becomes U+FFFD, then `clean`.
    public static func clean(bytes: ByteSpan) -> String {
        clean(String(decoding: bytes, as: UTF8.self))
    }

    /// Skips the rest of an escape sequence (CSI, OSC, or a two-byte escape).
    static func skipEscape(_ it: inout String.UnicodeScalarView.Iterator) {
        guard let next = it.next() else { return }
        switch next {
        case "[":
            // CSI: parameters then one final byte in 0x40...0x7E.
            while let c = it.next() { if (0x40...0x7E).contains(c.value) { return } }
        case "]", "P", "X", "^", "_":
            // OSC/DCS/...: until BEL or ST (ESC \).
            while let c = it.next() {
                if c.value == 0x07 { return }
                if c.value == 0x1B { _ = it.next(); return }
            }
        default:
            return
        }
    }
}
