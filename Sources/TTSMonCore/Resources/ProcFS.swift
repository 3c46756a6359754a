import Foundation

/// Reading Linux's `/proc`: small text files read whole with `read(2)` (their size is 0 to
/// `stat`), and the parsers of the lines ttsmon needs, as pure functions for the tests.
public enum ProcFS {
    /// The whole file, or nil when it cannot be read (gone, no permission).
    static func read(_ path: String, limit: Int = 4 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func text(_ path: String) -> String? { read(path).map { String(decoding: $0, as: UTF8.self) } }

    /// Ticks of the CPU-time counters per second (`getconf CLK_TCK`).
    static let ticksPerSecond = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
    static let pageBytes = Double(max(1, sysconf(Int32(_SC_PAGESIZE))))

    /// The host's CPU counters from `/proc/stat`'s first line: busy and total ticks.
    public struct CPUTimes: Equatable, Sendable {
        public var busy: UInt64
        public var total: UInt64

        /// `cpu  user nice system idle iowait irq softirq steal …`: idle and iowait are not busy.
        public static func parse(_ stat: String) -> CPUTimes? {
            guard let line = stat.split(separator: "\n", maxSplits: 1).first, line.hasPrefix("cpu ") else { return nil }
            let v = line.split(separator: " ").dropFirst().prefix(8).compactMap { UInt64($0) }
            guard v.count >= 5 else { return nil }
            let total = v.reduce(0, +)
            return CPUTimes(busy: total - v[3] - v[4], total: total)
        }

        /// Percent busy between two readings (nil when no time passed).
        public func percent(since earlier: CPUTimes) -> Double? {
            guard total > earlier.total, busy >= earlier.busy else { return nil }
            return min(100, Double(busy - earlier.busy) / Double(total - earlier.total) * 100)
        }
    }

    /// `/proc/loadavg`'s first figure.
    public static func load1(_ loadavg: String) -> Double? {
        loadavg.split(separator: " ").first.flatMap { Double($0) }
    }

    /// Memory in use (total less available) in percent of total, from `/proc/meminfo`.
    public static func memoryUsedPercent(_ meminfo: String) -> Double? {
        var total: Double?, available: Double?
        for line in meminfo.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2 else { continue }
            if parts[0] == "MemTotal:" { total = Double(parts[1]) }
            if parts[0] == "MemAvailable:" { available = Double(parts[1]) }
            if total != nil, available != nil { break }
        }
        guard let total, total > 0, let available else { return nil }
        return max(0, min(100, (total - available) / total * 100))
    }

    /// What `/proc/PID/stat` tells of a process.
    public struct ProcessStat: Equatable, Sendable {
        /// The executable's name (`comm`, at most 15 bytes).
        public var command: String
        public var parent: Int
        /// User plus system CPU time, in ticks.
        public var cpuTicks: UInt64
        public var threads: Int
        /// When it started, in ticks after boot: with the pid, who it is.
        public var startTicks: UInt64
        public var residentPages: Int
        /// Ended and not yet reaped (a zombie), or dead: gone in all but its pid.
        public var ended: Bool

        /// `pid (comm) state ppid …`: the name may hold spaces and parentheses, so fields are
        /// counted after the last `)`.
        public static func parse(_ stat: String) -> ProcessStat? {
            guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") , open < close else { return nil }
            let command = String(stat[stat.index(after: open)..<close])
            let f = stat[stat.index(after: close)...].split(separator: " ")
            // After the name: state is field 3, ppid 4, utime 14, stime 15, threads 20, starttime 22, rss 24.
            func field(_ n: Int) -> Substring? { n - 3 < f.count ? f[n - 3] : nil }
            guard let parent = field(4).flatMap({ Int($0) }), let utime = field(14).flatMap({ UInt64($0) }), let stime = field(15).flatMap({ UInt64($0) }),
                  let threads = field(20).flatMap({ Int($0) }), let start = field(22).flatMap({ UInt64($0) }),
                  let rss = field(24).flatMap({ Int($0) }) else { return nil }
            let state = field(3) ?? ""
            return ProcessStat(command: command, parent: parent, cpuTicks: utime + stime, threads: threads, startTicks: start,
                               residentPages: rss, ended: state == "Z" || state == "X" || state == "x")
        }
    }

    /// The inodes of TCP sockets listening on `port`, from `/proc/net/tcp` or `tcp6`.
    public static func listeningInodes(_ table: String, port: Int) -> [UInt64] {
        var out: [UInt64] = []
        for line in table.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            guard f.count >= 10, f[3] == "0A", let colon = f[1].lastIndex(of: ":"),
                  Int(f[1][f[1].index(after: colon)...], radix: 16) == port, let inode = UInt64(f[9]), inode > 0 else { continue }
            out.append(inode)
        }
        return out
    }

    /// Numeric entries of a directory (pids under `/proc`, fds under `/proc/PID/fd`).
    static func numericEntries(_ path: String) -> [Int]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var out: [Int] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let n = Int(name) { out.append(n) }
        }
        return out
    }

    /// The command line of a process, its arguments joined by spaces.
    static func commandLine(_ root: String, pid: Int) -> String? {
        read("\(root)/\(pid)/cmdline", limit: 64 << 10).map { bytes in
            String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
    }
}
