/// What a key does.
public enum Command: Equatable, Sendable {
    case quit, back, open, search, pause, cycleWindow, help, failback, save, log, split, acknowledge
    case nextPanel, previousPanel, up, down, pageUp, pageDown, top, bottom
    case problemsOnly, wrapLines, nextMatch, previousMatch, zoom
    /// A key handled by whoever embeds the dashboard (the demo's fault keys).
    case custom(String)
}

/// A key, its label and what it does, in one table that drives both dispatch and the `?`
/// overlay, so help never drifts from behaviour.
public struct KeyBinding: Equatable, Sendable {
    public var keys: [String]
    public var label: String
    public var help: String
    public var command: Command
    /// Shown in the footer hint bar.
    public var inFooter: Bool
    /// The word in the footer hint bar.
    public var short: String

    public init(_ keys: [String], _ label: String, _ help: String, _ command: Command, footer: Bool = true, short: String? = nil) {
        self.keys = keys; self.label = label; self.help = help; self.command = command; inFooter = footer
        self.short = short ?? String(help.split(separator: " ").first ?? "")
    }
}

public enum Keymap {
    /// The dashboard's keys, in help order.
    public static let standard: [KeyBinding] = [
        KeyBinding(["/"], "/", "find a request id or any text; in the log, search its lines", .search, short: "find"),
        KeyBinding(["enter"], "⏎", "open the selected error code, request or alert", .open),
        KeyBinding(["esc"], "esc", "back one level", .back),
        KeyBinding(["tab", "right", "l-panel"], "tab", "next panel", .nextPanel, footer: false),
        KeyBinding(["backtab", "left"], "S-tab", "previous panel", .previousPanel, footer: false),
        KeyBinding(["down", "j"], "j/k", "down a line (lists, the request view, the log)", .down, footer: false),
        KeyBinding(["up", "k"], "k", "up a line", .up, footer: false),
        KeyBinding(["pagedown", "ctrl-f"], "PgDn", "page down", .pageDown, footer: false),
        KeyBinding(["pageup", "ctrl-b"], "PgUp", "page up", .pageUp, footer: false),
        KeyBinding(["g", "home"], "g", "first line", .top, footer: false),
        KeyBinding(["G", "end"], "G", "last line (in the log: the newest)", .bottom, footer: false),
        KeyBinding(["p"], "p", "pause or resume the display", .pause, short: "pause"),
        KeyBinding(["w"], "w", "cycle the window: 1m, 5m, 15m, 1h, 6h, 24h", .cycleWindow, short: "window"),
        KeyBinding(["z"], "z", "zoom the focused panel to the whole screen (←/→ move a time cursor, ⏎ lists that moment's requests)", .zoom, short: "zoom"),
        KeyBinding(["v"], "v", "split the overview per source (main beside standby); again to merge", .split, short: "split"),
        KeyBinding(["l"], "l", "live raw log (Enter on an error code there shows its lines)", .log, short: "log"),
        KeyBinding(["e"], "e", "log: only WARNING and ERROR records (tracebacks kept); again for all", .problemsOnly, footer: false),
        KeyBinding(["W"], "W", "log: wrap long lines, or cut them at the edge", .wrapLines, footer: false),
        KeyBinding(["n"], "n", "log: next (older) match of / ; N the previous (newer), wrapping around", .nextMatch, footer: false),
        KeyBinding(["N"], "N", "log: previous (newer) match", .previousMatch, footer: false),
        KeyBinding(["a"], "a", "acknowledge the selected (or first) firing alert for --ack-for", .acknowledge, short: "ack"),
        KeyBinding(["s"], "s", "save this screen as text", .save),
        KeyBinding(["F"], "F", "fail back to main (when failback is manual)", .failback, short: "failback to main"),
        KeyBinding(["?"], "?", "this help", .help, short: "help"),
        KeyBinding(["q"], "q", "quit (from the overview)", .quit),
    ]

    /// The command for a key name (`"q"`, `"enter"`, `"esc"`, `"down"`...).
    public static func command(for key: String, in table: [KeyBinding]) -> Command? {
        table.first { $0.keys.contains(key) }?.command
    }
}
