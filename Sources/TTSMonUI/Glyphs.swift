/// Box, bar and sparkline characters, with ASCII stand-ins for terminals and locales that
/// cannot show them (`TERM=vt100`, `LANG=C`).
public enum Glyphs {
    public static let sparks: [String] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static let ascii: [String: String] = [
        "─": "-", "│": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+", "┬": "+", "┴": "+",
        "█": "#", "▏": "|", "▕": "|", "░": ".", "▒": ":", "▓": "%", "●": "*", "○": "o", "✗": "x", "◀": "<",
        "▶": ">", "↑": "^", "↓": "v", "→": ">", "←": "<", "▲": "^", "▼": "v", "·": ".", "…": "~", "│▏": "|",
        "▁": "_", "▂": ".", "▃": ":", "▄": "-", "▅": "=", "▆": "+", "▇": "*", "━": "=", "✓": "+", "◔": "~", "⚠": "!",
    ]

    /// The ASCII stand-in for a cell's text: box drawing mapped, anything else non-ASCII shown
    /// as `?` per column.
    public static func asciiFallback(_ text: String) -> String {
        if text.isEmpty { return "" }
        if text.unicodeScalars.allSatisfy({ $0.value < 0x7F }) { return text }
        if let mapped = ascii[text] { return mapped }
        return String(repeating: "?", count: max(1, DisplayWidthOfText.of(text)))
    }
}

import TTSMonCore
typealias DisplayWidthOfText = DisplayWidth
