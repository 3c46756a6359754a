import Foundation
import TTSMonCore

/// A colour as a theme names it.
public enum ThemeColor: Equatable, Sendable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// One of the 16 ANSI colours (0-15).
    case ansi(Int)
    /// A 256-colour palette index.
    case indexed(Int)
    case rgb(UInt8, UInt8, UInt8)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses `default`, `red`, `bright_red`, `color208`, `#RRGGBB`.
    public init?(_ text: String) {
        let t = text.lowercased()
        if t == "default" { self = .terminalDefault; return }
        if let i = ThemeColor.names.firstIndex(of: t) { self = .ansi(i); return }
        if t.hasPrefix("bright_"), let i = ThemeColor.names.firstIndex(of: String(t.dropFirst(7))) { self = .ansi(i + 8); return }
        if t.hasPrefix("color"), let n = Int(t.dropFirst(5)), (0...255).contains(n) { self = .indexed(n); return }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            self = .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)); return
        }
        return nil
    }
}

/// How one role looks.
public struct Style: Equatable, Sendable {
    public var fg: ThemeColor
    public var bg: ThemeColor
    public var bold: Bool
    public init(_ fg: ThemeColor, _ bg: ThemeColor = .terminalDefault, bold: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold
    }
}

/// Semantic roles mapped to styles, loaded from `themes/*.theme` (btop and lnav style). The
/// built-in default is the schema: a file may set any role it names, and nothing else.
public struct Theme: Equatable, Sendable {
    public var name: String
    public var styles: [Role: Style]

    public func style(_ role: Role) -> Style { styles[role] ?? Theme.builtin.styles[role] ?? Style(.terminalDefault) }

    /// The built-in default theme (dark background, 256 colours or better).
    public static let builtin = Theme(name: "default", styles: [
        .normal: Style(.terminalDefault), .title: Style(.rgb(0x8F, 0xBC, 0xFF), bold: true), .border: Style(.rgb(0x4C, 0x56, 0x6A)),
        .label: Style(.rgb(0x9A, 0xA5, 0xB1)), .value: Style(.rgb(0xEC, 0xEF, 0xF4), bold: true), .muted: Style(.rgb(0x6C, 0x76, 0x80)),
        .header: Style(.rgb(0xEC, 0xEF, 0xF4), .rgb(0x2E, 0x34, 0x40), bold: true), .footer: Style(.rgb(0xD8, 0xDE, 0xE9), .rgb(0x2E, 0x34, 0x40)),
        .key: Style(.rgb(0xEB, 0xCB, 0x8B), .rgb(0x2E, 0x34, 0x40), bold: true), .selection: Style(.rgb(0x2E, 0x34, 0x40), .rgb(0x88, 0xC0, 0xD0)),
        .ok: Style(.rgb(0xA3, 0xBE, 0x8C)), .warn: Style(.rgb(0xEB, 0xCB, 0x8B), bold: true), .crit: Style(.rgb(0xBF, 0x61, 0x6A), bold: true),
        .sparkline: Style(.rgb(0x88, 0xC0, 0xD0)), .gaugeFill: Style(.rgb(0x81, 0xA1, 0xC1)), .gaugeEmpty: Style(.rgb(0x3B, 0x42, 0x52)),
        .threshold: Style(.rgb(0xBF, 0x61, 0x6A), bold: true), .active: Style(.rgb(0xA3, 0xBE, 0x8C), bold: true),
        .standby: Style(.rgb(0x9A, 0xA5, 0xB1)), .down: Style(.rgb(0xBF, 0x61, 0x6A), bold: true), .stage: Style(.rgb(0x5E, 0x81, 0xAC)),
        .critical: Style(.rgb(0xD0, 0x87, 0x70), bold: true), .failedStage: Style(.rgb(0xBF, 0x61, 0x6A), bold: true),
        .alertFiring: Style(.rgb(0xEC, 0xEF, 0xF4), .rgb(0xBF, 0x61, 0x6A), bold: true), .alertPending: Style(.rgb(0xEB, 0xCB, 0x8B)),
        .prompt: Style(.rgb(0xEC, 0xEF, 0xF4), .rgb(0x43, 0x4C, 0x5E), bold: true),
    ])

    /// A theme without colour (`NO_COLOR`): attributes only.
    public static let monochrome = Theme(name: "no-color", styles: Dictionary(uniqueKeysWithValues: Role.allCases.map {
        ($0, Style(.terminalDefault, bold: [.title, .value, .crit, .warn, .active, .critical, .failedStage, .key].contains($0)))
    }))

    /// Parses a theme file: `role = FG [on BG] [bold]`, `#` comments. Unknown roles and bad
    /// colours are errors naming the line.
    public static func parse(_ text: String, name: String) -> Result<Theme, InputError> {
        var styles: [Role: Style] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                return .failure(InputError("\(name):\(n + 1): expected 'role = colour', got '\(line)'"))
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard let role = Role(rawValue: key) else {
                return .failure(InputError("\(name):\(n + 1): unknown role '\(key)' (known: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))"))
            }
            var words = line[line.index(after: eq)...].split(separator: " ").map(String.init)
            var bold = false
            if let i = words.firstIndex(of: "bold") { bold = true; words.remove(at: i) }
            var bg = ThemeColor.terminalDefault
            if let on = words.firstIndex(of: "on") {
                guard on + 1 < words.count, let color = ThemeColor(words[on + 1]) else {
                    return .failure(InputError("\(name):\(n + 1): bad background colour for '\(key)'"))
                }
                bg = color
                words.removeSubrange(on...(on + 1))
            }
            guard words.count == 1, let fg = ThemeColor(words[0]) else {
                return .failure(InputError("\(name):\(n + 1): bad colour '\(words.joined(separator: " "))' for '\(key)' (use #RRGGBB, a colour name, colorN or default)"))
            }
            styles[role] = Style(fg, bg, bold: bold)
        }
        return .success(Theme(name: name, styles: styles))
    }

    /// Loads `--theme NAME|FILE`: a path, or a name looked up in the theme directories.
    public static func load(_ nameOrPath: String, directories: [String]) -> Result<Theme, InputError> {
        if nameOrPath == "default" { return .success(.builtin) }
        let candidates = nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme")
            ? [nameOrPath] : directories.map { "\($0)/\(nameOrPath).theme" }
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                return .failure(InputError("\(path): cannot read theme"))
            }
            return parse(text, name: path)
        }
        return .failure(InputError("theme '\(nameOrPath)' not found (looked in \(directories.joined(separator: ", ")))"))
    }

    /// Where shipped themes live: beside the source tree when run from a checkout, or installed.
    public static func searchDirectories(executable: String = CommandLine.arguments[0]) -> [String] {
        let exe = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        var dirs = [FileManager.default.currentDirectoryPath + "/themes"]
        var up = exe
        for _ in 0..<4 { dirs.append(up.appendingPathComponent("themes").path); up.deleteLastPathComponent() }
        dirs.append(exe.deletingLastPathComponent().appendingPathComponent("share/ttsmon/themes").path)
        if let config = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"] { dirs.append(config + "/ttsmon/themes") }
        var seen = Set<String>()
        return dirs.filter { seen.insert($0).inserted }
    }
}
