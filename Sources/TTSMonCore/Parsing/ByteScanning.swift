import CTextScan
import Foundation

/// A read-only view of bytes: one line, or part of one.
public typealias ByteSpan = UnsafeBufferPointer<UInt8>

extension UnsafeBufferPointer where Element == UInt8 {
    /// A sub-span by offsets (no bounds-checked copy).
    @inline(__always)
    func slice(_ from: Int, _ to: Int) -> ByteSpan {
        ByteSpan(start: baseAddress.map { $0 + from }, count: Swift.max(0, to &- from))
    }

    /// Index of the first occurrence of `needle` at or after `from`, or nil.
    @inline(__always)
    func find(_ needle: StaticString, from: Int = 0) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard n > 0, count - from >= n, let base = baseAddress else { return nil }
        let first = needle.utf8Start.pointee
        var i = from
        let last = count - n
        while i <= last {
            guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return nil }
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at, needle.utf8Start, n) == 0 { return at }
            i = at + 1
        }
        return nil
    }

    /// True when the bytes equal `text`.
    @inline(__always)
    func equals(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, text.utf8Start, count) == 0)
    }

    /// Up to eight bytes packed into a word (0 when longer): compares short values in one step.
    @inline(__always)
    var word: UInt64 {
        guard count > 0, count <= 8, let base = baseAddress else { return 0 }
        var w: UInt64 = 0
        for i in 0..<count { w |= UInt64(base[i]) &<< (8 &* UInt64(i)) }
        return w
    }

    /// The word of a constant (see `word`).
    static func word(of text: String) -> UInt64 {
        var w: UInt64 = 0
        for (i, b) in text.utf8.prefix(8).enumerated() { w |= UInt64(b) << (8 * UInt64(i)) }
        return w
    }

    /// The bytes as a String (the caller has validated UTF-8).
    @inline(__always)
    var string: String { String(decoding: self, as: UTF8.self) }

    /// The bytes as a string of at most `limit` bytes (a name or code kept in memory: a hostile
    /// 500 KB error code keeps only its start).
    @inline(__always)
    func string(limit: Int) -> String { count <= limit ? string : slice(0, limit).string }
}

/// How many bytes of a name or code (error code, warning code, stage, model stage) are kept.
let keptNameBytes = 128

/// Small parsers for values written in logs.
enum ValueParsing {
    /// A non-negative decimal integer (optionally followed by `ms`), or nil.
    @inline(__always)
    static func integer(_ span: ByteSpan, allowMsSuffix: Bool = false) -> Int? {
        var end = span.count
        if allowMsSuffix, end >= 2, span[end - 2] == UInt8(ascii: "m"), span[end - 1] == UInt8(ascii: "s") { end -= 2 }
        guard end > 0, end <= 18 else { return nil }
        var value = 0
        for i in 0..<end {
            let d = Int(span[i]) &- 48
            guard d >= 0, d <= 9 else { return nil }
            value = value &* 10 &+ d     // at most 18 digits: no overflow
        }
        return value
    }

    /// A decimal number such as `92.7` or `93.0%` (a trailing `%` is allowed), or nil.
    static func decimal(_ span: ByteSpan) -> Double? {
        var end = span.count
        if end > 0, span[end - 1] == UInt8(ascii: "%") { end -= 1 }
        guard end > 0, end <= 32 else { return nil }
        var whole = 0.0, fraction = 0.0, scale = 1.0
        var seenDot = false, digits = 0
        var start = 0
        var negative = false
        if span[0] == UInt8(ascii: "-") { negative = true; start = 1 }
        for i in start..<end {
            let b = span[i]
            if b == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            let d = Int(b) &- 48
            guard d >= 0, d <= 9 else { return nil }
            digits += 1
            if seenDot { scale /= 10; fraction += Double(d) * scale } else { whole = whole * 10 + Double(d) }
        }
        guard digits > 0 else { return nil }
        return negative ? -(whole + fraction) : whole + fraction
    }

    /// `true`/`false` (any case), `1`/`0`, `yes`/`no`.
    static func boolean(_ span: ByteSpan) -> Bool? {
        guard let first = span.first else { return nil }
        switch first | 0x20 {
        case UInt8(ascii: "t"), UInt8(ascii: "y"): return true
        case UInt8(ascii: "f"), UInt8(ascii: "n"): return false
        case UInt8(ascii: "1"): return span.count == 1 ? true : nil
        case UInt8(ascii: "0"): return span.count == 1 ? false : nil
        default: return nil
        }
    }
}

/// Line validity: UTF-8 that decodes cleanly and holds no NUL byte.
enum LineValidation {
    /// Whether `isCleanBlock` can run here (it needs AVX2).
    static let blockCheckAvailable = ttsmon_text_check_available() != 0

    /// True when a block of whole lines is valid UTF-8 without NUL bytes, checked 32 bytes at a
    /// time. Call only when `blockCheckAvailable`.
    @inline(__always)
    static func isCleanBlock(_ block: ByteSpan) -> Bool {
        guard let base = block.baseAddress else { return true }
        return ttsmon_is_clean_text(base, block.count) != 0
    }

    /// True when the sixteen bytes at `p` are ASCII without NUL (two words, no branch per byte).
    @inline(__always)
    static func isPlainASCII16(_ p: UnsafePointer<UInt8>) -> Bool {
        let w = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        let v = UnsafeRawPointer(p + 8).loadUnaligned(as: UInt64.self)
        let bad = ((w | v) & 0x8080_8080_8080_8080)
            | ((w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080)
            | ((v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080)
        return bad == 0
    }

    /// True when `line` is valid UTF-8 without NUL bytes.
    static func isCleanText(_ line: ByteSpan) -> Bool {
        guard let base = line.baseAddress else { return true }
        let n = line.count
        var i = 0
        while i < n {
            // ASCII runs, sixteen bytes at a time.
            while i + 16 <= n, isPlainASCII16(base + i) { i += 16 }
            guard i < n else { return true }
            // Fewer than sixteen bytes left of a clean run: check the line's last sixteen at once
            // (overlapping what is already checked) instead of byte by byte.
            if i + 16 > n, n >= 16, isPlainASCII16(base + n - 16) { return true }
            let b = base[i]
            if b == 0 { return false }
            if b < 0x80 { i += 1; continue }
            // Runs of three-byte scalars (CJK) without the general checks: lead E1-EC or EE-EF,
            // two continuation bytes.
            while i + 2 < n {
                let lead = base[i]
                guard lead >= 0xE1, lead <= 0xEF, lead != 0xED,
                      base[i + 1] & 0xC0 == 0x80, base[i + 2] & 0xC0 == 0x80 else { break }
                i += 3
            }
            guard i < n else { return true }
            if base[i] < 0x80 { continue }
            // One multi-byte scalar: lead byte, continuation bytes, and the second-byte ranges
            // that exclude overlong forms, surrogates and values above U+10FFFF.
            let need: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            let lead = base[i]
            switch lead {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xED: need = 2; high = 0x9F
            case 0xE1...0xEF: need = 2
            case 0xF0: need = 3; low = 0x90
            case 0xF4: need = 3; high = 0x8F
            case 0xF1...0xF3: need = 3
            default: return false
            }
            guard i + need < n else { return false }
            let second = base[i + 1]
            guard second >= low, second <= high else { return false }
            if need >= 2 { guard base[i + 2] & 0xC0 == 0x80 else { return false } }
            if need == 3 { guard base[i + 3] & 0xC0 == 0x80 else { return false } }
            i += need + 1
        }
        return true
    }
}

/// Finding a byte in short spans, eight bytes at a time (SWAR): cheaper than a memchr call
/// for the 5-50 byte values of a log line.
enum ByteSearch {
    /// Index of the first `byte` in `base[from..<count]`, or `count`.
    @inline(__always)
    static func first(_ byte: UInt8, in base: UnsafePointer<UInt8>, from: Int, count: Int) -> Int {
        var i = from
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        while i &+ 8 <= count {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) ^ pattern
            let found = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
            if found != 0 { return i &+ found.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        while i < count {
            if base[i] == byte { return i }
            i &+= 1
        }
        return count
    }

    /// Index of the first `a` or `b` in `base[from..<count]`, or `count`.
    @inline(__always)
    static func first(_ a: UInt8, or b: UInt8, in base: UnsafePointer<UInt8>, from: Int, count: Int) -> Int {
        var i = from
        let pa = UInt64(a) &* 0x0101_0101_0101_0101
        let pb = UInt64(b) &* 0x0101_0101_0101_0101
        while i &+ 8 <= count {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let x = w ^ pa, y = w ^ pb
            let found = ((x &- 0x0101_0101_0101_0101) & ~x | (y &- 0x0101_0101_0101_0101) & ~y) & 0x8080_8080_8080_8080
            if found != 0 {
                // The lowest flagged byte is a true match (borrows only run upward).
                return i &+ found.trailingZeroBitCount &>> 3
            }
            i &+= 8
        }
        while i < count {
            if base[i] == a || base[i] == b { return i }
            i &+= 1
        }
        return count
    }
}
