/// A strftime-style layout of a timestamp, for user formats (`time_format`): `%Y %m %d %H %M
/// %S` (two digits, `%Y` four), `%f` (1–9 fraction digits), `%b` (`Jun`), `%z` (`+0800`,
/// `+08:00` or `Z`, applied), `%%`; anything else must appear as written.
public struct TimeFormat: Sendable, Equatable {
    enum Piece: Sendable, Equatable { case year, month, day, hour, minute, second, fraction, monthName, zone, literal(UInt8) }
    let pieces: [Piece]

    /// Nil with the reason when the layout has an unknown directive or lacks a date or time.
    public init(_ text: String) throws(FormatFileError.Reason) {
        var pieces: [Piece] = []
        var it = Array(text.utf8).makeIterator()
        while let c = it.next() {
            guard c == UInt8(ascii: "%") else { pieces.append(.literal(c)); continue }
            switch it.next() {
            case UInt8(ascii: "Y"): pieces.append(.year)
            case UInt8(ascii: "m"): pieces.append(.month)
            case UInt8(ascii: "d"): pieces.append(.day)
            case UInt8(ascii: "H"): pieces.append(.hour)
            case UInt8(ascii: "M"): pieces.append(.minute)
            case UInt8(ascii: "S"): pieces.append(.second)
            case UInt8(ascii: "f"): pieces.append(.fraction)
            case UInt8(ascii: "b"): pieces.append(.monthName)
            case UInt8(ascii: "z"): pieces.append(.zone)
            case UInt8(ascii: "%"): pieces.append(.literal(UInt8(ascii: "%")))
            case let d?: throw .init("unknown directive %\(Character(Unicode.Scalar(d))) (known: %Y %m %b %d %H %M %S %f %z %%)")
            case nil: throw .init("a lone % at the end")
            }
        }
        guard pieces.contains(.year), pieces.contains(.month) || pieces.contains(.monthName), pieces.contains(.day),
              pieces.contains(.hour), pieces.contains(.minute) else { throw .init("needs at least %Y, %m (or %b), %d, %H and %M") }
        self.pieces = pieces
    }

    /// The time in `bytes` (all of them), nil when it does not fit the layout.
    public func parse(_ bytes: ByteSpan) -> LogTimestamp? {
        var i = 0
        let n = bytes.count
        var year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0
        var offset: Int?
        func digits(_ width: Int) -> Int? {
            guard i + width <= n else { return nil }
            var v = 0
            for _ in 0..<width {
                let d = Int(bytes[i]) - 48
                guard (0...9).contains(d) else { return nil }
                v = v * 10 + d; i += 1
            }
            return v
        }
        for piece in pieces {
            switch piece {
            case .year: guard let v = digits(4) else { return nil }; year = v
            case .month: guard let v = digits(2) else { return nil }; month = v
            case .day: guard let v = digits(2) else { return nil }; day = v
            case .hour: guard let v = digits(2) else { return nil }; hour = v
            case .minute: guard let v = digits(2) else { return nil }; minute = v
            case .second: guard let v = digits(2) else { return nil }; second = v
            case .fraction:
                var count = 0, value = 0
                while i < n, bytes[i] >= 48, bytes[i] <= 57 {
                    if count < 3 { value = value * 10 + Int(bytes[i]) - 48 }
                    count += 1; i += 1
                }
                guard (1...9).contains(count) else { return nil }
                if count < 3 { for _ in count..<3 { value *= 10 } }
                millis = value
            case .monthName:
                guard i + 3 <= n, let m = LogTimestamp.monthNames.firstIndex(where: { bytes.slice(i, i + 3).equals($0) }) else { return nil }
                month = m + 1; i += 3
            case .zone:
                guard i < n else { return nil }
                if bytes[i] == UInt8(ascii: "Z") { offset = 0; i += 1; continue }
                guard bytes[i] == 43 || bytes[i] == 45, let (seconds, length) = LogTimestamp.zoneOffset(bytes, at: i + 1) else { return nil }
                offset = bytes[i] == 45 ? -seconds : seconds
                i += 1 + length
            case .literal(let c):
                guard i < n, bytes[i] == c else { return nil }
                i += 1
            }
        }
        guard i == n, let ts = LogTimestamp(year: year, month: month, day: day, hour: hour, minute: minute,
                                            second: second, millisecond: millis) else { return nil }
        return offset.map { ts.convertedToLocal(fromOffsetSeconds: $0) } ?? ts
    }
}
