import Foundation

/// Free space of a file system, read with `statvfs(3)` (what `df` shows as available).
public enum DiskSpace {
    /// The share of the file system holding `path` that an unprivileged user may still use, in
    /// percent; nil when the path cannot be read.
    public static func freePercent(path: String) -> Double? {
        var s = statvfs()
        guard statvfs(path, &s) == 0, s.f_blocks > 0 else { return nil }
        return Double(s.f_bavail) / Double(s.f_blocks) * 100
    }
}
