import CTextScan
import Foundation

/// A child process started with posix_spawn and reaped with waitpid, its output read through a
/// pipe with a deadline: nothing here waits on Foundation's process monitoring (seen to stall
/// under load), so a hung child costs at most its timeout.
public final class Subprocess {
    public let pid: pid_t
    /// The read end of the child's standard output.
    public let output: Int32
    private var reaped = false
    public private(set) var exitStatus: Int32?

    /// Starts `arguments[0]` (a path) with the rest as its arguments; standard input and error
    /// are `/dev/null`. Signals start unblocked and at their defaults (the parent may ignore or
    /// block some), and the pipe is not inherited by anything else started later.
    public init(_ arguments: [String], environment: [String: String]? = nil) throws {
        var fds: [Int32] = [-1, -1]
        // Not inherited by whatever else this process starts (its holder would keep the pipe open).
        guard ttsmon_pipe_cloexec(&fds) == 0 else { throw InputError("pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { env?.forEach { free($0) } }
        var child: pid_t = 0
        let rc = Subprocess.withDefaultSignals { attributes in
            env.map { e in posix_spawn(&child, argv[0]!, &actions, &attributes, argv, e) }
                ?? posix_spawn(&child, argv[0]!, &actions, &attributes, argv, environ)
        }
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw InputError("\(arguments[0]): \(String(cString: strerror(rc)))")
        }
        pid = child
        output = fds[0]
    }

    deinit {
        kill()
        close(output)
    }

    /// Spawn attributes that start a child with no signal blocked and the usual ones at their
    /// default action: a parent may block or ignore them (ttsmon ignores SIGINT and SIGTERM for
    /// its own handling), and a child that inherits a blocked SIGCHLD never reaps its own.
    public static func withDefaultSignals<T>(_ body: (inout posix_spawnattr_t) -> T) -> T {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGCHLD, SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        return body(&attributes)
    }

    /// Up to `limit` bytes of output, until the child closes it or `deadline` passes (then nil).
    public func read(until deadline: Date, limit: Int = 1 << 20) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while out.count < limit {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            var p = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(min(left * 1000 + 1, 60_000)))
            if ready < 0 { if errno == EINTR { continue }; return nil }
            if ready == 0 { continue }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; return out }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// The exit status once the child has ended, waiting until `deadline` at most.
    public func wait(until deadline: Date) -> Int32? {
        while !reaped {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                reaped = true
                exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            } else if r < 0, errno != EINTR {
                reaped = true
            } else {
                if Date() >= deadline { return nil }
                usleep(5_000)
            }
        }
        return exitStatus
    }

    /// The first line of output (without its newline), reading until `deadline`.
    public func firstLine(until deadline: Date) -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while Date() < deadline {
            var p = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) >= 0 else { return nil }
            if p.revents == 0 { continue }
            guard Glibc.read(output, &byte, 1) == 1 else { return nil }
            if byte == 10 { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return nil
    }

    /// Ends the child at once (SIGKILL) and reaps it, waiting a second at most: a child stuck in
    /// the kernel (a hung driver's nvidia-smi) dies only when the kernel lets it, and is then
    /// reaped by a thread of its own instead of blocking the caller.
    public func kill() {
        guard !reaped else { return }
        Glibc.kill(pid, SIGKILL)
        guard wait(until: Date().addingTimeInterval(1)) == nil, !reaped else { return }
        reaped = true
        let stuck = pid
        let reaper = Thread {
            var status: Int32 = 0
            while waitpid(stuck, &status, 0) < 0, errno == EINTR {}
        }
        reaper.name = "ttsmon-reaper"
        reaper.start()
    }

    /// Runs to the end: its exit status and output, or nil when it took longer than `timeout`
    /// (it is then killed).
    public static func run(_ arguments: [String], timeout: Double, limit: Int = 1 << 20) throws -> (status: Int32, output: [UInt8])? {
        let child = try Subprocess(arguments)
        let deadline = Date().addingTimeInterval(timeout)
        guard let out = child.read(until: deadline, limit: limit), let status = child.wait(until: deadline) else {
            child.kill()
            return nil
        }
        return (status, out)
    }
}
