import Foundation

/// Writes IndexTTS-format lines (seed 000) — the demo's instances, the router — in wall-clock
/// local time, and rotates the file by size into `NAME.1.gz`, `NAME.2.gz`... like logrotate,
/// so `-R` finds its history.
public final class RotatingLogWriter: @unchecked Sendable {
    let path: String
    let maxBytes: Int
    let keep: Int
    private let lock = NSLock()
    private var fd: Int32
    private var written = 0
    /// Set by `close()`: writes still scheduled by requests in flight are dropped.
    private var closed = false
    private var rotations = 0
    /// Compresses rotated files one after another, off the writers' threads.
    private let compressions = DispatchQueue(label: "ttsmon.log-rotation")

    public init(path: String, maxBytes: Int = 512 << 10, keep: Int = 5) {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
        fd = RotatingLogWriter.create(path)
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Opens `path` empty for appending (-1 when it cannot be: lines are then lost, never the program).
    static func create(_ path: String) -> Int32 { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644) }

    /// The current wall-clock time as the log writes it (local time).
    public static func now() -> String { LogTimestamp(localTime: Date()).logText }

    /// Appends lines (each `logger - LEVEL - message`, timestamped now).
    public func write(_ lines: [(logger: String, level: String, message: String)], extra: [String] = []) {
        let stamp = RotatingLogWriter.now()
        var text = ""
        for l in lines { text += "\(stamp) - \(l.logger) - \(l.level) - \(l.message)\n" }
        for e in extra { text += e + "\n" }
        lock.withLock {
            guard !closed, fd >= 0 else { return }
            // A failed write (disk full, directory removed) loses lines, never the program.
            let n = text.utf8.withContiguousStorageIfAvailable { Glibc.write(fd, $0.baseAddress, $0.count) }
                ?? Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            written += n
            if written >= maxBytes { rotate() }
        }
    }

    /// rename+create: NAME becomes a file of its own, and NAME starts empty at once; the old
    /// lines become NAME.1.gz (older ones shifting up) in the background, in order, so no write
    /// waits for gzip (a 64 MB log takes a second or two).
    private func rotate() {
        Glibc.close(fd)
        rotations += 1
        let rotated = "\(path).rotated-\(rotations)"
        try? FileManager.default.moveItem(atPath: path, toPath: rotated)
        fd = RotatingLogWriter.create(path)
        written = 0
        compressions.async { [path, keep] in
            let fm = FileManager.default
            try? fm.removeItem(atPath: "\(path).\(keep).gz")
            for k in stride(from: keep - 1, through: 1, by: -1) where fm.fileExists(atPath: "\(path).\(k).gz") {
                try? fm.moveItem(atPath: "\(path).\(k).gz", toPath: "\(path).\(k + 1).gz")
            }
            try? Gzip.compressFile(atPath: rotated, toPath: "\(path).1.gz")
            try? fm.removeItem(atPath: rotated)
        }
    }

    /// Stops writing; returns once rotated files are compressed.
    public func close() {
        lock.withLock {
            closed = true
            if fd >= 0 { Glibc.close(fd); fd = -1 }
        }
        compressions.sync {}
    }
}
