import Foundation

/// A growable byte buffer with the few formatting primitives the renderers need
/// (integers, fixed-point decimals, timestamps, escaped strings) written straight as bytes.
struct GenLineBuffer {
    var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    @inline(__always)
    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    @inline(__always)
    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    @inline(__always)
    mutating func append(raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// Ends a line with `\n`, or `\r\n` when `crlf`.
    @inline(__always)
    mutating func newline(crlf: Bool = false) {
        if crlf { bytes.append(0x0D) }
        bytes.append(0x0A)
    }

    /// Decimal integer.
    mutating func appendInt(_ value: Int) {
        var magnitude: UInt64
        if value < 0 {
            bytes.append(0x2D)
            magnitude = UInt64(bitPattern: Int64(~value)) + 1
        } else {
            magnitude = UInt64(value)
        }
        if magnitude < 10 {
            bytes.append(0x30 + UInt8(magnitude))
            return
        }
        var digits = 0
        var probe = magnitude
        while probe > 0 { digits += 1; probe /= 10 }
        let base = bytes.count
        for _ in 0..<digits { bytes.append(0x30) }
        var i = base + digits - 1
        while magnitude > 0 {
            bytes[i] = 0x30 + UInt8(magnitude % 10)
            magnitude /= 10
            i -= 1
        }
    }

    /// Two digits, zero padded.
    @inline(__always)
    mutating func appendTwo(_ value: Int64) {
        bytes.append(0x30 + UInt8(value / 10))
        bytes.append(0x30 + UInt8(value % 10))
    }

    /// A non-negative tenths value as `12.3`.
    mutating func appendTenths(_ tenths: Int) {
        appendInt(tenths / 10)
        bytes.append(0x2E)
        bytes.append(0x30 + UInt8(tenths % 10))
    }

    /// A non-negative thousandths value as `0.024`.
    mutating func appendThousandths(_ thousandths: Int) {
        appendInt(thousandths / 1000)
        bytes.append(0x2E)
        let frac = thousandths % 1000
        bytes.append(0x30 + UInt8(frac / 100))
        bytes.append(0x30 + UInt8(frac / 10 % 10))
        bytes.append(0x30 + UInt8(frac % 10))
    }

    /// `YYYY-MM-DD HH:MM:SS,mmm` of epoch milliseconds (UTC, years 0...9999).
    mutating func appendTimestamp(_ ms: Int64) {
        let day = ms >= 0 ? ms / GenClock.msPerDay : (ms - GenClock.msPerDay + 1) / GenClock.msPerDay
        var rest = ms - day * GenClock.msPerDay
        let date = GenClock.civil(days: day)
        appendTwo(date.year / 100)
        appendTwo(date.year % 100)
        bytes.append(0x2D)
        appendTwo(date.month)
        bytes.append(0x2D)
        appendTwo(date.day)
        bytes.append(0x20)
        let milli = rest % 1000
        rest /= 1000
        appendTwo(rest / 3600)
        bytes.append(0x3A)
        appendTwo(rest / 60 % 60)
        bytes.append(0x3A)
        appendTwo(rest % 60)
        bytes.append(0x2C)
        bytes.append(0x30 + UInt8(milli / 100))
        appendTwo(milli % 100)
    }

    /// The text inside double quotes with `"` written as `\"` (the IndexTTS quoting rule).
    mutating func appendQuoted(_ text: String) {
        bytes.append(0x22)
        for byte in text.utf8 {
            if byte == 0x22 || byte == 0x5C { bytes.append(0x5C) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }

    /// A JSON string literal (quotes included) with standard escaping; non-ASCII stays UTF-8.
    mutating func appendJSONString(_ text: String) {
        bytes.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0x00..<0x20:
                append("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    /// Lowercase hex, zero padded to `digits`.
    mutating func appendHex(_ value: UInt64, digits: Int) {
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            let nibble = UInt8((value >> UInt64(shift)) & 0xF)
            bytes.append(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
        }
    }
}
