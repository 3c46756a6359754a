import Foundation
import TTSMonUI

/// How the dashboard draws text.
public enum TextMode: String, Sendable {
    /// UTF-8 when the terminal can show it, switching to a UTF-8 locale the system has when the
    /// inherited one is not (as btop does); ASCII stand-ins under `TERM=vt100`, `linux` or `dumb`
    /// with a non-UTF-8 locale.
    case auto
    /// The terminal shows UTF-8 whatever `TERM` says (`--utf8`).
    case utf8
    /// ASCII stand-ins only (`--ascii`).
    case ascii
}

/// Chooses the process locale before curses starts: the one inherited when it is UTF-8, else a
/// UTF-8 one the system has (`C.UTF-8`, then `en_US.UTF-8`, …) when the terminal can take it.
enum LocaleChoice {
    /// UTF-8 locales tried, in order, when the inherited one is not UTF-8.
    static let candidates = ["C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8", "en_GB.UTF-8", "zh_CN.UTF-8"]

    /// Terminals that cannot show UTF-8 (unless `--utf8` says otherwise).
    static func isASCIIOnly(term: String) -> Bool {
        term.hasPrefix("vt1") || term.hasPrefix("vt2") || term == "vt52" || term == "dumb" || term == "linux-ascii"
    }

    static var codesetIsUTF8: Bool {
        String(cString: nl_langinfo(nl_item(CODESET))).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
    }

    /// Sets the locale; returns whether to draw Unicode and a note saying which locale is used.
    static func apply(_ mode: TextMode, term: String) -> (unicode: Bool, note: String) {
        let inherited = String(cString: setlocale(LC_ALL, "") ?? setlocale(LC_ALL, nil))
        if mode == .ascii { return (false, "locale \(inherited), ASCII (--ascii)") }
        let terminalTakesUTF8 = mode == .utf8 || !(isASCIIOnly(term: term) || term == "linux")
        if codesetIsUTF8 {
            let unicode = mode == .utf8 || !isASCIIOnly(term: term)
            return (unicode, "locale \(inherited)" + (unicode ? "" : ", ASCII (TERM=\(term))"))
        }
        guard terminalTakesUTF8 else { return (false, "locale \(inherited), ASCII (TERM=\(term))") }
        for candidate in candidates where setlocale(LC_ALL, candidate) != nil {
            if codesetIsUTF8 { return (true, "locale \(candidate) (the inherited \(inherited) is not UTF-8)") }
        }
        setlocale(LC_ALL, "")
        return (false, "locale \(inherited), ASCII: no UTF-8 locale on this system")
    }
}
