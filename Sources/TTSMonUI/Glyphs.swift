/// Box, bar and sparkline characters, with ASCII stand-ins for terminals and locales that
/// cannot show them (`TERM=vt100`, `LANG=C`).
public enum Glyphs {
    public static let sparks: [String] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    /// Eighths of a cell's height, 0 to 8.
    public static let eighths: [String] = [" "] + sparks

    /// Box drawing and bar glyphs: structure, several to one character where they draw alike.
    static let asciiStructure: [String: String] = [
        "─": "-", "│": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+", "┬": "+", "┴": "+",
        "━": "=", "▏": "|", "▕": "|", "│▏": "|",
        "▁": "_", "▂": ".", "▃": ":", "▄": "-", "▅": "=", "▆": "+", "▇": "*", "█": "#", "░": ".", "▒": ":", "▓": "%",
    ]

    /// Glyphs that mean something: each has its own stand-in, and none is a key's letter (`↓`
    /// is not `v`, the split key).
    static let asciiSymbols: [String: String] = [
        "●": "*", "○": "o", "✗": "x", "✓": "+", "⚠": "!", "◔": "%", "…": "~",
        "◀": "<", "▶": ">", "←": "{", "→": "}", "↑": "^", "↓": "V", "▲": "A", "▼": "Y",
        "·": ",", "⏎": "@", "±": "&", "❚": "\"", "≥": "]", "≤": "[", "×": "X", "›": ")", "“": "`", "”": "'",
    ]

    static let ascii: [String: String] = asciiStructure.merging(asciiSymbols) { a, _ in a }

    /// The ASCII stand-in for a cell's text: box drawing mapped, anything else non-ASCII shown
    /// as `?` per column.
    public static func asciiFallback(_ text: String) -> String {
        if text.isEmpty { return "" }
        if text.unicodeScalars.allSatisfy({ $0.value < 0x7F }) { return text }
        if let mapped = ascii[text] { return mapped }
        // Braille dots (charts): by how many dots are set.
        if let scalar = text.unicodeScalars.first, text.unicodeScalars.count == 1, (0x2800...0x28FF).contains(scalar.value) {
            let dots = (scalar.value - 0x2800).nonzeroBitCount
            return [" ", ".", ".", ":", ":", "+", "+", "#", "#"][dots]
        }
        return String(repeating: "?", count: max(1, DisplayWidthOfText.of(text)))
    }
}

import TTSMonCore
typealias DisplayWidthOfText = DisplayWidth
