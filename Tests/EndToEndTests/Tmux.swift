import Foundation
import TTSMonCore

/// Drives a program in a detached tmux session on its own socket: no controlling TTY needed.
final class Tmux {
    let socket = "ttsmon-test-\(UUID().uuidString.prefix(8))"
    let session = "t"

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") || which("tmux") != nil }

    static func which(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tmux command with posix_spawn and waitpid (Foundation's Process was seen to hang
    /// when tmux forks its server); output goes through a file only when asked for.
    @discardableResult
    func tmux(_ args: [String], output: Bool = false) -> String {
        let file = NSTemporaryDirectory() + "tmux-out-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: file) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ? file : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([Tmux.which("tmux") ?? "/usr/bin/tmux", "-L", socket] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The test process blocks or ignores signals in its threads; a tmux server that inherits
        // a blocked SIGCHLD never reaps its shells and never exits on kill-server (one test run
        // left five servers behind). Spawn with an empty mask and default handlers.
        var pid: pid_t = 0
        guard Subprocess.withDefaultSignals({ posix_spawn(&pid, argv[0]!, &actions, &$0, argv, environ) }) == 0 else { return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return output ? ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "") : ""
    }

    /// Starts `command` (a shell line) in a pane of the given size with extra environment.
    func start(_ command: String, width: Int = 150, height: Int = 45, env: [String: String] = [:]) {
        let exports = (["XDG_CACHE_HOME": testCacheHome].merging(env) { _, new in new })
            .map { "export \($0.key)='\($0.value)';" }.joined(separator: " ")
        tmux(["new-session", "-d", "-s", session, "-x", String(width), "-y", String(height), "sh", "-c", "\(exports) \(command)"])
        tmux(["set-option", "-t", session, "remain-on-exit", "on"])
    }

    func keys(_ keys: String...) { tmux(["send-keys", "-t", session] + keys) }
    func literal(_ text: String) { tmux(["send-keys", "-t", session, "-l", text]) }
    var screen: String { tmux(["capture-pane", "-t", session, "-p"], output: true) }
    var title: String { tmux(["display-message", "-t", session, "-p", "#{pane_title}"], output: true).trimmingCharacters(in: .whitespacesAndNewlines) }
    func resize(_ w: Int, _ h: Int) { tmux(["resize-window", "-t", session, "-x", String(w), "-y", String(h)]) }
    /// Ends the server and everything it started, and waits until it is gone.
    func kill() {
        tmux(["kill-server"])
        let deadline = Date().addingTimeInterval(5)
        while Tmux.serverPIDs(socket: socket).isEmpty == false, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for pid in Tmux.serverPIDs(socket: socket) { Glibc.kill(pid, SIGKILL) }
    }

    /// Pids of the `ttsmon demo` processes this session's pane started (children of its shell).
    func demoPIDs() -> [pid_t] {
        guard let pane = pid_t(tmux(["display-message", "-t", session, "-p", "#{pane_pid}"], output: true)
            .trimmingCharacters(in: .whitespacesAndNewlines)) else { return [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, pid_t(fields[1]) == pane,
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return args.count >= 2 && args[0].hasSuffix("ttsmon") && args[1] == "demo" ? pid : nil
        }
    }

    /// Pids of tmux processes serving `socket` (their command line names it).
    static func serverPIDs(socket: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return args.first?.hasSuffix("tmux") == true && args.contains(socket) ? pid : nil
        }
    }

    /// Presses `q` and waits for the `EXIT=` line the test's shell prints; returns the screen.
    func quit(timeout: Double = 15) -> String {
        keys("q")
        return waitFor(timeout) { $0.contains("EXIT=") }
    }

    /// Waits until the screen satisfies `condition` (or the timeout passes); returns the screen.
    @discardableResult
    func waitFor(_ timeout: Double = 15, _ condition: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var s = screen
        while !condition(s), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            s = screen
        }
        return s
    }
}
