/// Aligned plain-text tables that count display columns (CJK counts as two).
public struct TextTable {
    public enum Alignment { case left, right }
    var header: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []

    public init(_ header: [String], alignments: [Alignment]) {
        self.header = header
        self.alignments = alignments
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// The table, indented by `indent` spaces, one line per row.
    public func render(indent: Int = 2) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], DisplayWidth.of(cell)) } }
        let pad = String(repeating: " ", count: indent)
        return all.map { row in
            pad + row.enumerated().map { i, cell in
                let gap = String(repeating: " ", count: widths[i] - DisplayWidth.of(cell))
                return alignments[i] == .left ? cell + gap : gap + cell
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// Terminal display width of text (East Asian wide and emoji count as two columns).
public enum DisplayWidth {
    /// Columns one scalar occupies: 0 for combining marks and zero-width, 2 for wide, else 1.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v == 0 { return 0 }
        if v < 0x300 { return 1 }
        if (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || v == 0xFE0F || v == 0xFE0E
            || (0x1AB0...0x1AFF).contains(v) || (0x20D0...0x20FF).contains(v) || (0xE0100...0xE01EF).contains(v)
            || v == 0x200D { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x1F680...0x1F6FF).contains(v) || (0x20000...0x3FFFD).contains(v)
            || (0x2600...0x26FF).contains(v) && v >= 0x2614 && scalar.properties.isEmojiPresentation {
            return 2
        }
        return 1
    }

    /// Columns a string occupies.
    public static func of(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + of($1) } }
}
