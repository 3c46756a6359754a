import CNcurses
import Foundation
import TTSMonUI

/// A key as the dashboard sees it.
public enum Key: Equatable, Sendable {
    case char(Character)
    case enter, escape, tab, backTab, backspace, up, down, left, right, pageUp, pageDown, home, end
    case resize
    case function(Int)
    /// A control character typed with Ctrl (`ctrl-b`, `ctrl-f`).
    case control(Character)

    /// Keys that are not characters, with their keymap names.
    static let named: [(Key, String)] = [
        (.enter, "enter"), (.escape, "esc"), (.tab, "tab"), (.backTab, "backtab"), (.backspace, "backspace"),
        (.up, "up"), (.down, "down"), (.left, "left"), (.right, "right"),
        (.pageUp, "pageup"), (.pageDown, "pagedown"), (.home, "home"), (.end, "end"),
    ]

    /// The key with a keymap name (`"end"`, `"f5"`, `"ctrl-b"`, `"q"`…); nil for names no key has.
    public init?(name: String) {
        if let key = Key.named.first(where: { $0.1 == name })?.0 { self = key; return }
        if name.hasPrefix("f"), let n = Int(name.dropFirst()) { self = .function(n); return }
        if name.hasPrefix("ctrl-"), name.count == 6, let c = name.last { self = .control(c); return }
        guard name.count == 1, let c = name.first else { return nil }
        self = .char(c)
    }

    /// The name the dashboard's keymap uses (`"q"`, `"enter"`, `"esc"`, `"down"`...); nil for
    /// events that are not keys (resize).
    public var name: String? {
        switch self {
        case .char(let c): return String(c)
        case .resize: return nil
        case .function(let n): return "f\(n)"
        case .control(let c): return "ctrl-\(c)"
        default: return Key.named.first { $0.0 == self }?.1
        }
    }
}

/// The only code that talks to ncurses: starts and restores the terminal, turns grid changes
/// into curses calls (only changed cells), maps theme roles to colour pairs, reads keys.
public final class Terminal {
    let window: UnsafeMutablePointer<WINDOW>
    let theme: Theme
    /// The locale is UTF-8 and the terminal can show box drawing.
    public let unicode: Bool
    public let colors: Bool
    var pairs: [Role: Int32] = [:]
    var previous: Grid?
    var ended = false

    /// The locale in use and how it was chosen, for the help overlay.
    public let localeNote: String

    /// Takes over the terminal. `NO_COLOR` and `TERM=vt100` are honoured; a non-UTF-8 locale
    /// (`LANG=C` over ssh) is replaced by a UTF-8 one the system has when the terminal can show
    /// UTF-8 (see `TextMode`), so Chinese text is not drawn as `????`.
    public init(theme: Theme, lowColorTheme: Theme? = nil, text: TextMode = .auto) {
        let choice = LocaleChoice.apply(text, term: ProcessInfo.processInfo.environment["TERM"] ?? "")
        unicode = choice.unicode
        localeNote = choice.note
        window = initscr()!
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        intrflush(window, false)
        curs_set(0)
        set_escdelay(25)
        wtimeout(window, 100)
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        colors = has_colors() && !noColor
        if colors { start_color() }   // COLORS is known only after start_color
        self.theme = noColor ? .monochrome : (colors && ttsmon_colors() < 256 ? lowColorTheme ?? theme : theme)
        if colors {
            use_default_colors()
            setupPairs()
        }
    }

    /// Restores the terminal (idempotent).
    public func end() {
        guard !ended else { return }
        ended = true
        endwin()
    }

    deinit { end() }

    /// Current size in cells.
    public var size: (width: Int, height: Int) {
        var h: Int32 = 0, w: Int32 = 0
        h = getmaxy(window); w = getmaxx(window)
        return (Int(w), Int(h))
    }

    func setupPairs() {
        let maxPairs = Int(ttsmon_color_pairs())
        var next: Int32 = 1
        for role in Role.allCases where Int(next) < maxPairs {
            let style = theme.style(role)
            init_pair(Int16(next), Int16(map(style.fg)), Int16(map(style.bg)))
            pairs[role] = next
            next += 1
        }
    }

    /// A theme colour as a curses colour number for this terminal (-1: default).
    func map(_ color: ThemeColor) -> Int32 {
        let count = Int(ttsmon_colors())
        switch color {
        case .terminalDefault: return -1
        // With 8 colours a bright colour is its plain one, and bright black (grey) is white:
        // never black on a black background.
        case .ansi(let n): return Int32(count >= 16 ? n : n == 8 ? 7 : n % 8)
        case .indexed(let n): return Int32(count >= 256 ? n : nearestBasic(Terminal.paletteRGB(n)))
        case .rgb(let r, let g, let b):
            if count >= 256 { return Int32(Terminal.cubeIndex(r, g, b)) }
            return Int32(nearestBasic((r, g, b)))
        }
    }

    static func cubeIndex(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        func level(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40 }
        let (lr, lg, lb) = (level(r), level(g), level(b))
        // Greys are closer on the grey ramp.
        if abs(Int(r) - Int(g)) < 12, abs(Int(g) - Int(b)) < 12 {
            let avg = (Int(r) + Int(g) + Int(b)) / 3
            if avg > 8, avg < 238 { return 232 + min(23, (avg - 8) / 10) }
        }
        return 16 + 36 * lr + 6 * lg + lb
    }

    static func paletteRGB(_ n: Int) -> (UInt8, UInt8, UInt8) {
        guard n >= 16 else { return (n & 1 != 0 ? 200 : 0, n & 2 != 0 ? 200 : 0, n & 4 != 0 ? 200 : 0) }
        if n >= 232 { let v = UInt8(8 + (n - 232) * 10); return (v, v, v) }
        let i = n - 16
        let steps: [UInt8] = [0, 95, 135, 175, 215, 255]
        return (steps[i / 36], steps[(i / 6) % 6], steps[i % 6])
    }

    func nearestBasic(_ c: (UInt8, UInt8, UInt8)) -> Int {
        let (r, g, b) = (Int(c.0), Int(c.1), Int(c.2))
        let bright = max(r, g, b) > 170
        var n = (r > 110 ? 1 : 0) | (g > 110 ? 2 : 0) | (b > 110 ? 4 : 0)
        if n == 0, bright || max(r, g, b) > 60 { n = 7 }
        return Int(ttsmon_colors()) >= 16 && bright ? n + 8 : n
    }

    /// Sends the cells that changed since the last frame, then refreshes.
    public func draw(_ grid: Grid) {
        let size = self.size
        if previous.map({ $0.width != size.width || $0.height != size.height }) ?? false { previous = nil; werase(window) }
        for (x, y, cell) in grid.changes(since: previous) where x < size.width && y < size.height {
            if cell.text.isEmpty { continue }   // right half of a wide character
            var text = unicode ? cell.text : Glyphs.asciiFallback(cell.text)
            // Never write into the bottom-right corner (it scrolls some terminals).
            if x == size.width - 1 && y == size.height - 1 { continue }
            if x + (text.count > 1 && !unicode ? text.count : 1) > size.width { text = "?" }
            var attrs = ttsmon_a_normal()
            let style = theme.style(cell.role)
            if cell.bold || style.bold { attrs |= ttsmon_a_bold() }
            if !colors, cell.role == .selection || cell.role == .header || cell.role == .footer || cell.role == .alertFiring || cell.role == .prompt {
                attrs |= ttsmon_a_reverse()
            }
            let pair = colors ? (pairs[cell.role] ?? 0) : 0
            wattr_set(window, attrs, Int16(pair), nil)
            var wide = Array(text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }) + [0]
            _ = wide.withUnsafeMutableBufferPointer { mvwaddnwstr(window, Int32(y), Int32(x), $0.baseAddress, Int32($0.count - 1)) }
        }
        wattr_set(window, ttsmon_a_normal(), 0, nil)
        wrefresh(window)
        previous = grid
    }

    /// Forces a full redraw on the next frame (after resize).
    public func invalidate() {
        previous = nil
        werase(window)
    }

    /// A key read ahead while decoding an escape sequence, delivered next.
    var pendingKey: Key?

    /// How long each further character of an escape sequence is waited for (a slow ssh link
    /// splits them), in milliseconds; Esc on its own is delivered after this.
    static let sequenceWaitMs: Int32 = 150

    /// Waits up to the input timeout (100 ms) for a key.
    public func readKey() -> Key? {
        if let key = pendingKey { pendingKey = nil; return key }
        guard let (kind, ch) = readRaw() else { return nil }
        if kind != KEY_CODE_YES, ch == 27 { return readEscapeSequence() }
        return key(kind: kind, ch)
    }

    func readRaw() -> (Int32, wint_t)? {
        var ch: wint_t = 0
        let kind = wget_wch(window, &ch)
        return kind == ERR ? nil : (kind, ch)
    }

    /// After an ESC curses did not decode: the rest of the sequence, each character waited for
    /// up to `sequenceWaitMs` (see `EscapeSequence`).
    func readEscapeSequence() -> Key? {
        wtimeout(window, Terminal.sequenceWaitMs)
        defer { wtimeout(window, 100) }
        var after: [Unicode.Scalar] = []
        while true {
            switch EscapeSequence.decode(after) {
            case .key(let name): return Key(name: name)
            case .unknown: return nil
            case .escapeThen(let scalar):
                pendingKey = key(kind: OK, wint_t(scalar.value))
                return .escape
            case .incomplete:
                guard let (kind, ch) = readRaw() else { return after.isEmpty ? .escape : nil }
                guard kind != KEY_CODE_YES, let scalar = Unicode.Scalar(UInt32(ch)) else {
                    pendingKey = key(kind: kind, ch)
                    return after.isEmpty ? .escape : nil
                }
                after.append(scalar)
            }
        }
    }

    func key(kind: Int32, _ ch: wint_t) -> Key? {
        if kind == KEY_CODE_YES {
            switch Int32(ch) {
            case ttsmon_key_resize(): return .resize
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_NPAGE: return .pageDown
            case KEY_PPAGE: return .pageUp
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BACKSPACE: return .backspace
            case KEY_ENTER: return .enter
            case KEY_BTAB: return .backTab
            default:
                if Int32(ch) >= KEY_F0, Int32(ch) <= KEY_F0 + 12 { return .function(Int(Int32(ch) - KEY_F0)) }
                return nil
            }
        }
        switch ch {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(ch) + 96)))
        default:
            guard let scalar = Unicode.Scalar(UInt32(ch)), ch >= 32 else { return nil }
            return .char(Character(scalar))
        }
    }

    /// Rings the bell.
    public func bell() { beep() }
}
