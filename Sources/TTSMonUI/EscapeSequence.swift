/// Decodes the escape sequences terminals send for special keys, for when curses did not: a
/// sequence its terminfo entry does not list (`End` as `ESC [ 4 ~` under `TERM=xterm-256color`
/// inside tmux) or one split by a slow ssh link. A key's sequence is never delivered as Esc
/// followed by letters (`End` read as Esc + `4` would press the demo's kill key).
public enum EscapeSequence {
    public enum Outcome: Equatable, Sendable {
        /// A whole sequence: the key's name as the keymap uses it.
        case key(String)
        /// Esc on its own, then `after` (the character that followed it) as the next key.
        case escapeThen(Unicode.Scalar)
        /// More characters are needed (when none come in time: Esc alone).
        case incomplete
        /// A complete sequence of no key the dashboard uses: swallowed whole.
        case unknown
    }

    /// The longest sequence waited for.
    static let maxLength = 16

    /// Decodes what followed an ESC so far.
    public static func decode(_ after: [Unicode.Scalar]) -> Outcome {
        guard let first = after.first else { return .incomplete }
        switch first {
        case "[": return csi(Array(after.dropFirst()))
        case "O": return ss3(Array(after.dropFirst()))
        default: return .escapeThen(first)   // Esc Esc is two Escs (two levels back)
        }
    }

    /// `ESC [ params final`.
    static func csi(_ rest: [Unicode.Scalar]) -> Outcome {
        guard let finalIndex = rest.firstIndex(where: { (0x40...0x7E).contains($0.value) }) else {
            if rest.count >= maxLength || rest.contains(where: { $0.value < 0x20 || $0.value > 0x7E }) { return .unknown }
            return .incomplete
        }
        let params = String(String.UnicodeScalarView(rest[..<finalIndex]))
        let first = Int(params.split(separator: ";").first ?? "") ?? 1
        if let key = finalKeys[rest[finalIndex]] { return .key(key) }
        switch rest[finalIndex] {
        case "Z": return .key("backtab")
        case "~":
            switch first {
            case 1, 7: return .key("home")
            case 4, 8: return .key("end")
            case 5: return .key("pageup")
            case 6: return .key("pagedown")
            case 11...15: return .key("f\(first - 10)")
            case 17...21: return .key("f\(first - 11)")
            case 23, 24: return .key("f\(first - 12)")
            default: return .unknown
            }
        default: return .unknown
        }
    }

    /// `ESC O x` (application cursor keys, F1–F4).
    static func ss3(_ rest: [Unicode.Scalar]) -> Outcome {
        guard let final = rest.first else { return .incomplete }
        if final == "M" { return .key("enter") }
        return finalKeys[final].map { .key($0) } ?? .unknown
    }

    /// Keys told by the final character alone, after `ESC [` (with any parameters) or `ESC O`.
    static let finalKeys: [Unicode.Scalar: String] = [
        "A": "up", "B": "down", "C": "right", "D": "left", "H": "home", "F": "end",
        "P": "f1", "Q": "f2", "R": "f3", "S": "f4",
    ]
}
