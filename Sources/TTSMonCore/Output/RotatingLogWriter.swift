import Foundation

/// Writes IndexTTS-format lines (seed 000) — the demo's instances, the router — in wall-clock
/// local time, and rotates the file by size into `NAME.1.gz`, `NAME.2.gz`... like logrotate,
/// so `-R` finds its history.
public final class RotatingLogWriter: @unchecked Sendable {
    let path: String
    let maxBytes: Int
    let keep: Int
    private let lock = NSLock()
    private var handle: FileHandle
    private var written = 0
    /// Set by `close()`: writes still scheduled by requests in flight are dropped.
    private var closed = false

    public init(path: String, maxBytes: Int = 512 << 10, keep: Int = 5) {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
        FileManager.default.createFile(atPath: path, contents: nil)
        handle = FileHandle(forWritingAtPath: path)!
    }

    /// The current wall-clock time as the log writes it (local time).
    public static func now() -> String { LogTimestamp(localTime: Date()).logText }

    /// Appends lines (each `logger - LEVEL - message`, timestamped now).
    public func write(_ lines: [(logger: String, level: String, message: String)], extra: [String] = []) {
        let stamp = RotatingLogWriter.now()
        var text = ""
        for l in lines { text += "\(stamp) - \(l.logger) - \(l.level) - \(l.message)\n" }
        for e in extra { text += e + "\n" }
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        // A failed write (disk full, directory removed) loses demo lines, never the demo.
        guard (try? handle.write(contentsOf: Data(text.utf8))) != nil else { return }
        written += text.utf8.count
        if written >= maxBytes { rotate() }
    }

    /// rename+create: NAME → NAME.1 (then compressed to NAME.1.gz), older ones shift up.
    private func rotate() {
        try? handle.close()
        let fm = FileManager.default
        try? fm.removeItem(atPath: "\(path).\(keep).gz")
        for k in stride(from: keep - 1, through: 1, by: -1) where fm.fileExists(atPath: "\(path).\(k).gz") {
            try? fm.moveItem(atPath: "\(path).\(k).gz", toPath: "\(path).\(k + 1).gz")
        }
        try? fm.moveItem(atPath: path, toPath: "\(path).1")
        fm.createFile(atPath: path, contents: nil)
        handle = FileHandle(forWritingAtPath: path)!
        written = 0
        try? Gzip.compressFile(atPath: "\(path).1", toPath: "\(path).1.gz")
        try? fm.removeItem(atPath: "\(path).1")
    }

    public func close() { lock.lock(); closed = true; try? handle.close(); lock.unlock() }
}
